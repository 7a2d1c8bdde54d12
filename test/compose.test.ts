import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Env } from '../config';
import { searchAttributes } from '../workflows/search-attributes';

// No Docker engine runs here, so the compose file is checked against the code instead.
const root = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[] | string; environment?: Record<string, unknown>; ports?: string[] }>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has Temporal with PostgreSQL, the Temporal UI, Kafka, the worker and the API', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'kafka', 'worker', 'api']) {
      expect(services, name).toHaveProperty(name);
    }
    expect(services.temporal.environment?.DB).toBe('postgres12');
    expect(services.temporal.environment?.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('gives the worker (whose projector writes it) and the API the read model’s PostgreSQL', () => {
    const db = services['read-model-db'];
    expect(db.image).toMatch(/^postgres:/);
    for (const name of ['worker', 'api']) {
      const url = new URL(String(services[name].environment?.DATABASE_URL));
      expect(url.hostname).toBe('read-model-db');
      expect(decodeURIComponent(url.username)).toBe(db.environment?.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(db.environment?.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${String(db.environment?.POSTGRES_DB)}`);
    }
  });

  it('pins a Kafka 3.9 broker in KRaft mode, as kafkajs is untested against 4.x', () => {
    expect(services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('gives the worker and the API only environment variables the config knows, pointing at the compose services', () => {
    const known = new Set(Object.keys(Env.shape));
    for (const name of ['worker', 'api']) {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      expect(String(env.TEMPORAL_ADDRESS)).toBe('temporal:7233');
      const [host, port] = String(env.KAFKA_BROKERS).split(':');
      expect(host).toBe('kafka');
      expect(String(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(`kafka:${port}`);
      // Every value must pass the same validation the process applies at start.
      expect(() => Env.parse(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])))).not.toThrow();
    }
  });

  it('runs commands that exist in the repository', () => {
    for (const name of ['worker', 'api']) {
      const command = services[name].command as string[];
      const script = command.find((part) => part.endsWith('.ts'));
      expect(script, name).toBeDefined();
      expect(fs.existsSync(path.join(root, script!)), `${name}: ${script}`).toBe(true);
      expect(services[name].build).toBe('.');
    }
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('publishes the API on the port it listens on', () => {
    const port = String(services.api.environment?.HTTP_PORT);
    expect(services.api.ports).toContain(`${port}:${port}`);
    expect(port).toBe(String(Env.parse({}).HTTP_PORT));
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
});
