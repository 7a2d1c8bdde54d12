import { randomUUID } from 'node:crypto';
import type { CommandName } from '../../schemas/commands';
import type { CommandOutcome, PathwayView } from '../../workflows/definitions';

/** A pathway on the time-skipping server, as a scenario drives it. */
export interface ScenarioPathway {
  command(name: CommandName, payload?: Record<string, unknown>): Promise<CommandOutcome>;
  view(): Promise<PathwayView>;
  /** Waits for the pathway to close; time skips meanwhile. */
  result(): Promise<PathwayView>;
}

export interface ScenarioDriver {
  start(): Promise<ScenarioPathway>;
  /** The server's date, `offsetDays` from now. */
  today(offsetDays?: number): Promise<string>;
  sleep(duration: string): Promise<void>;
}

export interface Scenario {
  /** The stage it ends in: a scenario that ends elsewhere did not measure what it says. */
  ends: string;
  run(d: ScenarioDriver): Promise<string>;
}

const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];
const agreement = { patient: 'agrees' };

async function readyP1(d: ScenarioDriver, needs = ['reablement']): Promise<ScenarioPathway> {
  const pathway = await d.start();
  await pathway.command('discharge-ready', { date: await d.today() });
  await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs });
  for (const referral of (await pathway.view()).state.referrals) {
    await pathway.command('referral-response', {
      referralId: referral.referralId,
      agency: referral.agency,
      response: 'ready',
    });
  }
  return pathway;
}

/**
 * The lifecycle scenarios of test/workflows/pathway-lifecycle.test.ts, as commands and waits
 * without the assertions (each is checked only by the stage it ends in). Keep them alike: the
 * benchmark times what the tests prove.
 */
export const scenarios: Record<string, Scenario> = {
  p0: {
    ends: 'handed_back',
    async run(d) {
      const pathway = await d.start();
      await pathway.command('discharge-ready', { date: await d.today() });
      await pathway.command('assessment', { participants: team, agreement, pathway: 'P0', needs: [] });
      await pathway.command('discharge', { date: await d.today(), destination: 'usual-residence' });
      return (await pathway.result()).stage;
    },
  },
  'p1-goals-met': {
    ends: 'handed_back',
    async run(d) {
      const pathway = await readyP1(d);
      await pathway.command('discharge', { date: await d.today(), destination: 'usual-residence' });
      for (const [days, outcome] of [
        ['7 days', 'continue'],
        ['7 days', 'continue'],
        ['5 days', 'goals_met'],
      ]) {
        await d.sleep(days);
        await pathway.command('review', { outcome });
      }
      return (await pathway.result()).stage;
    },
  },
  'p1-six-weeks': {
    ends: 'handed_back',
    async run(d) {
      const pathway = await readyP1(d, ['reablement', 'domiciliary-care']);
      await pathway.command('discharge', { date: await d.today(), destination: 'usual-residence' });
      for (let week = 1; week <= 5; week++) {
        await d.sleep('7 days');
        await pathway.command('review', { outcome: 'continue' });
      }
      // At the limit the episode hands over to long-term social care, which takes over late.
      await d.sleep('9 days');
      const handover = (await pathway.view()).state.referrals.find((r) => r.purpose === 'handover')!;
      await pathway.command('referral-response', {
        referralId: handover.referralId,
        agency: handover.agency,
        response: 'ready',
      });
      return (await pathway.result()).stage;
    },
  },
  'p2-step-down': {
    ends: 'handed_back',
    async run(d) {
      const pathway = await d.start();
      await pathway.command('discharge-ready', { date: await d.today() });
      await pathway.command('assessment', { participants: team, agreement, pathway: 'P2', needs: ['step-down-bed'] });
      await pathway.command('referral-response', {
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'accepted',
      });
      await d.sleep('2 days');
      await pathway.command('referral-response', {
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'ready',
      });
      await pathway.command('discharge', { date: await d.today(), destination: 'community-bed' });
      await d.sleep('10 days');
      await pathway.command('review', { outcome: 'goals_met' });
      return (await pathway.result()).stage;
    },
  },
  'p3-care-home': {
    ends: 'handed_back',
    async run(d) {
      const pathway = await d.start();
      await pathway.command('assessment', {
        participants: [{ role: 'social_worker' }, { role: 'nurse' }, { role: 'carer' }],
        patientAbsent: 'lacks_capacity',
        bestInterests: {
          representative: { role: 'attorney', name: 'Attorney Name' },
          decidedBy: 'social_worker',
          consulted: [{ relationship: 'family', name: 'Daughter Name' }],
        },
        agreement: { patient: 'agrees' },
        pathway: 'P3',
        needs: ['care-home-placement'],
      });
      await pathway.command('referral-response', { referralId: 'ref-1', agency: 'care-home', response: 'ready' });
      await pathway.command('discharge', { date: await d.today(), destination: 'care-home' });
      return (await pathway.result()).stage;
    },
  },
  'readmission-day-29': {
    ends: 'readmitted',
    async run(d) {
      const pathway = await readyP1(d);
      await pathway.command('discharge', { date: await d.today(), destination: 'usual-residence' });
      await d.sleep('29 days');
      await pathway.command('readmission', {
        newAdmissionId: `R${randomUUID().slice(0, 8)}`,
        admittedOn: await d.today(),
      });
      return (await pathway.result()).stage;
    },
  },
  escalation: {
    ends: 'ready_for_discharge',
    async run(d) {
      const pathway = await d.start();
      await pathway.command('discharge-ready', { date: await d.today() });
      await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['equipment'] });
      await d.sleep('25 hours');
      await d.sleep('24 hours');
      await pathway.command('referral-response', { referralId: 'ref-1', agency: 'equipment', response: 'ready' });
      await d.sleep('3 days');
      return (await pathway.view()).stage;
    },
  },
  cancel: {
    ends: 'cancelled',
    async run(d) {
      const pathway = await d.start();
      await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['reablement'] });
      await pathway.command('cancel', { reason: 'transferred' });
      return (await pathway.result()).stage;
    },
  },
};
