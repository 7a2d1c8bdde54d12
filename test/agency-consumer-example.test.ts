import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { admission, jointAssessment } from './support/fixtures';
import { exclusive } from './support/exclusive';
import { positionGroupAtEnd } from './support/kafka';
import { inboundTopics, topics } from '../kafka/topics';
import { testSecrets } from './support/secrets';
import { startInboundBridges, type RunningBridges } from '../workers/inbound';
import { eventually, startSystem } from './support/system';
import pino from 'pino';

// The guide's standalone consumer (plain JavaScript, only kafkajs), run as an agency would run it,
// against the real broker: it receives a referral and its answer takes effect.
let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
let release: () => void;
beforeAll(async () => {
  release = await exclusive('inbound-bridges');
  system = await startSystem();
  // Both consumers start at the topics' current end: only this test's messages concern them.
  const groupId = `homeward-example-${Date.now()}`;
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
  bridges = await startInboundBridges(system.config, pino({ level: 'silent' }), groupId);
});
afterAll(async () => {
  await Promise.resolve(bridges?.stop()).finally(() => release?.());
  await system?.stop();
});

describe('docs/examples/agency-consumer', () => {
  it('receives a referral and accepts it; the acceptance comes back as the echo', async () => {
    const { username, password } = testSecrets().kafka['agency-equipment'];
    const group = `homeward.agency.equipment.example-${Date.now()}`;
    await positionGroupAtEnd(inject('kafkaBrokers'), group, [topics.agencyEvents('equipment')]);
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    // Other files' pathways have equipment referrals too: this trial answers only its own.
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'docs', 'examples', 'agency-consumer', 'consumer.js')], {
      env: { ...process.env, AGENCY: 'equipment', KAFKA_BROKERS: inject('kafkaBrokers'), KAFKA_USERNAME: username, KAFKA_PASSWORD: password, KAFKA_GROUP: group, ONLY_PATHWAY: id },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually(async () => output, (o) => o.includes('listening on'), 60_000);
      await system.call('POST', '/pathways', body);
      await system.call('POST', `/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P1', needs: ['equipment'] });
      const view = await eventually(() => system.call('GET', `/pathways/${id}`), (r) => r.body.state?.referrals?.[0]?.status === 'accepted', 45_000);
      expect(view.body.timeline.find((e: { event: { type: string } }) => e.event.type === 'referral.accepted').actor).toMatchObject({ role: 'agency', agency: 'equipment' });
      await eventually(async () => output, (o) => o.includes(`${id} #`) && o.includes('referral.accepted'), 30_000);
      expect(output).toContain('answered ref-1: accepted');
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
