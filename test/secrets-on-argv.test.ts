import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDevSecrets } from '../config/dev-secrets';
import { kafkaHealth, startKafka, type KafkaCredentials } from '../tools/infra/kafka';
import { onFreePorts } from '../tools/infra/process';
import { startTemporalDev, type RunningServer } from '../tools/infra/temporal';
import { exposedToOthers } from './support/file-modes';

// What any local user sees while the servers start: `ps` (every process's command line), and the
// files they leave in the data dir. Audit finding: the first start put every Kafka password on
// the Java command line.
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * Reads every process's command line and environment from /proc about every 50 ms, as `ps`
 * does, keeping each distinct one. A Kafka tool's JVM lives at least a second.
 */
class ProcessListWatch {
  readonly seen = new Set<string>();
  samples = 0;
  private timer?: NodeJS.Timeout;

  start(): this {
    this.timer = setInterval(() => this.sample(), 50);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      for (const part of ['cmdline', 'environ']) {
        try {
          this.seen.add(fs.readFileSync(`/proc/${pid}/${part}`, 'latin1').replaceAll('\0', ' '));
        } catch {
          // The process has exited, or is another user's environment.
        }
      }
    }
    this.samples++;
  }

  /** The seen command lines and environments holding any of `secrets`, with each shown by its name. */
  holding(secrets: Record<string, string>): string[] {
    const named = (text: string) =>
      Object.entries(secrets).reduce((shown, [name, secret]) => shown.replaceAll(secret, `<${name}>`), text);
    return [...this.seen].filter((text) => Object.values(secrets).some((secret) => text.includes(secret))).map(named);
  }

  /** The argument files of the Kafka tools seen running (`java … @<file>`), this test's or others': one per tool's JVM. */
  toolArgumentFiles(): string[] {
    return [
      ...new Set([...this.seen].flatMap((text) => [...text.matchAll(/ @(\S+\.args)\b/g)].map((match) => match[1]))),
    ];
  }
}

const passwords = (credentials: KafkaCredentials) =>
  Object.fromEntries(Object.entries(credentials).map(([principal, user]) => [principal, user.password]));
const scram = (user: { username: string; password: string }) => ({ mechanism: 'scram-sha-512' as const, ...user });
const refusal = (probe: Promise<unknown>) =>
  probe.then(
    () => 'signed in',
    (error: Error) => error.name,
  );

describe('no secret on a command line', () => {
  it("starts a new Kafka data dir, then gives it a changed password, with no password in any process's arguments or log", async () => {
    const watch = new ProcessListWatch().start();
    cleanups.push(() => watch.stop());
    // The watch sees what it is meant to: a process with a marker on its command line and in its environment.
    const marker = { argv: `argv-${crypto.randomUUID()}`, env: `env-${crypto.randomUUID()}` };
    const probe = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 500)', marker.argv], {
      env: { ...process.env, PROBE: marker.env },
    });
    await new Promise((resolve) => probe.on('exit', resolve));
    expect(watch.holding(marker)).toEqual([expect.stringContaining('<argv>'), expect.stringContaining('PROBE=<env>')]);

    const credentials = (await generateDevSecrets()).kafka;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-argv-kafka-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const base = { dataDir: path.join(dataDir, 'kafka'), logFile: path.join(dataDir, 'kafka.log'), credentials };
    const started = Date.now();
    const first = await onFreePorts(2, async ([port, controllerPort]) => ({
      options: { ...base, port, controllerPort },
      broker: await startKafka({ ...base, port, controllerPort }),
    }));
    let broker: RunningServer = first.broker;
    cleanups.push(() => broker.stop());
    const housing = credentials['agency-housing'];
    expect(await refusal(kafkaHealth(broker.address, scram(housing)))).toBe('signed in');
    expect(await refusal(kafkaHealth(broker.address, scram({ ...housing, password: `${housing.password}x` })))).toBe(
      'KafkaJSSASLAuthenticationError',
    );

    // A changed password (secrets.json edited) reaches the broker through Kafka's ConfigCommand on the next start.
    await broker.stop();
    const changed = {
      ...credentials,
      'agency-housing': { ...housing, password: crypto.randomBytes(24).toString('base64url') },
    };
    broker = await startKafka({ ...first.options, credentials: changed });
    expect(await refusal(kafkaHealth(broker.address, scram(changed['agency-housing'])))).toBe('signed in');
    expect(await refusal(kafkaHealth(broker.address, scram(housing)))).toBe('KafkaJSSASLAuthenticationError');
    expect(await refusal(kafkaHealth(broker.address, scram(credentials['agency-gp'])))).toBe('signed in');
    await broker.stop();
    watch.stop();

    // The watch saw both tools that handle passwords run: the format, and ConfigCommand for the one changed user.
    expect(watch.samples).toBeGreaterThan((Date.now() - started) / 250);
    expect(watch.toolArgumentFiles().filter((file) => path.dirname(file) === base.dataDir)).toHaveLength(2);
    const secrets: Record<string, string> = {
      ...passwords(credentials),
      'agency-housing (changed)': changed['agency-housing'].password,
    };
    expect(watch.holding(secrets)).toEqual([]);
    const log = fs.readFileSync(base.logFile, 'utf8');
    expect(
      Object.entries(secrets)
        .filter(([, secret]) => log.includes(secret))
        .map(([name]) => name),
    ).toEqual([]);
    // What held a password for a tool is gone; what the broker keeps is its user's alone.
    expect(
      fs.readdirSync(base.dataDir).filter((name) => name.endsWith('.args') || name === 'admin-tool.properties'),
    ).toEqual([]);
    expect(exposedToOthers(dataDir)).toEqual([]);
  }, 180_000);
});

describe("the Temporal dev server's files", () => {
  it("are its user's alone: the SQLite file, its journals and the log, also those an older Homeward made 0644", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-argv-temporal-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const options = {
      uiPort: 0,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      logFile: path.join(dataDir, 'temporal.log'),
    };
    const first = await onFreePorts(1, ([port]) => startTemporalDev({ ...options, port }));
    cleanups.push(() => first.stop());
    // SQLite's rollback journal comes and goes with each transaction: whichever is there, it is checked below.
    expect(
      fs
        .readdirSync(dataDir)
        .filter((file) => !file.endsWith('-journal'))
        .sort(),
    ).toEqual(['temporal.log', 'temporal.sqlite']);
    expect(exposedToOthers(dataDir)).toEqual([]);
    await first.stop();
    expect(exposedToOthers(dataDir)).toEqual([]);

    for (const name of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, name), 0o644);
    const again = await onFreePorts(1, ([port]) => startTemporalDev({ ...options, port }));
    cleanups.push(() => again.stop());
    expect(exposedToOthers(dataDir)).toEqual([]);
  });
});
