import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Env, loadConfig } from '../config';
import { secretFileVariables } from '../config/secret-files';
import { imageCommand, roles, type ImageEntry, type Role } from '../runtime/node-runtime.cjs';
import { principals } from '../kafka/acls';
import { agencies } from '../kafka/topics';
import { searchAttributes } from '../workflows/search-attributes';

// No Docker engine runs here, so the compose file is checked against the code instead.
const root = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[] | string;
      environment?: Record<string, unknown>;
      ports?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] };
      secrets?: string[];
      entrypoint?: string[];
    }
  >;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
/** Homeward's own processes: a service per role (runtime/node-runtime.cjs). */
const roleNames = Object.keys(roles) as Role[];

/** A value as compose gives it once an operator has supplied the variables it requires (`${NAME:?…}`) and defaults apply (`${NAME:-x}`). */
const supplied: Record<string, string> = {
  HOMEWARD_OIDC_ISSUER: 'https://login.example.nhs.uk',
  HOMEWARD_CODEC_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
  HOMEWARD_COMMAND_KEYS: `c1:${Buffer.alloc(32).toString('base64')}`,
};
const resolve = (value: string) =>
  value
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_m, _name: string, fallback: string) => fallback)
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) => supplied[name] ?? 'x'.repeat(32));

describe('docker-compose.yml', () => {
  it('has Temporal with PostgreSQL, the Temporal UI, Kafka, and a service per role: worker, projector, bridges and API', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'kafka', 'kafka-setup', ...roleNames]) {
      expect(services, name).toHaveProperty(name);
    }
    expect(services.temporal.environment?.DB).toBe('postgres12');
    expect(services.temporal.environment?.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('runs Temporal’s server image with its schema set up by the admin tools of the same release, not the deprecated auto-setup', () => {
    const images = Object.values(services).map((service) => service.image ?? '');
    expect(images.filter((image) => image.includes('auto-setup'))).toEqual([]);
    const release = services.temporal.image!.match(/^temporalio\/server:(\d+\.\d+\.\d+)$/)?.[1];
    expect(release).toBeDefined();
    const schema = services['temporal-schema'];
    expect(schema.image).toBe(`temporalio/admin-tools:${release}`);
    expect(services['temporal-search-attributes'].image).toBe(`temporalio/admin-tools:${release}`);
    const script = (schema.command as string[]).join('\n');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
    expect(script).toMatch(/for db in temporal temporal_visibility/);
    expect(services.temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    // The namespace: auto-setup created it, the server does not.
    expect(JSON.stringify(services['temporal-search-attributes'].command)).toContain(
      'temporal operator namespace create --namespace default',
    );
  });

  it('gives the projector (which writes it) and the API the read model’s PostgreSQL as a secret file, and nobody else', () => {
    const db = services['read-model-db'];
    expect(db.image).toMatch(/^postgres:18/);
    expect(db.environment?.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/read_model_db_password');
    for (const name of ['worker', 'bridges']) {
      expect(
        Object.keys(services[name].environment ?? {}).filter((key) => key.startsWith('DATABASE_URL')),
        name,
      ).toEqual([]);
      expect(services[name].secrets, name).not.toContain('read_model_database_url');
    }
    for (const name of ['projector', 'api']) {
      expect(services[name].depends_on?.['read-model-db']?.condition, name).toBe('service_healthy');
      expect(services[name].environment?.DATABASE_URL_FILE, name).toBe('/run/secrets/read_model_database_url');
      expect(services[name].secrets, name).toContain('read_model_database_url');
    }
    // The header's recipe writes the URL from the database's own password file: one password, no default.
    const header = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').split('\nname:')[0];
    expect(header).toContain(
      'echo "postgres://homeward:$(cat secrets/read_model_db_password)@read-model-db:5432/homeward" > secrets/read_model_database_url',
    );
  });

  it('has a health check on every long-running service, each role asking its readiness probe', () => {
    for (const name of ['postgresql', 'read-model-db', 'temporal', 'kafka', ...roleNames])
      expect(services[name].healthcheck?.test.length, name).toBeGreaterThan(0);
  });

  it('pins a Kafka 3.9 broker in KRaft mode, as kafkajs is untested against 4.x', () => {
    expect(services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('gives every role only environment variables the config knows, pointing at the compose services', () => {
    const known = new Set([
      ...Object.keys(Env.shape),
      ...secretFileVariables.map((name) => `${name}_FILE`),
      'LOG_FORMAT',
    ]);
    // The secret files as compose mounts them, with values that pass the checks a process applies at start.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-compose-secrets-'));
    const values: Record<string, string> = {
      codec_keys: supplied.HOMEWARD_CODEC_KEYS,
      command_keys: supplied.HOMEWARD_COMMAND_KEYS,
      read_model_database_url: 'postgres://homeward:x@read-model-db:5432/homeward',
    };
    const mounted = (value: string) =>
      value.replace(/^\/run\/secrets\/(\w+)$/, (_m, secret: string) => {
        const file = path.join(dir, secret);
        fs.writeFileSync(file, values[secret] ?? 'x'.repeat(32));
        return file;
      });
    for (const name of roleNames) {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      expect(String(env.TEMPORAL_ADDRESS)).toBe('temporal:7233');
      const [host, port] = String(env.KAFKA_BROKERS).split(':');
      expect(host).toBe('kafka');
      expect(String(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(`kafka:${port}`);
      // Every value must pass the same checks the process applies at start (the Temporal connection's
      // included), once an operator has supplied the secrets compose requires and defaults apply.
      expect(() =>
        loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mounted(resolve(String(v)))]))),
      ).not.toThrow();
    }
  });

  it('runs each role, and the Kafka setup, from the image’s compiled entry point, built from a source in the repository', () => {
    for (const name of ['kafka-setup', ...roleNames] as ImageEntry[]) {
      expect(services[name].command, name).toEqual(imageCommand(name));
      const script = imageCommand(name).find((part) => part.startsWith('dist/'))!;
      const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(fs.existsSync(path.join(root, source)), `${name}: ${source}`).toBe(true);
      expect(services[name].build).toBe('.');
    }
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it("publishes the API on the port it listens on, listening on the container's every interface (the default is loopback)", () => {
    const port = String(services.api.environment?.HTTP_PORT);
    expect(services.api.ports).toContain(`${port}:${port}`);
    expect(port).toBe(String(Env.parse({}).HTTP_PORT));
    expect(Env.parse({}).HTTP_HOST).toBe('127.0.0.1');
    expect(services.api.environment?.HTTP_HOST).toBe('0.0.0.0');
  });

  it('publishes Temporal and its UI on loopback only (whoever reaches them reads every pathway)', () => {
    for (const name of ['temporal', 'temporal-ui']) {
      expect(services[name].ports?.length, name).toBeGreaterThan(0);
      for (const mapping of services[name].ports!) expect(mapping, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('registers exactly the search attributes the workflow upserts', () => {
    const command = JSON.stringify(services['temporal-search-attributes'].command);
    const registered = [...command.matchAll(/--name (\w+) --type (\w+)/g)].map(([, name, type]) => `${name}=${type}`);
    const expected = Object.values(searchAttributes).map((key) => key.name);
    expect(registered.map((r) => r.split('=')[0]).sort()).toEqual(expected.sort());
    const cliTypes: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', DATETIME: 'Datetime' };
    for (const key of Object.values(searchAttributes)) {
      expect(registered).toContain(`${key.name}=${cliTypes[key.type]}`);
    }
  });

  const kafkaEnv = () => services.kafka.environment as Record<string, string>;
  /** A compose reference to a variable that must be set: no published default. */
  const required = /^\$\{[A-Z0-9_]+:\?[^}]+\}$/;

  it('gives no secret a default: Homeward’s and PostgreSQL’s are files (compose secrets, *_FILE), the broker’s Kafka passwords must be set', () => {
    for (const [name, secret] of Object.entries(compose.secrets)) expect(secret.file, name).toBe(`./secrets/${name}`);
    const homeward = [
      'KAFKA_SASL_PASSWORD',
      'HOMEWARD_PATIENT_KEY_SECRET',
      'HOMEWARD_CODEC_KEYS',
      'HOMEWARD_COMMAND_KEYS',
    ];
    for (const name of roleNames) {
      const env = services[name].environment ?? {};
      for (const key of [...homeward, 'DATABASE_URL'])
        expect(env, `${name}: ${key} in the environment`).not.toHaveProperty(key);
      for (const key of homeward) {
        const file = String(env[`${key}_FILE`]);
        expect(file, `${name}: ${key}_FILE`).toMatch(/^\/run\/secrets\/\w+$/);
        expect(services[name].secrets, `${name}: ${key}`).toContain(path.basename(file));
      }
    }
    for (const name of ['postgresql', 'read-model-db'])
      expect(Object.keys(services[name].environment ?? {}), name).not.toContain('POSTGRES_PASSWORD');
    expect(String(services['kafka-setup'].environment?.KAFKA_SASL_PASSWORD)).toMatch(required);
    for (const [key, value] of Object.entries(kafkaEnv())) {
      if (key.endsWith('_PASSWORD')) expect(String(value), key).toMatch(/^\$\{KAFKA_[A-Z_]+_PASSWORD:(\?[^}]+|-)\}$/);
      // Every password in a JAAS line is a reference to a variable, never a literal.
      for (const [, password] of String(value).matchAll(/(?:password|user_admin)="([^"]*)"/g))
        expect(password, key).toMatch(required);
    }
  });

  it('formats the SCRAM users without putting a password on a command line (ps shows every argv)', () => {
    const script = JSON.stringify(services.kafka.command);
    expect(script).not.toContain('kafka-storage.sh');
    // The passwords are written to a Java argument file, and java reads the arguments from it.
    expect(script).toMatch(/printf[^|]*--add-scram[^|]*> \\"\$\$args\\"/);
    expect(script).toContain(`java -XX:-UsePerfData -cp '/opt/kafka/libs/*' \\"@$$args\\"`);
  });

  it('signs every Kafka client in with SCRAM and enforces ACLs on the broker', () => {
    const env = kafkaEnv();
    const protocols = String(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP)
      .split(',')
      .map((entry) => entry.split(':')[1]);
    expect(
      protocols.every((protocol) => protocol.startsWith('SASL_')),
      'no plaintext listener',
    ).toBe(true);
    expect(env.KAFKA_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(env.KAFKA_AUTHORIZER_CLASS_NAME).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
    expect(env.KAFKA_SUPER_USERS).toBe('User:admin');
    for (const name of roleNames) {
      expect(services[name].environment).toMatchObject({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: principals.homeward,
      });
      expect(services[name].depends_on?.['kafka-setup']?.condition, name).toBe('service_completed_successfully');
    }
    const setup = services['kafka-setup'].environment ?? {};
    expect(setup).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'admin' });
    for (const key of Object.keys(setup)) expect(Object.keys(Env.shape), key).toContain(key);
  });

  it('creates the SCRAM users the ACL matrix names: admin, homeward, adt and every agency', () => {
    const script = (services.kafka.command as string[]).join('\n');
    for (const user of ['admin', principals.homeward, principals.adt])
      expect(script).toContain(`[name=${user},password=`);
    const listed = script.match(/for agency in ([a-z -]+); do/)?.[1].split(' ');
    expect(listed).toEqual([...agencies]);
    expect(script).toContain('[name=agency-$$agency,');
    expect(principals.agency('housing')).toBe('agency-housing');
    for (const agency of agencies)
      expect(kafkaEnv(), agency).toHaveProperty(`SCRAM_AGENCY_${agency.toUpperCase().replace(/-/g, '_')}_PASSWORD`);
  });
});

// Compose runs the image's entry points (test/image.test.ts checks the Dockerfile's).
describe('compose runs the roles as the image does', () => {
  it('asks each role’s readiness probe, on the port the role is given', () => {
    for (const name of roleNames) {
      const port = String(services[name].environment?.HOMEWARD_HEALTH_PORT);
      expect(port, name).toMatch(/^\d+$/);
      expect(services[name].healthcheck?.test.join(' '), name).toContain(
        `fetch('http://127.0.0.1:${port}/health/ready')`,
      );
    }
  });
});
