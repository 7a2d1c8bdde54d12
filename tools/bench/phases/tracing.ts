import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../infra/process';
import { HttpClient } from '../http';
import { closedLoop } from '../load';
import { loadDetails, loadRows, row, type Phase, type Row } from '../phase';
import { cpuSeconds } from '../proc';
import { eddBody, laneTargets, openPathways } from './commands';
import { warmUp } from './starts';

/**
 * An OTLP/HTTP endpoint that takes every export and keeps only a count: what tracing costs the
 * roles is the spans' making and sending, not a collector's work.
 */
async function otlpSink(): Promise<{
  url: string;
  received: () => { requests: number; bytes: number };
  close: () => Promise<void>;
}> {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      requests++;
      // An empty ExportTraceServiceResponse: every span accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const tracingPhase: Phase = {
  name: 'tracing',
  title: 'Tracing: POST /pathways/{id}/expected-discharge-date with OpenTelemetry on (OTLP/HTTP export)',
  baseline: 'the same commands to the same kind of API and worker with tracing off (the default), on the same servers',
  async run({ system, sizes, cpu }) {
    const { http: untraced, worker, api: untracedApi } = await system.running();
    const sink = await otlpSink();
    const port = await freePort();
    const taskQueue = `bench-traced-${randomUUID().slice(0, 6)}`;
    // The standard variables an operator sets; a batch exporter, as the SDK's default.
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      TEMPORAL_TASK_QUEUE: taskQueue,
    };
    const [api, tracedWorker] = await Promise.all([
      system.startChild('api traced', 'api.ts', {
        ...otel,
        HTTP_PORT: String(port),
        OTEL_SERVICE_NAME: 'homeward-api',
      }),
      system.startChild('worker traced', 'worker.ts', {
        ...otel,
        BENCH_WORKERS: 'pathway',
        OTEL_SERVICE_NAME: 'homeward-worker',
      }),
    ]);
    try {
      const traced = new HttpClient((api.ready as { url: string }).url, untraced.token);
      const run = randomUUID().slice(0, 6);
      const workflows = Math.max(Math.min(50, sizes.commands), ...sizes.concurrency);
      // Started through each API: a pathway is traced inside Temporal only if its start was.
      const tracedIds = await openPathways('opening traced pathways', traced, workflows, `T${run}`);
      const untracedIds = await openPathways('opening untraced pathways', untraced, workflows, `U${run}`);
      const rows: Row[] = [];
      const details: Record<string, unknown> = {};
      const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
      for (const concurrency of sizes.concurrency) {
        const tracedFor = laneTargets(tracedIds, concurrency);
        const untracedFor = laneTargets(untracedIds, concurrency);
        const tracedCommand = (i: number, lane: number) =>
          traced.post(`/pathways/${tracedFor(lane)}/expected-discharge-date`, eddBody(i));
        const untracedCommand = (i: number, lane: number) =>
          untraced.post(`/pathways/${untracedFor(lane)}/expected-discharge-date`, eddBody(i));
        const warm = warmUp(concurrency, sizes.commands);
        await closedLoop('warm-up', warm, concurrency, tracedCommand);
        await closedLoop('warm-up', warm, concurrency, untracedCommand);
        await system.settle([tracedWorker.pid, worker.pid]);
        const tracedPids = [api.pid, tracedWorker.pid];
        const untracedPids = [untracedApi.pid, worker.pid];
        const tracedCpu = cpuOf(tracedPids);
        const on = await cpu.around('homeward', () =>
          closedLoop(`traced commands, concurrency ${concurrency}`, sizes.commands, concurrency, tracedCommand),
        );
        await system.settle([tracedWorker.pid]);
        const tracedCpuMs = ((cpuOf(tracedPids) - tracedCpu) * 1000) / sizes.commands;
        const untracedCpu = cpuOf(untracedPids);
        const off = await cpu.around('baseline', () =>
          closedLoop(`untraced commands, concurrency ${concurrency}`, sizes.commands, concurrency, untracedCommand),
        );
        await system.settle([worker.pid]);
        const untracedCpuMs = ((cpuOf(untracedPids) - untracedCpu) * 1000) / sizes.commands;
        rows.push(...loadRows('commands', concurrency, on, off, [50, 95]));
        rows.push(row(`API + worker CPU per command, concurrency ${concurrency}`, 'ms', tracedCpuMs, untracedCpuMs));
        details[`concurrency ${concurrency}`] = {
          ...loadDetails(on, off),
          cpuPerCommandMs: { traced: tracedCpuMs, untraced: untracedCpuMs },
        };
      }
      const received = sink.received();
      return {
        rows,
        details: { ...details, otlp: received },
        notes: [
          `Traced: an API and a worker of their own with OTEL_EXPORTER_OTLP_ENDPOINT set, exporting to an OTLP/HTTP endpoint in the harness that keeps nothing (${received.requests} exports, ${Math.round(received.bytes / 1024)} KiB received); the pathways they command were started through the traced API, so the workflow's own spans are made too.`,
          `CPU per command counts the API's and the worker's processes, up to the worker going quiet after the last command (its publishing included); the Temporal server and Kafka are in the CPU table below.`,
        ],
      };
    } finally {
      await Promise.all([api.release(), tracedWorker.release()]);
      await sink.close();
    }
  },
};
