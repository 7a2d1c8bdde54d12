import fs from 'node:fs';

/**
 * The settings that may be given as a file instead (`<NAME>_FILE`: Docker and Kubernetes secrets
 * mounted as files, kept out of the process's environment listing). Each holds a secret.
 */
export const secretFileVariables = [
  'HOMEWARD_CODEC_KEYS',
  'HOMEWARD_COMMAND_KEYS',
  'HOMEWARD_PATIENT_KEY_SECRET',
  'KAFKA_SASL_PASSWORD',
  'DATABASE_URL',
  'TEMPORAL_API_KEY',
] as const;

/**
 * The environment with each `<NAME>_FILE` read into `<NAME>` (one trailing newline dropped, as
 * `echo … > file` leaves). Both set, or a file that cannot be read, is refused naming the variable;
 * the error never carries the file's content.
 */
export function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of secretFileVariables) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new Error(`Invalid configuration: ${name} and ${name}_FILE are both set; set one`);
    try {
      resolved[name] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(
        `Invalid configuration: ${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (!resolved[name]) throw new Error(`Invalid configuration: ${name}_FILE: ${file} is empty`);
  }
  return resolved;
}
