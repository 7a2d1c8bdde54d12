import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Agency } from '../schemas/common';

/**
 * Development secrets, generated once into the data dir (never committed, never a published
 * default): the NHS-number hash key, the payload codec key, the development token issuer's key
 * pair, the local Kafka broker's SCRAM credentials and the local PostgreSQL's password. `npm start` and the tests use them; a
 * deployment with HOMEWARD_ENV=production never does.
 */
export interface DevSecrets {
  patientKeySecret: string;
  /** HOMEWARD_CODEC_KEYS format: `<keyId>:<base64 key>`, newest first. */
  codecKeys: string;
  /** HOMEWARD_COMMAND_KEYS, same format: signs the application's pathway commands. */
  commandKeys: string;
  issuer: { kid: string; alg: 'ES256'; privateJwk: JWK; publicJwk: JWK };
  /** Kafka principals of the local broker: `admin` (super user), `homeward` (worker), `adt`, `notify` (the messaging adapter), and one per agency. */
  kafka: Record<string, { username: string; password: string }>;
  /** Password of the local PostgreSQL's `homeward` user (the read model). */
  postgresPassword: string;
}

export const kafkaPrincipals = (): string[] => [
  'admin',
  'homeward',
  'adt',
  'notify',
  ...Agency.options.map((agency) => `agency-${agency}`),
];

const random = (bytes: number) => crypto.randomBytes(bytes).toString('base64url');

export async function generateDevSecrets(): Promise<DevSecrets> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `dev-${random(6)}`;
  return {
    patientKeySecret: random(32),
    codecKeys: `dev-${new Date().toISOString().slice(0, 10)}:${crypto.randomBytes(32).toString('base64')}`,
    commandKeys: `dev-${new Date().toISOString().slice(0, 10)}:${crypto.randomBytes(32).toString('base64')}`,
    issuer: {
      kid,
      alg: 'ES256',
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
    },
    kafka: Object.fromEntries(kafkaPrincipals().map((name) => [name, { username: name, password: random(24) }])),
    postgresPassword: random(24),
  };
}

export const devSecretsFile = (dataDir: string) => path.join(dataDir, 'secrets.json');

/** Loads the data dir's development secrets, creating them (mode 0600) on first use. */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = devSecretsFile(dataDir);
  if (fs.existsSync(file)) {
    const existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    // A data dir from an older Homeward lacks some: add only what is missing, keep the rest.
    const fresh = await generateDevSecrets();
    const merged = { ...fresh, ...existing, kafka: { ...fresh.kafka, ...existing.kafka } } as DevSecrets;
    if (JSON.stringify(merged) !== JSON.stringify(existing)) writeSecrets(file, merged);
    return merged;
  }
  const secrets = await generateDevSecrets();
  // Its user's alone, as runtime/local.ts ensureDataDir keeps it.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeSecrets(file, secrets);
  return secrets;
}

/** Reads the secrets without creating them (the CLI's `token`, which must not invent an issuer key). */
export function readDevSecrets(dataDir: string): DevSecrets | undefined {
  const file = devSecretsFile(dataDir);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DevSecrets) : undefined;
}

function writeSecrets(file: string, secrets: DevSecrets) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/** The environment a process of the local development system runs with. */
export function devEnvironment(secrets: DevSecrets, principal = 'homeward'): Record<string, string> {
  const kafka = secrets.kafka[principal];
  return {
    HOMEWARD_PATIENT_KEY_SECRET: secrets.patientKeySecret,
    HOMEWARD_CODEC_KEYS: secrets.codecKeys,
    HOMEWARD_COMMAND_KEYS: secrets.commandKeys,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: kafka.username,
    KAFKA_SASL_PASSWORD: kafka.password,
  };
}

/**
 * For processes of the local development system (`npm start`, a worker run from an editor):
 * fills in what the environment leaves unset from the data dir's secrets. Never in production,
 * where a missing secret must stop the process.
 */
export async function applyDevSecrets(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DevSecrets | undefined> {
  if (env.HOMEWARD_ENV === 'production') return undefined;
  const secrets = await loadOrCreateDevSecrets(dataDir);
  const defaults = devEnvironment(secrets);
  // An existing cluster (KAFKA_BROKERS set) brings its own credentials, or none.
  const external = Boolean(env.KAFKA_BROKERS);
  for (const [name, value] of Object.entries(defaults)) {
    if (external && name.startsWith('KAFKA_SASL_')) continue;
    env[name] ??= value;
  }
  return secrets;
}
