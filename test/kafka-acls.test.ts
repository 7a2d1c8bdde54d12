import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../kafka/client';
import { aclEntries, aclKey, describeAll, principals } from '../kafka/acls';
import { loadKafkaTopicSettings } from '../config';
import { agencies, allTopics, ensureTopics, singleBroker, topics } from '../kafka/topics';
import { kafkaAs } from './support/kafka';
import { testSecrets } from './support/secrets';

// The real broker's SASL/SCRAM sign-in and StandardAuthorizer with Homeward's ACLs, as global
// setup left them: every principal is one of the run's SCRAM users.
const noRetry = { retries: 0 };
const errorType = (error: unknown) => {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return type ?? cause?.type ?? (error as Error).name;
};

/** Sends one message as `principal` with a fresh producer: kafkajs keeps asking for a refused topic's metadata afterwards. */
async function produceAs(principal: string, topic: string): Promise<string> {
  const producer = kafkaAs(principal, { retry: noRetry }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'acl-test', value: JSON.stringify({ probe: randomUUID() }) }] });
    return 'written';
  } catch (error) {
    return errorType(error);
  } finally {
    await producer.disconnect();
  }
}

/** Reads `topic` from the beginning as `principal` until one message arrives, or says why the broker refused. */
async function readOneAs(principal: string, topic: string, groupId: string): Promise<string> {
  const consumer = kafkaAs(principal, { retry: { retries: 1, initialRetryTime: 100 } }).consumer({ groupId });
  try {
    await consumer.connect();
    const outcome = new Promise<string>((resolve) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => resolve(errorType(payload.error)));
      setTimeout(() => resolve('nothing within 20s'), 20_000);
      void consumer
        .subscribe({ topics: [topic], fromBeginning: true })
        .then(() => consumer.run({ eachMessage: async () => resolve('read') }))
        .catch((error: unknown) => resolve(errorType(error)));
    });
    return await outcome;
  } finally {
    await consumer.disconnect();
  }
}

describe('Kafka credentials and ACLs on the real broker', () => {
  let admin: ReturnType<Kafka['admin']>;
  beforeAll(async () => {
    admin = kafkaAs('admin').admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  it("holds exactly the ACL matrix for Homeward's principals", async () => {
    const ours = new Set(
      [principals.homeward, principals.adt, principals.notify, ...agencies.map(principals.agency)].map(
        (p) => `User:${p}`,
      ),
    );
    const present = (await describeAll(admin))
      .filter((entry) => ours.has(entry.principal))
      .map(aclKey)
      .sort();
    expect(present).toEqual(aclEntries().map(aclKey).sort());
  });

  it('refuses a client without credentials, and one with a wrong password', async () => {
    const anonymous = kafkaAs(null, { retry: noRetry }).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toMatchObject({
      name: 'KafkaJSConnectionClosedError',
    });
    await anonymous.disconnect();
    const housing = testSecrets().kafka['agency-housing'];
    const wrong = createKafka({
      brokers: inject('kafkaBrokers').split(','),
      clientId: 'impostor',
      sasl: { mechanism: 'scram-sha-512', username: housing.username, password: `${housing.password}x` },
      retry: noRetry,
    }).admin();
    await expect(wrong.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });

  it("shows each agency only its own two topics, and Homeward every topic but none of the broker's own", async () => {
    for (const agency of agencies) {
      const client = kafkaAs(principals.agency(agency)).admin();
      await client.connect();
      expect((await client.listTopics()).sort(), agency).toEqual(
        [topics.agencyEvents(agency), topics.agencyResponses(agency)].sort(),
      );
      await client.disconnect();
    }
    const homeward = kafkaAs(principals.homeward).admin();
    await homeward.connect();
    expect((await homeward.listTopics()).sort()).toEqual(allTopics().sort());
    await homeward.disconnect();
  });

  it("lets an agency read its own events and refuses it another agency's, or a consumer group outside its prefix", async () => {
    expect(await produceAs(principals.homeward, topics.agencyEvents('housing'))).toBe('written');
    expect(
      await readOneAs('agency-housing', topics.agencyEvents('housing'), `homeward.agency.housing.acl-${randomUUID()}`),
    ).toBe('read');
    expect(
      await readOneAs(
        'agency-equipment',
        topics.agencyEvents('housing'),
        `homeward.agency.equipment.acl-${randomUUID()}`,
      ),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(
      await readOneAs('agency-equipment', topics.pathwayEvents, `homeward.agency.equipment.acl-${randomUUID()}`),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');
    // kafkajs reports a refused group as a coordinator it cannot find.
    expect(await readOneAs('agency-housing', topics.agencyEvents('housing'), `homeward-inbound-${randomUUID()}`)).toBe(
      'KafkaJSGroupCoordinatorNotFound',
    );
  });

  it('lets an agency write only its own responses topic, the PAS only homeward.adt', async () => {
    expect(await produceAs('agency-housing', topics.agencyResponses('housing'))).toBe('written');
    expect(await produceAs('agency-housing', topics.agencyResponses('equipment'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produceAs('agency-housing', topics.agencyEvents('housing'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produceAs('agency-housing', topics.adt)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produceAs('adt', topics.adt)).toBe('written');
    expect(await produceAs('adt', topics.agencyResponses('housing'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produceAs('adt', topics.pathwayEvents)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // Homeward writes what it publishes and the DLQ, and cannot answer for an agency.
    expect(await produceAs(principals.homeward, topics.dlq)).toBe('written');
    expect(await produceAs(principals.homeward, topics.agencyResponses('housing'))).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("does not let Homeward's own user create topics, and says who must", async () => {
    const homeward = kafkaAs(principals.homeward, { retry: noRetry }).admin();
    await homeward.connect();
    const topic = `homeward.acl-test-${randomUUID()}`;
    const refusal = await ensureTopics(homeward, singleBroker(loadKafkaTopicSettings({})), { wanted: [topic] }).catch(
      (error: Error) => error.message,
    );
    await homeward.disconnect();
    expect(refusal).toBe(
      `Kafka topics ${topic} are missing and this user may not create them: run kafka/setup-main.ts as the cluster's admin`,
    );
  });
});
