import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadKafkaTopicSettings } from '../config';
import { EventPublisher } from '../kafka/publisher';
import { setUpTopicsAndAcls } from '../kafka/setup';
import { inboundTopics, singleBroker, topics } from '../kafka/topics';
import { startKafka } from '../tools/infra/kafka';
import { onFreePorts } from '../tools/infra/process';
import type { RunningServer } from '../tools/infra/temporal';
import { createTestDatabase } from './support/database';
import { exclusive } from './support/exclusive';
import { kafkaAs, positionGroupAtEnd, TopicReader } from './support/kafka';
import { startDevIssuer } from '../config/dev-issuer';
import { probe, roleEnvironment, RoleProcesses } from './support/roles';
import { testSecrets } from './support/secrets';
import { eventually } from './support/system';

// Bad days: a broker that goes away longer than the producer retries, a SIGTERM to each role's process.
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('the broker down for longer than the producer retries', () => {
  it('events flow again once it is back, with no restart of the publisher', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-kafka-'));
    const base = { dataDir, logFile: path.join(dataDir, 'kafka.log'), credentials: testSecrets().kafka };
    // Restarted below on the same ports, which this first start makes sure are its own.
    const first = await onFreePorts(2, async ([port, controllerPort]) => ({
      options: { ...base, port, controllerPort },
      broker: await startKafka({ ...base, port, controllerPort }),
    }));
    const options = first.options;
    let broker: RunningServer = first.broker;
    cleanups.push(() => broker.stop());
    const brokers = broker.address;
    await setUpTopicsAndAcls(kafkaAs('admin', { brokers }), singleBroker(loadKafkaTopicSettings({})));
    // Few retries, so the outage outlasts them quickly; the activity's own retries are the loop below.
    const fewRetries = { retries: 2, initialRetryTime: 100, maxRetryTime: 500 };
    const publisher = new EventPublisher(
      kafkaAs('homeward', { brokers, clientId: 'outage-test', retry: fewRetries }),
      fewRetries,
    );
    cleanups.push(() => publisher.close());
    const message = (n: number) => ({
      topic: topics.pathwayEvents,
      key: 'pathway-outage',
      value: JSON.stringify({ n }),
    });
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
  it('stops each role’s process (worker, bridges, projector, API) within 10 s, cleanly', async () => {
    const issuer = await startDevIssuer(testSecrets(), 0);
    cleanups.push(issuer.close);
    const env = roleEnvironment({
      TEMPORAL_TASK_QUEUE: `sigterm-${Date.now()}`,
      DATABASE_URL: await createTestDatabase(),
      HOMEWARD_OIDC_ISSUER: issuer.url,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    });
    const processes = new RoleProcesses();
    cleanups.push(() => processes.stopAll());
    // Its bridges start at the inbound topics' end and take their turn (other files' messages are not theirs).
    const release = await exclusive('inbound-bridges');
    cleanups.push(async () => release());
    await positionGroupAtEnd(inject('kafkaBrokers'), env.HOMEWARD_INBOUND_GROUP!, inboundTopics());
    const roles = await processes.start(
      (['worker', 'bridges', 'projector', 'api'] as const).map((role) => ({ role, env })),
    );
    // The bridges' probe: Temporal answers and the consumer runs in its group.
    const bridges = await eventually(
      () => probe(roles[1], '/health/ready'),
      (answer) => answer.status === 200,
      30_000,
    );
    expect(bridges.body).toMatchObject({ role: 'bridges', dependencies: { temporal: 'ok', kafka: 'ok' } });
    const stopped = await Promise.all(
      roles.map(async (role) => {
        const sent = Date.now();
        const exit = await role.stop();
        return { role: role.role, exit, withinLimit: Date.now() - sent < 10_000 };
      }),
    );
    // A clean stop exits 0; one that something held up is ended by the role's own 9 s limit (exit 1).
    expect(stopped).toEqual(
      roles.map((role) => ({ role: role.role, exit: { code: 0, signal: null }, withinLimit: true })),
    );
  }, 120_000);
});
