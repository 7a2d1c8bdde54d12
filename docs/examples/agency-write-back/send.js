#!/usr/bin/env node
// Sends one write-back message (or referral answer) to Homeward, as an agency: plain JavaScript,
// one dependency (kafkajs). The message is a JSON file such as docs/examples/agency-messages/*.json.
//
//   npm install kafkajs
//   AGENCY=intermediate-care KAFKA_BROKERS=127.0.0.1:9092 KAFKA_USERNAME=agency-intermediate-care KAFKA_PASSWORD=… \
//     node send.js ../agency-messages/episode-review.json pathway-A1001
//
// The pathway on the command line replaces the file's `pathwayId`. The file's `messageId` is kept
// if it has one that is not the examples' placeholder; otherwise a new one is made. Sending the same
// file (same messageId) again is how a retry looks to Homeward: it is recorded once.
'use strict';
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [file, pathwayId] = process.argv.slice(2);
  if (!file) throw new Error('usage: node send.js <message.json> [pathwayId]');
  const agency = required('AGENCY');
  const message = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (pathwayId) message.pathwayId = pathwayId;
  if (!message.messageId || message.messageId.startsWith('your-unique-id')) message.messageId = randomUUID();
  const kafka = new Kafka({
    clientId: `example-${agency}-send`,
    brokers: required('KAFKA_BROKERS').split(','),
    sasl: { mechanism: 'scram-sha-512', username: required('KAFKA_USERNAME'), password: required('KAFKA_PASSWORD') },
    ssl: process.env.KAFKA_SSL === 'true',
    logLevel: logLevel.ERROR,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // Key: the pathway id, so one pathway's messages are handled in the order sent.
    await producer.send({
      topic: `homeward.agency.${agency}.responses`,
      acks: -1,
      messages: [{ key: message.pathwayId, value: JSON.stringify(message) }],
    });
  } finally {
    await producer.disconnect();
  }
  console.log(`sent ${message.command ?? 'answer'} for ${message.pathwayId} as message ${message.messageId}`);
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
