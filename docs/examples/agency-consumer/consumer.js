#!/usr/bin/env node
// A complete agency consumer for Homeward, to copy: plain JavaScript, one dependency (kafkajs).
//
//   npm install kafkajs
//   AGENCY=equipment KAFKA_BROKERS=127.0.0.1:9092 KAFKA_USERNAME=agency-equipment KAFKA_PASSWORD=… node consumer.js
//
// It reads the agency's events topic, drops redelivered duplicates by CloudEvent id, accepts every
// referral addressed to it (replace `decide` with your own system's answer), and reports the
// answers Homeward refused. The accepted answer comes back as `referral.accepted`: that echo is
// the confirmation. Set AUTO_ACCEPT=false to only print events, ONLY_PATHWAY=<id> for a trial run.
'use strict';
const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');

const agency = required('AGENCY');
const kafka = new Kafka({
  clientId: `example-${agency}`,
  brokers: required('KAFKA_BROKERS').split(','),
  sasl: { mechanism: 'scram-sha-512', username: required('KAFKA_USERNAME'), password: required('KAFKA_PASSWORD') },
  ssl: process.env.KAFKA_SSL === 'true',
  logLevel: logLevel.ERROR,
});
const eventsTopic = `homeward.agency.${agency}.events`;
const responsesTopic = `homeward.agency.${agency}.responses`;
// Consumer groups must start with the agency's prefix: the broker's ACLs allow no other.
const groupId = process.env.KAFKA_GROUP ?? `homeward.agency.${agency}.example`;
const autoAccept = process.env.AUTO_ACCEPT !== 'false';
// For a trial run against a live system: answer only this pathway's referrals.
const onlyPathway = process.env.ONLY_PATHWAY;
const seen = new Set(); // in production: your database, keyed by CloudEvent id

/** Your system's answer to a referral: here, always yes. */
function decide(_event) {
  return { response: 'accepted' };
}

async function main() {
  const consumer = kafka.consumer({ groupId });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topics: [eventsTopic], fromBeginning: process.env.FROM_BEGINNING === 'true' });
  const stop = async () => {
    await consumer.disconnect();
    await producer.disconnect();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Listening once the group has been joined: from then on every new event reaches this consumer.
  consumer.on(consumer.events.GROUP_JOIN, () => console.log(`listening on ${eventsTopic} as group ${groupId}`));
  await consumer.run({
    eachMessage: async ({ message }) => {
      let event;
      try {
        event = JSON.parse(message.value.toString());
      } catch {
        console.log('skipped a message that is not JSON');
        return;
      }
      if (seen.has(event.id)) return; // delivered again: already handled
      seen.add(event.id);
      const type = event.type.replace(/^uk\.nhs\.discharge\./, '').replace(/\.v\d+$/, '');
      console.log(`${event.subject} #${event.sequence} ${type}`);
      if (type === 'response.rejected') {
        console.log(`  our message ${event.data.messageId} was refused: ${event.data.reason}`);
      }
      if (
        type === 'referral.requested' &&
        event.data.agency === agency &&
        autoAccept &&
        (!onlyPathway || event.subject === onlyPathway)
      ) {
        const answer = {
          messageId: randomUUID(),
          pathwayId: event.subject,
          referralId: event.data.referralId,
          ...decide(event),
        };
        await producer.send({
          topic: responsesTopic,
          messages: [{ key: event.subject, value: JSON.stringify(answer) }],
        });
        console.log(`  answered ${event.data.referralId}: ${answer.response} (message ${answer.messageId})`);
      }
    },
  });
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see the comment at the top of this file)`);
    process.exit(2);
  }
  return value;
}

main().catch((error) => {
  console.error(`agency consumer failed: ${error.message}`);
  process.exit(1);
});
