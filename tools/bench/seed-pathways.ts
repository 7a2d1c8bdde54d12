import { route } from '../../kafka/envelopes';
import { decide, evolve, initialState, pathwayIdOf, resolvePolicy, type PathwayState } from '../../domain';
import { topics } from '../../kafka/topics';
import type { OutboundMessage } from '../../kafka/publisher';
import type { Actor } from '../../schemas/actor';
import { commandSchemas, type CommandName, type PathwayCommand } from '../../schemas/commands';
import type { DelayReasonCode, Service } from '../../schemas/common';
import { admission, nhsNumber } from '../fixtures';
import type { RecordedPathwayEvent } from '../../workflows/definitions';
import { routingContext } from '../../workflows/routing-context';

/** Sites and the local authority each discharges to, as a mid-sized region has them. */
export const seedSites: { site: string; localAuthority: string }[] = [
  { site: 'LEEDS-GEN', localAuthority: 'Leeds' },
  { site: 'ST-JAMES', localAuthority: 'Leeds' },
  { site: 'BRADFORD-RI', localAuthority: 'Bradford' },
  { site: 'AIREDALE', localAuthority: 'Bradford' },
  { site: 'PINDERFIELDS', localAuthority: 'Wakefield' },
  { site: 'HUDDERSFIELD', localAuthority: 'Kirklees' },
];

/** Reasons a ward records by hand while the patient waits for a decision (the rest are derived from referrals). */
const wardReasons: { code: DelayReasonCode; agency: 'acute-trust' | 'social-care' | 'community-health' }[] = [
  { code: 'awaiting_medical_decision', agency: 'acute-trust' },
  { code: 'awaiting_therapy_decision', agency: 'acute-trust' },
  { code: 'awaiting_diagnostics', agency: 'acute-trust' },
  { code: 'awaiting_medicines_tto', agency: 'acute-trust' },
  { code: 'awaiting_transport', agency: 'acute-trust' },
  { code: 'family_not_in_agreement', agency: 'social-care' },
  { code: 'safeguarding_court_of_protection', agency: 'social-care' },
  { code: 'awaiting_referral_to_hub', agency: 'community-health' },
];

const p1Needs: Service[][] = [
  ['reablement'],
  ['reablement', 'equipment'],
  ['domiciliary-care'],
  ['reablement', 'district-nursing'],
  ['rehabilitation-at-home', 'equipment', 'minor-adaptations'],
];
const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];
const nurse: Actor = { subject: 'bench-nurse', role: 'discharge-team' };
const timer: Actor = { subject: 'timer', role: 'system' };

/** A small seeded generator (mulberry32): the same N pathways every run, so two runs seed alike. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededPathway {
  pathwayId: string;
  /** The stage its events end in (for the phase's notes and its spec). */
  stage: string;
  events: RecordedPathwayEvent[];
  /** Exactly what the workflow's publishing activity sends to homeward.pathway.events for these events. */
  messages: OutboundMessage[];
}

/**
 * The `index`-th pathway of a realistic mix, its events made by the domain's own decider from
 * commands a ward, agencies and the workflow's timer would give (times in the past, ending
 * `now`): about 15% just admitted, 15% discharge ready and waiting (some with ward-recorded
 * reasons), 20% assessed and arranging referrals (a third of them past a deadline and escalated:
 * stuck), 25% discharged and still watched, 20% handed back, 5% cancelled. Pathways P0–P3 at
 * roughly England's shares; several sites and local authorities.
 */
