import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { admission, jointAssessment } from './support/fixtures';
import { exclusive } from './support/exclusive';
import { positionGroupAtEnd } from './support/kafka';
import { inboundTopics, topics } from '../kafka/topics';
import { testSecrets } from './support/secrets';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { runCommand } from './support/spawn';
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
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '..', 'docs', 'examples', 'agency-consumer', 'consumer.js')],
      {
        env: {
          ...process.env,
          AGENCY: 'equipment',
          KAFKA_BROKERS: inject('kafkaBrokers'),
          KAFKA_USERNAME: username,
          KAFKA_PASSWORD: password,
          KAFKA_GROUP: group,
          ONLY_PATHWAY: id,
        },
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually(
        async () => output,
        (o) => o.includes('listening on'),
        60_000,
      );
      await system.call('POST', '/pathways', body);
      await system.call('POST', `/pathways/${id}/assessment`, {
        ...jointAssessment,
        pathway: 'P1',
        needs: ['equipment'],
      });
      const view = await eventually(
        () => system.call('GET', `/pathways/${id}`),
        (r) => r.body.state?.referrals?.[0]?.status === 'accepted',
        45_000,
      );
      expect(
        view.body.timeline.find((e: { event: { type: string } }) => e.event.type === 'referral.accepted').actor,
      ).toMatchObject({ role: 'agency', agency: 'equipment' });
      await eventually(
        async () => output,
        (o) => o.includes(`${id} #`) && o.includes('referral.accepted'),
        30_000,
      );
      expect(output).toContain('answered ref-1: accepted');
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);

  it('the write-back walkthrough: the reablement provider’s review sent with send.js, then sent again as a retry (same message id), is recorded once', async () => {
    const { username, password } = testSecrets().kafka['agency-intermediate-care'];
    const send = (file: string, pathwayId: string) =>
      runCommand(
        process.execPath,
        [path.join(__dirname, '..', 'docs', 'examples', 'agency-write-back', 'send.js'), file, pathwayId],
        {
          AGENCY: 'intermediate-care',
          KAFKA_BROKERS: inject('kafkaBrokers'),
          KAFKA_USERNAME: username,
          KAFKA_PASSWORD: password,
        },
      );
    // A P1 stay discharged today with reablement ready: the provider's episode is under way.
    const today = new Date().toISOString().slice(0, 10);
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    await system.call('POST', '/pathways', body);
    await system.call('POST', `/pathways/${id}/discharge-ready`, { date: today });
    await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement'],
    });
    await system.call('POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'ready',
      readyFrom: today,
    });
    await system.call('POST', `/pathways/${id}/discharge`, { date: today, destination: 'usual-residence' });
    await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.stage === 'intermediate_care',
    );
    const reviews = async () =>
      (
        (await system.call('GET', `/pathways/${id}`)).body.timeline as {
          event: { type: string; goals?: string[] };
          actor?: { agency?: string };
        }[]
      ).filter((e) => e.event.type === 'review.recorded');

    // The guide's example message as it is (a fresh message id each time it is sent).
    const example = path.join(__dirname, '..', 'docs', 'examples', 'agency-messages', 'episode-review.json');
    expect(await send(example, id)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^sent episode-review for ${id} as message [0-9a-f-]{36}\n$`)),
    });
    await eventually(reviews, (r) => r.length === 1, 30_000);
    // The agency's own message with its own id, sent, and sent again as a retry would.
    const retry = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'write-back-')), 'review.json');
    const messageId = `case-system-${randomUUID()}`;
    fs.writeFileSync(
      retry,
      JSON.stringify({ messageId, command: 'episode-review', outcome: 'continue', goals: ['Walk to the post box'] }),
    );
    expect(await send(retry, id)).toMatchObject({
      code: 0,
      stdout: `sent episode-review for ${id} as message ${messageId}\n`,
    });
    expect(await send(retry, id)).toMatchObject({ code: 0 });
    // One partition per pathway, in order: a later message's review recorded means the retry was handled.
    const last = path.join(path.dirname(retry), 'last.json');
    fs.writeFileSync(
      last,
      JSON.stringify({ command: 'episode-review', outcome: 'continue', goals: ['Walk to the park'] }),
    );
    expect(await send(last, id)).toMatchObject({ code: 0 });
    const recorded = await eventually(
      reviews,
      (r) => r.some((e) => e.event.goals?.includes('Walk to the park')),
      30_000,
    );
    expect(recorded.map((e) => e.event.goals)).toEqual([
      ['Make a hot drink and carry it to the lounge'],
      ['Walk to the post box'],
      ['Walk to the park'],
    ]);
    expect(recorded.every((e) => e.actor?.agency === 'intermediate-care')).toBe(true);
  }, 120_000);
});
