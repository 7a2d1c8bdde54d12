import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { admission } from '../../fixtures';
import { topics } from '../../../kafka/topics';
import type { CommandOutcome } from '../../../workflows/definitions';
import { Arrivals } from '../arrivals';
import { adminKafka, rawKafka } from '../kafka';
import { closedLoop, keptUp, openLoop } from '../load';
import { row, type Phase } from '../phase';
import { percentile, summarise } from '../stats';
import { eddBody } from './commands';

/** An agency's own topic: consent for social care changes, and social care is told. */
const agency = 'social-care';
const topic = topics.agencyEvents(agency);

interface Timing {
  sent: number;
  answered: number;
  id: string;
}

export const eventLagPhase: Phase = {
  name: 'event-lag',
  title: `Event lag: HTTP 200 → the event on ${topic}`,
  baseline: 'raw kafkajs: produce (acks=all) → the same consumer, same topic, rate and message size',
  async run({ system, sizes, cpu }) {
    const { http, worker } = await system.running();
    const run = randomUUID().slice(0, 6);
    const count = Math.max(1, Math.round(sizes.lagRate * sizes.lagSeconds));
    // Enough pathways that each gets its next command seconds after its last has answered.
    const pathways = Math.min(count, Math.max(20, Math.ceil(sizes.lagRate * 3)));
    const ids: string[] = [];
    await closedLoop('opening pathways', pathways, 10, async (i) => {
      ids[i] = (
        await http.post<{ pathwayId: string }>('/pathways', admission({ admissionId: `L${run}n${i}` }))
      ).pathwayId;
    });
    // Warm (connections, compiled code, the pathways in the worker's cache), then quiet, before the clock starts.
    await closedLoop('warm-up', pathways, 10, (i) =>
      http.post(`/pathways/${ids[i]}/expected-discharge-date`, eddBody(i)),
    );
    await system.settle([worker.pid]);
    // The admission fixture gives consent to every agency: the first change withdraws it.
    const consent = ids.map(() => true);
    const admin = adminKafka(system.config, system.secrets, 'bench-lag-admin');

    // One consumer for both sides: the same agency's client reads Homeward's events and the raw ones.
    const arrivals = await Arrivals.start(
      rawKafka(system.config, system.secrets, 'bench-agency'),
      admin,
      topic,
      `bench-lag-${run}`,
    );
    const homeward = await cpu.around('homeward', async () => {
      const { results: timings, seconds } = await openLoop(
        `commands at ${sizes.lagRate}/s`,
        count,
        sizes.lagRate,
        async (i): Promise<Timing> => {
          const p = i % pathways;
          const sent = performance.now();
          const outcome = await http.post<CommandOutcome>(`/pathways/${ids[p]}/consent`, {
            agency,
            given: !consent[p],
          });
          const answered = performance.now();
          consent[p] = !consent[p];
          const event = outcome.events.find((e) => e.type === 'consent.recorded');
          if (!event)
            throw new Error(
              `consent answered without a consent.recorded event: ${outcome.events.map((e) => e.type).join(', ')}`,
            );
          return { sent, answered, id: `${ids[p]}/${event.sequence}` };
        },
      );
      return { timings, seconds, arrived: await arrivals.waitFor(timings.map((t) => t.id)) };
    });
    const template = arrivals.lastValue ?? '{}';
    const producer = rawKafka(system.config, system.secrets, 'bench-raw-producer').producer();
    await producer.connect();
    await system.settle([worker.pid]);
    const baseline = await cpu.around('baseline', async () => {
      const { results: timings, seconds } = await openLoop(
        `raw produce at ${sizes.lagRate}/s`,
        count,
        sizes.lagRate,
        async (i): Promise<Timing> => {
          const id = `bench-raw-${run}/${i}`;
          const sent = performance.now();
          await producer.send({
            topic,
            acks: -1,
            messages: [{ key: `bench-raw-${i % pathways}`, value: template, headers: { ce_id: id } }],
          });
          return { sent, answered: performance.now(), id };
        },
      );
      return { timings, seconds, arrived: await arrivals.waitFor(timings.map((t) => t.id)) };
    });
    await producer.disconnect();
    await arrivals.stop();

    const lags = (side: typeof homeward, from: 'sent' | 'answered') =>
      side.timings.map((t, i) => side.arrived[i] - t[from]);
    const [h200, hSent, bAck, bSent] = [
      lags(homeward, 'answered'),
      lags(homeward, 'sent'),
      lags(baseline, 'answered'),
      lags(baseline, 'sent'),
    ];
    return {
      rows: [
        row('answered → on the topic, p50', 'ms', percentile(h200, 50), percentile(bAck, 50)),
        row('answered → on the topic, p95', 'ms', percentile(h200, 95), percentile(bAck, 95)),
        row('sent → on the topic, p50', 'ms', percentile(hSent, 50), percentile(bSent, 50)),
        row('sent → on the topic, p95', 'ms', percentile(hSent, 95), percentile(bSent, 95)),
      ],
      details: {
        rate: sizes.lagRate,
        count,
        messageBytes: Buffer.byteLength(template),
        homeward: { answeredToTopicMs: summarise(h200), sentToTopicMs: summarise(hSent) },
        baseline: { acknowledgedToTopicMs: summarise(bAck), sentToTopicMs: summarise(bSent) },
      },
      notes: [
        ...[keptUp('Homeward', count, sizes.lagRate, homeward.seconds)].filter((n) => n !== undefined),
        `${count} consent changes at ${sizes.lagRate}/s over ${pathways} pathways. "Answered" is Homeward's HTTP 200 and the raw producer's acknowledgement; Homeward answers before it publishes, so its lag holds the publishing activity.`,
      ],
    };
  },
};