export function seedPathway(run: string, index: number, now = Date.now()): SeededPathway {
  const rnd = random(index * 7919 + 17);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const policy = resolvePolicy('england');
  const admissionId = `B${run}x${index}`;
  const pathwayId = pathwayIdOf(admissionId);
  const { site, localAuthority } = seedSites[index % seedSites.length];
  const kind = rnd();
  // Closed stays are older: they went through the 30-day watch.
  const ageDays = kind >= 0.75 ? 45 + Math.floor(rnd() * 60) : 1 + Math.floor(rnd() * 30);
  let clock = now - ageDays * 86_400_000;
  const at = (hoursLater: number) => {
    clock = Math.min(now, clock + hoursLater * 3_600_000);
    return new Date(clock).toISOString();
  };
  const dateAt = (iso: string) => iso.slice(0, 10);

  let state: PathwayState = initialState;
  let sequence = 0;
  const events: RecordedPathwayEvent[] = [];
  const messages: OutboundMessage[] = [];
  const apply = (command: PathwayCommand, actor: Actor) => {
    for (const event of decide(command, state, policy)) {
      state = evolve(state, event);
      const recorded = { sequence: ++sequence, event, actor };
      events.push(recorded);
      messages.push(
        ...route(pathwayId, recorded, routingContext(state)).filter((m) => m.topic === topics.pathwayEvents),
      );
    }
  };
  const run_ = (name: CommandName, payload: unknown, hoursLater: number, actor: Actor = nurse) =>
    apply(
      { ...(commandSchemas[name].parse(payload) as object), type: name, at: at(hoursLater) } as PathwayCommand,
      actor,
    );
  const tick = (hoursLater: number) => apply({ type: 'tick', at: at(hoursLater) }, timer);

  const admittedAt = at(0);
  apply(
    {
      ...admission({
        admissionId,
        site,
        localAuthority,
        admittedAt,
        patient: { ...admission().patient, nhsNumber: nhsNumber(index * 31 + 7) },
      }),
      type: 'start',
      at: admittedAt,
    } as PathwayCommand,
    nurse,
  );
  if (rnd() < 0.6)
    run_(
      'expected-discharge-date',
      { date: dateAt(new Date(clock + (3 + Math.floor(rnd() * 10)) * 86_400_000).toISOString()) },
      2,
    );
  if (kind < 0.15) return { pathwayId, stage: state.stage, events, messages };

  const waitedHours = 24 + rnd() * 48;
  run_('discharge-ready', { date: dateAt(at(waitedHours)) }, 1);
  if (kind < 0.3) {
    if (rnd() < 0.7) {
      const first = pick(wardReasons);
      run_('delay-reason', first, 4);
      const second = pick(wardReasons);
      if (second.code !== first.code && rnd() < 0.3) run_('delay-reason', second, 12);
    }
    return { pathwayId, stage: state.stage, events, messages };
  }

  const share = rnd();
  const pathway = share < 0.5 ? 'P0' : share < 0.95 ? 'P1' : share < 0.99 ? 'P2' : 'P3';
  const needs =
    pathway === 'P0'
      ? []
      : pathway === 'P1'
        ? pick(p1Needs)
        : pathway === 'P2'
          ? ['step-down-bed']
          : ['care-home-placement'];
  run_('assessment', { participants: team, agreement: { patient: 'agrees' }, pathway, needs }, 6 + rnd() * 24);
  if (kind < 0.5 && pathway !== 'P0') {
    // Arranging: some referrals answered, and a third past their deadline (the timer escalated them).
    const referrals = state.referrals;
    if (rnd() < 0.5)
      run_(
        'referral-response',
        { referralId: referrals[0].referralId, agency: referrals[0].agency, response: 'accepted' },
        8,
        { subject: 'bench-agency', role: 'agency', agency: referrals[0].agency },
      );
    if (rnd() < 0.33) tick(72 + rnd() * 72);
    return { pathwayId, stage: state.stage, events, messages };
  }
  for (const referral of state.referrals) {
    const agency: Actor = { subject: 'bench-agency', role: 'agency', agency: referral.agency };
    run_(
      'referral-response',
      { referralId: referral.referralId, agency: referral.agency, response: 'accepted' },
      4 + rnd() * 20,
      agency,
    );
    run_(
      'referral-response',
      { referralId: referral.referralId, agency: referral.agency, response: 'ready' },
      4 + rnd() * 40,
      agency,
    );
  }
  if (kind >= 0.95) {
    run_('cancel', { reason: pick(['died', 'transferred', 'other']) }, 6);
    return { pathwayId, stage: state.stage, events, messages };
  }
  const dischargedAt = at(2 + rnd() * 20);
  const destination = pathway === 'P2' ? 'community-bed' : pathway === 'P3' ? 'care-home' : 'usual-residence';
  run_('discharge', { date: dateAt(dischargedAt), destination }, 0);
  if (kind < 0.75) return { pathwayId, stage: state.stage, events, messages };
  // Handed back: intermediate care ends with its goals met, then the 30-day watch expires.
  if (state.intermediateCare && !state.intermediateCare.ended)
    run_('review', { outcome: 'goals_met' }, 24 * (5 + rnd() * 9));
  clock = Date.parse(dischargedAt);
  tick(24 * 31);
  return { pathwayId, stage: state.stage, events, messages };
}
