import {
  isIntermediateCare,
  serviceAgency,
  type Agency,
  type IntermediateCareService,
  type Service,
} from '../schemas/common';
import type { EventOf, PathwayEvent } from '../schemas/events';
import { addDays, dateOf, daysBetween, latest } from './dates';
import { evolve } from './evolve';
import { intermediateCareDaysFor, type Policy } from './policy';
import { requestReferral } from './referrals';
import {
  handoverUnderway,
  isLive,
  patientAtTheCentre,
  uncoveredHandover,
  type HandoverReason,
  type PathwayState,
} from './state';

/**
 * Rules 2: intermediate care is an episode only when intermediate-care services were arranged
 * (reablement, rehabilitation at home, a step-down bed). It starts on the day the first of them
 * starts (its readyFrom, never before the discharge) and lasts as long as its scheme allows.
 * Undefined when nothing was arranged, the episode has already started, or under rules 1 (where
 * every P1/P2 discharge started one at once).
 */
export function arrangedEpisode(
  state: PathwayState,
  policy: Policy,
): Omit<EventOf<'intermediate_care.started'>, 'type' | 'at'> | undefined {
  if (!patientAtTheCentre(state) || !state.discharge || state.intermediateCare) return undefined;
  const arranged = state.referrals.filter(
    (r) => r.status === 'ready' && r.purpose !== 'handover' && isIntermediateCare(r.service),
  );
  if (arranged.length === 0) return undefined;
  const services = [...new Set(arranged.map((r) => r.service as IntermediateCareService))];
  const firstStart = arranged.map((r) => r.readyFrom ?? state.discharge!.date).sort()[0];
  const startDate = firstStart > state.discharge.date ? firstStart : state.discharge.date;
  return {
    startDate,
    endBy: addDays(startDate, intermediateCareDaysFor(policy, services)),
    firstReviewDue: addDays(startDate, policy.reviewIntervalDays),
    services,
  };
}

/**
 * Long-term (means-tested) social care takes over when an episode reaches its limit and nobody
 * recorded which needs remain: social care assesses, and a review can still say none do.
 */
const DEFAULT_REMAINING_NEEDS: Service[] = ['domiciliary-care'];

/** The needs to hand over: those of a handover underway, else the latest transition plan a review recorded, else `otherwise`. */
export const remainingNeedsAt = (state: PathwayState, otherwise: Service[] = DEFAULT_REMAINING_NEEDS): Service[] =>
  handoverUnderway(state)?.services ?? state.intermediateCare?.remainingNeeds ?? otherwise;

/**
 * Rules 2: hands the episode over to the services that take over: one handover referral per
 * remaining need (with its deadlines, like any referral), withdrawing handover referrals no longer
 * needed. The episode stays open, awaiting handover, until they are ready. Nothing remaining: it ends.
 */
export function handOver(
  state: PathwayState,
  policy: Policy,
  at: string,
  reason: HandoverReason,
  services: Service[],
): PathwayEvent[] {
  const wanted = new Set(services);
  const events: PathwayEvent[] = withdrawnHandovers(state, at, wanted);
  if (wanted.size === 0) return [...events, ended(state, at, reason)];
  const to = [...new Set<Agency>([...[...wanted].map((service) => serviceAgency[service]), 'gp'])];
  events.push({ type: 'handover.long_term_services', at, reason, to, services: [...wanted] });
  let planned = events.reduce(evolve, state);
  for (const service of wanted) {
    if (planned.referrals.some((r) => r.purpose === 'handover' && r.service === service && isLive(r))) continue;
    const requested = requestReferral(planned, policy, service, 'handover', at, serviceAgency[service], 'handover');
    events.push(requested);
    planned = evolve(planned, requested);
  }
  return events;
}

/** The live handover referrals for services other than `kept` withdrawn: the plan changed. */
export const withdrawnHandovers = (
  state: PathwayState,
  at: string,
  kept: ReadonlySet<Service> = new Set(),
): PathwayEvent[] =>
  state.referrals
    .filter((r) => r.purpose === 'handover' && isLive(r) && !kept.has(r.service))
    .map((r) => ({
      type: 'referral.withdrawn' as const,
      at,
      referralId: r.referralId,
      agency: r.agency,
      reason: 'changed-plan' as const,
    }));

/** The day a handover is complete: every handover referral live is ready and nothing is uncovered; the latest start. */
export function handoverCompleteOn(state: PathwayState): string | undefined {
  if (!handoverUnderway(state) || uncoveredHandover(state).length > 0) return undefined;
  const live = state.referrals.filter((r) => r.purpose === 'handover' && isLive(r));
  if (live.length === 0 || live.some((r) => r.status !== 'ready')) return undefined;
  // A ready referral always has its readyFrom.
  return latest(live.map((r) => r.readyFrom));
}

/** Intermediate care is over: none arranged, or its episode has ended. */
export const intermediateCareOver = (state: PathwayState, policy: Policy): boolean =>
  (!state.intermediateCare || state.intermediateCare.ended !== undefined) &&
  arrangedEpisode(state, policy) === undefined;

/**
 * Follow-on events of intermediate care at `at` (rules 2): the arranged episode starts on its day;
 * a handover once complete ends the episode.
 */
export function intermediateCareFollowOn(state: PathwayState, policy: Policy, at: string): PathwayEvent | undefined {
  const episode = arrangedEpisode(state, policy);
  if (episode && episode.startDate <= dateOf(at)) return { type: 'intermediate_care.started', at, ...episode };
  const complete = handoverCompleteOn(state);
  if (complete && complete <= dateOf(at)) return ended(state, at, handoverUnderway(state)!.reason);
  return undefined;
}

function ended(state: PathwayState, at: string, reason: HandoverReason): EventOf<'intermediate_care.ended'> {
  return {
    type: 'intermediate_care.ended',
    at,
    reason,
    days: daysBetween(state.intermediateCare!.startDate, dateOf(at)),
  };
}
