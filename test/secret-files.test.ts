import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { withSecretFiles } from '../config/secret-files';
import { testEnvironment } from './support/secrets';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-secret-files-'));
const secretFile = (name: string, content: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
};

describe('secrets as files (<NAME>_FILE), as compose and Kubernetes mount them', () => {
  it('reads each secret from its file, without the trailing newline, into the configuration', () => {
    const {
      HOMEWARD_CODEC_KEYS: codecKeys,
      HOMEWARD_PATIENT_KEY_SECRET: patientKey,
      KAFKA_SASL_PASSWORD: _password,
      ...rest
    } = testEnvironment();
    const config = loadConfig({
      ...rest,
      HOMEWARD_CODEC_KEYS_FILE: secretFile('codec-keys', `${codecKeys}\n`),
      HOMEWARD_PATIENT_KEY_SECRET_FILE: secretFile('patient-key', patientKey!),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'homeward',
      KAFKA_SASL_PASSWORD_FILE: secretFile('kafka-password', 'from a file\n'),
    });
    expect(config.codecKeys).toBe(codecKeys);
    expect(config.patientKeySecret).toBe(patientKey);
    expect(config.kafka.sasl?.password).toBe('from a file');
  });

  it('refuses both a variable and its file, an unreadable file and an empty one, naming the variable and never the content', () => {
    const file = secretFile('both', 'the secret');
    expect(() => withSecretFiles({ DATABASE_URL: 'postgres://x', DATABASE_URL_FILE: file })).toThrow(
      'Invalid configuration: DATABASE_URL and DATABASE_URL_FILE are both set; set one',
    );
    expect(() => withSecretFiles({ HOMEWARD_COMMAND_KEYS_FILE: path.join(dir, 'missing') })).toThrow(
      /^Invalid configuration: HOMEWARD_COMMAND_KEYS_FILE: cannot read .*missing \(ENOENT\)$/,
    );
    expect(() => withSecretFiles({ KAFKA_SASL_PASSWORD_FILE: secretFile('empty', '\n') })).toThrow(
      /KAFKA_SASL_PASSWORD_FILE: .* is empty/,
    );
    try {
      withSecretFiles({ DATABASE_URL: 'x', DATABASE_URL_FILE: file });
    } catch (error) {
      expect(String(error)).not.toContain('the secret');
    }
  });
});
