import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductionTemporal, type ProductionTemporal } from '../../tools/infra/temporal-server';
import { admission } from '../support/fixtures';
import { runDir } from '../support/global-setup';
import { eventually, startSystem } from '../support/system';

// The Temporal server killed (SIGKILL) and restarted under a small stream of commands: while it is
// down the API answers 503 with Retry-After at once, and every command it accepted, before or
// after, is in its pathway. A server of this file's own (same build, PostgreSQL, mTLS), so killing
// it disturbs no other test.
let dir: string;
let temporal: ProductionTemporal;
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  dir = runDir('homeward-outage-');
  temporal = await startProductionTemporal({ dir, say: () => {} });
  system = await startSystem({}, undefined, { temporalEnv: temporal.environment });
});
afterAll(async () => {
  await system?.stop();
  await temporal?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = (offset: number) => new Date(Date.UTC(2027, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

interface Sent {
  kind: 'start' | 'expected-discharge-date';
  pathwayId: string;
  date?: string;
  status: number;
  retryAfter: string | null;
  sentAt: number;
  answeredAt: number;
}

describe('production profile: the Temporal server killed and restarted under load', () => {
  it('answers 503 with Retry-After while it is down, and keeps every command it accepted', async () => {
    const lanes = await Promise.all(
      [0, 1, 2].map(async () => {
        const body = admission();
        expect((await system.call('POST', '/pathways', body)).status).toBe(201);
        return `pathway-${body.admissionId}`;
      }),
    );
    const sent: Sent[] = [];
    let sending = true;
    const send = async (kind: Sent['kind'], pathwayId: string, path: string, body: unknown, date?: string) => {
      const sentAt = performance.now();
      const response = await system.call('POST', path, body);
      sent.push({
        kind,
        pathwayId,
        date,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        sentAt,
        answeredAt: performance.now(),
      });
    };
    const commands = lanes.map(async (pathwayId, lane) => {
      // Each command a date of its own, so its event is found in the timeline by its date.
      for (let k = 0; sending; k++) {
        const date = day(lane * 1000 + k);
        await send(
          'expected-discharge-date',
          pathwayId,
          `/pathways/${pathwayId}/expected-discharge-date`,
          { date },
          date,
        );
        await sleep(150);
      }
    });
    const starts = (async () => {
      while (sending) {
        const body = admission();
        await send('start', `pathway-${body.admissionId}`, '/pathways', body);
        await sleep(400);
      }
    })();

    await sleep(2_000);
    const killedAt = performance.now();
    await temporal.stopServer('SIGKILL');
    const down = performance.now();
    await sleep(4_000);
    const restartAt = performance.now();
    await temporal.startServer();
    const up = performance.now();
    // Load goes on until commands are accepted again, and a little after.
    await eventually(
      async () => sent.filter((s) => s.sentAt > up && s.status === 200).length,
      (accepted) => accepted >= 3,
      60_000,
    );
    await sleep(1_000);
    sending = false;
    await Promise.all([...commands, starts]);

    const statuses = [...new Set(sent.map((s) => s.status))].sort();
    expect(
      statuses.every((status) => [200, 201, 503].includes(status)),
      `statuses ${statuses.join(', ')}`,
    ).toBe(true);
    const refused = sent.filter((s) => s.status === 503);
    // Sent after the kill and answered before the restart began: nothing to answer with but 503.
    const whileDown = sent.filter((s) => s.sentAt >= down && s.answeredAt <= restartAt);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.every((s) => s.status === 503)).toBe(true);
    for (const s of refused) expect(s.retryAfter).toMatch(/^\d+$/);
    // Not a hang: each refusal came within a few seconds.
    const slowestRefusal = Math.max(...refused.map((s) => s.answeredAt - s.sentAt));
    expect(slowestRefusal).toBeLessThan(5_000);

    // Every accepted command is in its pathway; a refused one may be too (the server may have
    // stored it as it died): counted, never assumed.
    const accepted = sent.filter((s) => s.status === 200 || s.status === 201);
    const timelines = new Map<string, { type: string; date?: string }[]>();
    for (const pathwayId of new Set(sent.map((s) => s.pathwayId))) {
      const read = await eventually(
        () => system.call('GET', `/pathways/${pathwayId}`),
        (r) => r.status === 200 || r.status === 404,
        30_000,
      );
      timelines.set(
        pathwayId,
        read.status === 200
          ? read.body.timeline.map((entry: { event: { type: string; date?: string } }) => entry.event)
          : [],
      );
    }
    const applied = (s: Sent) => {
      const events = timelines.get(s.pathwayId) ?? [];
      return s.kind === 'start'
        ? events.some((e) => e.type === 'pathway.started')
        : events.some((e) => e.type === 'edd.set' && e.date === s.date);
    };
    const missing = accepted.filter((s) => !applied(s));
    expect(missing).toEqual([]);
    const refusedButApplied = refused.filter(applied).length;
    const firstAfterRestart =
      Math.min(...sent.filter((s) => s.sentAt > up && s.status !== 503).map((s) => s.answeredAt)) - up;
    console.log(
      `Temporal server SIGKILLed under load, down ${((restartAt - killedAt) / 1000).toFixed(1)} s, restarted in ${((up - restartAt) / 1000).toFixed(1)} s: ` +
        `${sent.length} requests (${sent.filter((s) => s.kind === 'start').length} starts, ${sent.filter((s) => s.kind !== 'start').length} commands); ` +
        `${accepted.length} accepted, all ${accepted.length - missing.length} in their pathways; ${refused.length} answered 503 with Retry-After ` +
        `(${whileDown.length} while it was down; slowest ${Math.round(slowestRefusal)} ms; ${refusedButApplied} of the 503s applied anyway); ` +
        `first accepted ${Math.round(firstAfterRestart)} ms after the restart`,
    );
  });
});
