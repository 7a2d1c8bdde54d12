import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, it } from 'vitest';
import { PathwayTestEnv, type Pathway } from '../support/pathway-env';

/**
 * Records representative pathway histories for the replay test (`npm run record-histories`).
 * Re-record only on purpose: the committed histories are what running pathways look like, and a
 * workflow change that cannot replay them needs `patched()` instead.
 */
let t: PathwayTestEnv;
beforeAll(async () => {
  t = await PathwayTestEnv.create();
});
afterAll(async () => {
  await t?.teardown();
});

const team = [{ role: 'nurse' }, { role: 'patient' }];

async function save(name: string, pathway: Pathway) {
  await pathway.handle.result().catch(() => undefined);
  const history = await pathway.handle.fetchHistory();
  // protobufjs' own JSON form: read back with History.fromObject by the replay test.
  const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String });
  fs.writeFileSync(path.join(__dirname, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
}

async function readyP1(options: Parameters<PathwayTestEnv['start']>[1] = {}): Promise<Pathway> {
  const pathway = await t.start({}, options);
  await pathway.command('discharge-ready', { date: await t.today(-1) });
  await pathway.command('assessment', { participants: team, pathway: 'P1', needs: ['reablement', 'equipment'] });
  await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'accepted' });
  await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
  await pathway.command('referral-response', { referralId: 'ref-2', agency: 'equipment', response: 'ready' });
  return pathway;
}

it('records histories', async () => {
  const p0 = await t.start({}, { workflowId: 'pathway-history-p0' });
  await pathway0(p0);
  await save('p0-handed-back', p0);

  const goalsMet = await readyP1({ workflowId: 'pathway-history-p1-goals-met' });
  await goalsMet.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await t.sleep('8 days');
  await goalsMet.command('review', { outcome: 'continue' });
  await t.sleep('10 days');
  await goalsMet.command('review', { outcome: 'goals_met' });
  await save('p1-goals-met', goalsMet);

  const sixWeeks = await readyP1({ workflowId: 'pathway-history-p1-six-weeks' });
  await sixWeeks.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await save('p1-six-week-handover', sixWeeks);

  const escalated = await t.start({}, { workflowId: 'pathway-history-escalation-decline' });
  await escalated.command('assessment', { participants: team, pathway: 'P2', needs: ['step-down-bed'] });
  await t.sleep('50 hours');
  await escalated.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'declined' });
  await escalated.command('referral', { service: 'step-down-bed' });
  await escalated.command('referral-response', { referralId: 'ref-2', agency: 'intermediate-care', response: 'ready' });
  await escalated.command('cancel', { reason: 'transferred' });
  await save('p2-escalation-decline-cancel', escalated);

  const readmitted = await readyP1({ workflowId: 'pathway-history-readmitted' });
  await readmitted.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await t.sleep('29 days');
  await readmitted.command('readmission', { newAdmissionId: 'HIST-R', admittedOn: await t.today() });
  await save('p1-readmitted-day-29', readmitted);

  const continued = await readyP1({ workflowId: 'pathway-history-continue-as-new', continueAsNewAfter: 8 });
  await continued.command('delay-reason', { code: 'awaiting_transport', agency: 'acute-trust' });
  await continued.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await save('p1-continued-as-new', continued);
});

async function pathway0(p0: Pathway) {
  await p0.command('expected-discharge-date', { date: await t.today(2) });
  await p0.command('discharge-ready', { date: await t.today(-2) });
  await p0.command('criteria-to-reside-met');
  await p0.command('discharge-ready', { date: await t.today() });
  await p0.command('assessment', { participants: team, pathway: 'P0', needs: [] });
  await p0.command('discharge', { date: await t.today(), destination: 'usual-residence' });
}
