import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission } from '../support/fixtures';
import { PathwayTestEnv, type Pathway } from '../support/pathway-env';

// The worker preloads zod, the schemas and the domain into its shared V8 context
// (worker/workflow-bundle.ts): one instance of each module serves every cached pathway, so
// these pathways run side by side in one worker, through the same frozen modules.
let t: PathwayTestEnv;
beforeAll(async () => {
  t = await PathwayTestEnv.create();
});
afterAll(async () => {
  await t?.teardown();
});

const team = [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }];

async function updatesAccepted(pathway: Pathway): Promise<number> {
  const history = await pathway.handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length;
}

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause as { type?: string; message: string };
}

describe('pathways sharing the preloaded modules in one worker', () => {
  it("never see each other's state: patients, dates, referral numbering, consents and defaults stay their own", async () => {
    const a = await t.start({ patient: { ...admission().patient, name: 'Ada A' }, consents: [] });
    const b = await t.start({ patient: { ...admission().patient, name: 'Bea B' }, consents: [] });
    const [dayA, dayB] = [await t.today(-2), await t.today(-1)];
    await a.command('discharge-ready', { date: dayA });
    await b.command('discharge-ready', { date: dayB });
    // No consents sent: each gets its own default ([]), then A's is changed; B's must not be.
    await a.command('assessment', {
      participants: team,
      agreement: { patient: 'agrees' },
      pathway: 'P1',
      needs: ['reablement', 'equipment'],
    });
    await b.command('assessment', {
      participants: team,
      agreement: { patient: 'agrees' },
      pathway: 'P1',
      needs: ['domiciliary-care'],
    });
    await a.command('consent', { agency: 'equipment', given: true });

    const [viewA, viewB] = [await a.view(), await b.view()];
    expect(viewA.state.patient?.name).toBe('Ada A');
    expect(viewB.state.patient?.name).toBe('Bea B');
    expect(viewA.state.drd).toBe(dayA);
    expect(viewB.state.drd).toBe(dayB);
    expect(viewA.state.referrals.map((r) => [r.referralId, r.service])).toEqual([
      ['ref-1', 'reablement'],
      ['ref-2', 'equipment'],
    ]);
    expect(viewB.state.referrals.map((r) => [r.referralId, r.service])).toEqual([['ref-1', 'domiciliary-care']]);
    expect(viewA.state.consents.equipment).toBe(true);
    expect(viewB.state.consents.equipment).toBeUndefined();
    expect(viewA.timeline.map((entry) => entry.sequence)).toEqual(viewA.timeline.map((_, i) => i + 1));
    expect(viewB.timeline.map((entry) => entry.sequence)).toEqual(viewB.timeline.map((_, i) => i + 1));
  });

  it('refuses a malformed Update sent straight through a Temporal client, naming the field, without writing history or breaking the pathway', async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today(-1) });
    const accepted = await updatesAccepted(pathway);

    const cases: [Parameters<Pathway['command']>[0], unknown, string][] = [
      ['expected-discharge-date', { date: 20261124 }, 'date: expected string, received number'],
      ['expected-discharge-date', { date: '24/11/2026' }, 'date: not in the expected format'],
      ['expected-discharge-date', {}, 'date: required'],
      ['expected-discharge-date', { date: await t.today(3), colour: 'blue' }, 'colour: unknown field'],
      ['assessment', { participants: [{ role: 'wizard' }], pathway: 'P1' }, 'participants.0.role: expected one of'],
      ['assessment', { participants: [], pathway: 'P1' }, 'participants: at least 1 items'],
      ['review', 'continue', '(body): expected object, received string'],
      ['cancel', null, '(body): expected object, received null'],
    ];
    for (const [name, payload, message] of cases) {
      const cause = await refusal(pathway.command(name, payload as Record<string, unknown>));
      expect(cause.type, `${name} ${JSON.stringify(payload)}`).toBe('InvalidCommand');
      expect(cause.message).toContain(message);
    }
    // Well formed, refused by the rules: still no trace.
    const ruled = await refusal(
      pathway.command('referral-response', { referralId: 'ref-9', agency: 'housing', response: 'accepted' }),
    );
    expect(ruled.type).toBe('CommandRejected');

    expect(await updatesAccepted(pathway)).toBe(accepted);
    const after = await pathway.command('expected-discharge-date', { date: await t.today(3) });
    expect(after.events.map((e) => e.type)).toEqual(['edd.set']);
    const view = await pathway.view();
    expect(view.state.edd).toBe(await t.today(3));
    expect(view.timeline.map((entry) => entry.event.type)).toEqual([
      'pathway.started',
      'discharge_ready.recorded',
      'edd.set',
    ]);
  });
});
