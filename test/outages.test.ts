import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { loadKafkaTopicSettings } from '../config';
import { EventPublisher } from '../kafka/publisher';
import { setUpTopicsAndAcls } from '../kafka/setup';
import { singleBroker, topics } from '../kafka/topics';
import { startKafka } from '../scripts/infra/kafka';
import { onFreePorts } from '../scripts/infra/process';
import { nodeCommand } from '../scripts/node-runtime.cjs';
import type { RunningServer } from '../scripts/infra/temporal';
import { createTestDatabase } from './support/database';
import { kafkaAs, TopicReader } from './support/kafka';
import { testEnvironment, testSecrets } from './support/secrets';

// Bad days: a broker that goes away longer than the producer retries, a SIGTERM to the worker.
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('the broker down for longer than the producer retries', () => {
  it('events flow again once it is back, with no restart of the publisher', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-kafka-'));
    const base = { dataDir, logFile: path.join(dataDir, 'kafka.log'), credentials: testSecrets().kafka };
    // Restarted below on the same ports, which this first start makes sure are its own.
    const first = await onFreePorts(2, async ([port, controllerPort]) => ({ options: { ...base, port, controllerPort }, broker: await startKafka({ ...base, port, controllerPort }) }));
    const options = first.options;
    let broker: RunningServer = first.broker;
    cleanups.push(() => broker.stop());
    const brokers = broker.address;
    await setUpTopicsAndAcls(kafkaAs('admin', { brokers }), singleBroker(loadKafkaTopicSettings({})));
    // Few retries, so the outage outlasts them quickly; the activity's own retries are the loop below.
    const fewRetries = { retries: 2, initialRetryTime: 100, maxRetryTime: 500 };
    const publisher = new EventPublisher(kafkaAs('homeward', { brokers, clientId: 'outage-test', retry: fewRetries }), fewRetries);
    cleanups.push(() => publisher.close());
    const message = (n: number) => ({ topic: topics.pathwayEvents, key: 'pathway-outage', value: JSON.stringify({ n }) });
    await publisher.publish([message(1)]);

    await broker.stop();
    await expect(publisher.publish([message(2)])).rejects.toThrow();
    broker = await startKafka(options);
    const back = Date.now();
    let delivered = false;
    while (!delivered && Date.now() - back < 30_000) {
      delivered = await publisher.publish([message(3)]).then(
        () => true,
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000)),
      );
    }
    expect(delivered).toBe(true);
    const reader = await new TopicReader(brokers).start([topics.pathwayEvents]);
    cleanups.push(() => reader.stop());
    const received = await reader.waitFor((all) => all.some((m) => m.value.n === 3), 30_000);
    expect(received.map((m) => m.value.n)).toEqual(expect.arrayContaining([1, 3]));
  }, 180_000);
});

describe('SIGTERM', () => {
  it('stops the worker process (worker and bridges) within 10 s', async () => {
    const env = {
      ...process.env,
      ...testEnvironment(),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      KAFKA_BROKERS: inject('kafkaBrokers'),
      TEMPORAL_TASK_QUEUE: `sigterm-${Date.now()}`,
      DATABASE_URL: await createTestDatabase(),
      LOG_LEVEL: 'info',
    };
    const [node, args, childEnv] = nodeCommand(path.join(__dirname, '..', 'workers', 'main.ts'), [], { runsWorker: true, env });
    const child = spawn(node, args, { env: childEnv });
    cleanups.push(async () => void child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const deadline = Date.now() + 90_000;
    // Everything the worker process runs: the worker, the inbound bridges and the projector.
    while (!output.includes('projector running') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(output).toContain('inbound bridges running');
    expect(output).toContain('projector running');
    const sent = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    // A clean stop exits 0; one that something held up is ended by the worker's own 9 s limit (exit 1).
    expect(Date.now() - sent).toBeLessThan(10_000);
  }, 120_000);
});
