import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { payloadConverterPath } from '../codec/data-converter';
import { EncryptionCodec } from '../codec/encryption-codec';
import { loadConfig } from '../config';
import { inboundTopics } from '../kafka/topics';
import { admission, dayFromToday as day } from './support/fixtures';
import { exclusive } from './support/exclusive';
import { positionGroupAtEnd } from './support/kafka';
import { deployedExpressions, exported, scrape, selectedMetrics, type MetricFamily } from './support/prometheus';
import { apiOf, roleHarness, systemEnvironment } from './support/roles';
import { eventually, readModelFromNow } from './support/system';

// Each role's /metrics, scraped as Prometheus would and read by a real exposition parser.
const harness = roleHarness();

/** A counter's or gauge's series (the parser folds a histogram's series with labels together: read those by type only). */
const values = (family: MetricFamily | undefined) =>
  (family?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));

describe('metrics of every role', () => {
  it('each role exports its metrics in Prometheus’ format; the alert rules and the dashboard name only metrics that are exported', async () => {
    // A cache of one pathway: the second pathway's task evicts the first, whose next command replays it.
    const { env, token, taskQueue } = await systemEnvironment(harness, 'metrics', {
      HOMEWARD_WORKER_CACHED_PATHWAYS: '1',
    });
    env.HOMEWARD_PROJECTOR_GROUP = `homeward-projector-${env.TEMPORAL_TASK_QUEUE}`;
    await readModelFromNow(loadConfig(env));
    // Its bridges start at the inbound topics' end and take their turn: they would otherwise handle
    // (and dead-letter) the messages other files leave there.
    const release = await exclusive('inbound-bridges');
    harness.cleanup(async () => release());
    await positionGroupAtEnd(inject('kafkaBrokers'), env.HOMEWARD_INBOUND_GROUP!, inboundTopics());
    const [worker, projector, bridges, api] = await harness.processes.start(
      (['worker', 'projector', 'bridges', 'api'] as const).map((role) => ({ role, env })),
    );

    // A stay delayed since two days ago, through the API: workflow tasks, an activity, events projected.
    const call = apiOf(api, token);
    const body = admission({ site: 'METRICS-GEN' });
    const id = `pathway-${body.admissionId}`;
    expect((await call('POST', '/pathways', body)).status).toBe(201);
    const other = admission({ site: 'METRICS-GEN' });
    expect((await call('POST', '/pathways', other)).status).toBe(201);
    expect((await call('POST', `/pathways/${id}/discharge-ready`, { date: day(-2) })).status).toBe(200);
    // Commands to the two pathways in turn: with room for one, each finds the other in the cache.
    for (const target of [`pathway-${other.admissionId}`, id, `pathway-${other.admissionId}`]) {
      expect((await call('POST', `/pathways/${target}/expected-discharge-date`, { date: day(5) })).status).toBe(200);
    }
    expect((await call('GET', '/pathways/no-such-pathway')).status).toBe(404);
    // What the alerts watch for: a start under a codec key the worker lacks (its workflow task fails
    // until someone fixes the keys) and a start with no command proof (the workflow fails at once).
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    harness.cleanup(() => connection.close());
    const unknownKey = new Client({
      connection,
      dataConverter: {
        payloadConverterPath,
        payloadCodecs: [EncryptionCodec.fromSetting(`stray:${crypto.randomBytes(32).toString('base64')}`)],
      },
    });
    const undecodable = await unknownKey.workflow.start('dischargePathway', {
      taskQueue,
      workflowId: `metrics-stray-key-${taskQueue}`,
      args: [{}],
    });
    harness.cleanup(() => undecodable.terminate('test over'));
    await new Client({ connection }).workflow.start('dischargePathway', {
      taskQueue,
      workflowId: `metrics-unproven-${taskQueue}`,
      args: [{}],
    });

    const scrapes = {
      worker: await eventually(
        async () => {
          const families = await scrape(`${worker.started.healthUrl}/metrics`);
          // (Not the sticky-cache miss counter: the core counts a miss only when a task races an eviction.)
          const counted = [
            'temporal_workflow_task_execution_failed_total',
            'temporal_workflow_failed_total',
            'temporal_sticky_cache_total_forced_eviction_total',
            'homeward_events_published_total',
          ];
          // Which are still missing, for the message if they never come.
          return { families, missing: counted.filter((name) => values(families.get(name)).length === 0) };
        },
        ({ missing }) => missing.length === 0,
        30_000,
      ).then(({ families }) => families),
      bridges: await scrape(`${bridges.started.healthUrl}/metrics`),
      api: await scrape(`${api.started.url}/metrics`),
      apiHealthPort: await scrape(`${api.started.healthUrl}/metrics`),
      projector: await eventually(
        () => scrape(`${projector.started.healthUrl}/metrics`),
        (families) =>
          values(families.get('homeward_pathways_delayed_now')).some((m) => m.labels.site === 'METRICS-GEN'),
        30_000,
      ),
    };

    // Node's own, on every role.
    for (const families of Object.values(scrapes)) {
      for (const name of [
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_heap_size_used_bytes',
      ])
        expect(families.has(name), name).toBe(true);
    }
    // The Temporal SDK's, from the worker's core.
    for (const name of [
      'temporal_sticky_cache_size',
      'temporal_worker_task_slots_available',
      'temporal_workflow_task_schedule_to_start_latency_seconds',
      'temporal_workflow_task_replay_latency_seconds',
    ]) {
      expect(scrapes.worker.has(name), name).toBe(true);
    }
    expect(
      values(scrapes.worker.get('homeward_events_published_total')).some(
        (m) => m.labels.topic === 'homeward.pathway.events' && m.value >= 2,
      ),
    ).toBe(true);

    // HTTP by route pattern and status: the id of a pathway is never a label.
    const http = values(scrapes.api.get('homeward_http_requests_total'));
    expect(http).toEqual(
      expect.arrayContaining([
        { labels: { method: 'POST', route: '/pathways', status_code: '201' }, value: 2 },
        { labels: { method: 'POST', route: '/pathways/:id/:command', status_code: '200' }, value: 4 },
        { labels: { method: 'GET', route: '/pathways/:id', status_code: '404' }, value: 1 },
      ]),
    );
    // The read model's figures, counted by readmodel/figures.ts.
    expect(values(scrapes.projector.get('homeward_pathways_delayed_now'))).toContainEqual({
      labels: { site: 'METRICS-GEN' },
      value: 1,
    });
    expect(
      values(scrapes.projector.get('homeward_pathways_open')).reduce((open, m) => open + m.value, 0),
    ).toBeGreaterThanOrEqual(1);
    expect(values(scrapes.projector.get('homeward_projector_lag_messages')).length).toBeGreaterThan(0);
    expect(scrapes.api.get('homeward_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(scrapes.bridges.get('homeward_dlq_entries_total')?.type).toBe('COUNTER');
    expect(scrapes.bridges.has('homeward_inbound_consumer_lag_messages')).toBe(true);

    // No label anywhere carries a pathway's id, its admission id or anything of the patient.
    const labels = Object.values(scrapes).flatMap((families) =>
      [...families.values()].flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {}))),
    );
    for (const secret of [id, body.admissionId, body.patient.nhsNumber, body.patient.name])
      expect(labels.filter((value) => value.includes(secret))).toEqual([]);

    // Every metric deploy/'s alert rules and dashboard select is exported by some role.
    const all = new Map(Object.values(scrapes).flatMap((families) => [...families]));
    const used = deployedExpressions().flatMap(({ where, expr }) =>
      selectedMetrics(expr).map((name) => ({ where, name })),
    );
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter(({ name }) => !exported(all, name))).toEqual([]);
  }, 180_000);
});
