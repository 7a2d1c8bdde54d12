import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { normalisedPayload } from '../schemas/command-shapes';
import { commandSchemas, type CommandName } from '../schemas/commands';
import { workerTracing } from '../telemetry/temporal';
import { workflowBundle } from './support/temporal';

// Recorded histories of representative pathways (npm run record-histories) replayed against the
// current workflow code: a change that would alter a running pathway without patched() fails here.
const dir = path.join(__dirname, 'histories');
const histories = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
  }));

describe('replay of recorded pathway histories', () => {
  it("has the representative histories: P0, P1 goals met, six-week handover, escalation/decline/cancel, readmission, continue-as-new, actors; and under the documents' rules: home care without intermediate care, a handover accepted late, a best-interests decision; under rules 3: the criteria to reside met again while ready; signed commands, continued as new; under rules 4: a self-discharge, a support gap bridged, a refused housing referral with a carer not willing at first; under rules 5: the agencies writing back, an overdue review chased; under rules 6: a declined handover's episode extended, its review chased to the lead professional; with the OpenTelemetry workflow interceptors: a support gap bridged, always traced, and since tracing follows the start, started untraced and started inside a trace; a start's events published from its first task; a run continued as new at the history length its start set", () => {
    expect(histories.map((h) => h.workflowId).sort()).toEqual([
      'p0-continued-at-history-length',
      'p0-handed-back',
      'p0-housing-refused-carer',
      'p0-start-published-locally',
      'p1-actors',
      'p1-continued-as-new',
      'p1-criteria-to-reside-again',
      'p1-goals-met',
      'p1-handover-declined-extended',
      'p1-home-care-without-intermediate-care',
      'p1-living-assessment',
      'p1-reablement-handover-accepted-late',
      'p1-readmitted-day-29',
      'p1-self-discharge',
      'p1-signed-commands',
      'p1-signed-commands-continued',
      'p1-six-week-handover',
      'p1-support-gap-bridged',
      'p1-support-gap-bridged-traced',
      'p1-support-gap-bridged-traced-start',
      'p1-support-gap-bridged-untraced-start',
      'p2-escalation-decline-cancel',
      'p3-best-interests',
    ]);
    for (const { history } of histories) expect(history.events?.length).toBeGreaterThan(10);
  });

  it('gives the workflow every recorded Update exactly as zod parsed it when it was recorded (defaults, field order): the workflow no longer parses', () => {
    const updates = histories.flatMap(({ history }) =>
      (history.events ?? []).flatMap((event) => {
        const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
        const data = input?.args?.payloads?.[0]?.data;
        return input?.name && data
          ? [{ name: input.name as CommandName, payload: JSON.parse(Buffer.from(data).toString('utf8')) as unknown }]
          : [];
      }),
    );
    // Every kind recorded with defaults left out is among them: readmission, referral, review, assessment.
    expect(new Set(updates.map((u) => u.name))).toEqual(
      new Set([
        'expected-discharge-date',
        'discharge-ready',
        'criteria-to-reside-met',
        'assessment',
        'consent',
        'carer',
        'referral',
        'referral-response',
        'delay-reason',
        'discharge',
        'review',
        'readmission',
        'cancel',
        'support-started',
        'episode-review',
        'transition-plan',
        'funding-decision',
        'lead-professional',
        'extend-episode',
      ]),
    );
    for (const { name, payload } of updates) {
      expect(JSON.stringify(normalisedPayload(name, payload))).toBe(
        JSON.stringify(commandSchemas[name].parse(payload)),
      );
    }
  });

  it('traces a pathway started since tracing follows the start only when its start carried a trace context: its activities are then given it', () => {
    const activityHeaders = (workflowId: string) =>
      histories
        .find((h) => h.workflowId === workflowId)!
        .history.events!.flatMap((event) =>
          event.activityTaskScheduledEventAttributes
            ? [Object.keys(event.activityTaskScheduledEventAttributes.header?.fields ?? {})]
            : [],
        );
    const traced = activityHeaders('p1-support-gap-bridged-traced-start');
    const untraced = activityHeaders('p1-support-gap-bridged-untraced-start');
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.every((fields) => fields.includes('_tracer-data'))).toBe(true);
    expect(untraced.length).toBeGreaterThan(0);
    expect(untraced.every((fields) => fields.length === 0)).toBe(true);
  });

  it('replays every history deterministically with the current workflow code', async () => {
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: workflowBundle(), sinks: workerTracing('homeward-replay').sinks },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
