import type { EventOf, PathwayEvent } from '../schemas/events';
import { addDays, addHours, daysBetween, earliest, isAtOrAfter, latest, startOfDay } from './dates';
import { arrangedEpisode, handOver, handoverCompleteOn, remainingNeedsAt } from './intermediate-care';
import type { Policy } from './policy';
import {
  awaitingReReferral,
  beforeDischarge,
  handoverChoice,
  handoverUnderway,
  holdsDischarge,
  isClosed,
  livingAssessment,
  patientAtTheCentre,
  referralsInPlay,
  remindsThePatient,
  type PathwayState,
  type Referral,
} from './state';

type Escalation = { kind: 'acceptance' | 'readiness' | 'decline'; deadline: string; raised: number };

/**
 * The deadline a referral is currently held to, and how many escalations it has had for it. Rules
 * 4: a decline nobody has acted on is overdue from the moment it is recorded.
 */
function referralDeadline(state: PathwayState, referral: Referral): Escalation | undefined {
  if (awaitingReReferral(state, referral))
    return {
      kind: 'decline',
      deadline: referral.declinedAt ?? referral.requestedAt,
      raised: referral.escalated.decline ?? 0,
    };
  if (referral.status === 'requested')
    return { kind: 'acceptance', deadline: referral.acceptBy, raised: referral.escalated.acceptance };
  if (referral.status === 'accepted' && referral.readyBy) {
    return { kind: 'readiness', deadline: referral.readyBy, raised: referral.escalated.readiness };
  }
  return undefined;
}

/** When the next escalation of this referral falls: the deadline, then every repeat interval. */
const nextEscalationAt = (e: Escalation, policy: Policy) =>
  addHours(e.deadline, e.raised * policy.escalationRepeatHours);

/** A review due on a day is overdue once that whole day has passed. */
const reviewOverdueAt = (dueOn: string) => startOfDay(addDays(dueOn, 1));

/**
 * When the current review is next chased: once overdue; rules 5, again every escalation interval
 * until one is recorded. Undefined when told once already (older rules).
 */
function reviewChaseAt(state: PathwayState, policy: Policy): { at: string; level: number } | undefined {
  const ic = state.intermediateCare!;
  const overdueAt = reviewOverdueAt(ic.nextReviewDue);
  if (ic.overdueNotified !== ic.nextReviewDue) return { at: overdueAt, level: 1 };
  if (!livingAssessment(state)) return undefined;
  const raised = ic.overdueLevel ?? 1;
  return { at: addHours(overdueAt, raised * policy.escalationRepeatHours), level: raised + 1 };
}

/** Since when the current intermediate-care review has been overdue, once `review.overdue` said so. */
export function reviewOverdueSince(state: PathwayState): string | undefined {
  const ic = state.intermediateCare;
  return ic && !ic.ended && ic.overdueNotified === ic.nextReviewDue ? reviewOverdueAt(ic.nextReviewDue) : undefined;
}

/**
 * Rules 6: the support the patient went home with whose first visit they are still to be reminded
 * of: its day (its start, or the discharge when it was ready before), and when to remind them, the
 * start of the day before. Only support not yet started or missed, and only a day that was known
 * before it began: a start given, or a discharge recorded, on the day itself has nothing to remind
 * of. A moved start is reminded of again.
 */
function firstVisitReminders(state: PathwayState): { referral: Referral; on: string; at: string }[] {
  const discharge = state.discharge;
  if (!remindsThePatient(state) || !discharge || beforeDischarge(state)) return [];
  return state.referrals.flatMap((referral) => {
    if (
      !holdsDischarge(referral) ||
      referral.status !== 'ready' ||
      !referral.readyFrom ||
      referral.startedOn ||
      referral.notStartedOn
    )
      return [];
    const on = referral.readyFrom > discharge.date ? referral.readyFrom : discharge.date;
    const knownSince = latest([referral.readySince, discharge.recordedAt]);
    if (referral.remindedOf === on || !knownSince || isAtOrAfter(knownSince, startOfDay(on))) return [];
    return [{ referral, on, at: startOfDay(addDays(on, -1)) }];
  });
}

/** The earliest instant at which a `tick` would record something; undefined when nothing is pending. */
export function nextDeadline(state: PathwayState, policy: Policy): string | undefined {
  if (isClosed(state) || state.stage === 'none') return undefined;
  const candidates: (string | undefined)[] = [];
  for (const referral of referralsInPlay(state)) {
    const escalation = referralDeadline(state, referral);
    if (escalation) candidates.push(nextEscalationAt(escalation, policy));
  }
  const ic = state.intermediateCare;
  if (ic && !ic.ended) {
    // Past its limit an episode awaiting handover stays open until the handover is complete.
    if (!handoverUnderway(state)) candidates.push(startOfDay(ic.endBy));
    candidates.push(reviewChaseAt(state, policy)?.at);
  }
  // Intermediate care arranged for a later day starts then; a handover ready from a later day completes then.
  const episode = arrangedEpisode(state, policy);
  if (episode) candidates.push(startOfDay(episode.startDate));
  const handedOver = handoverCompleteOn(state);
  if (handedOver) candidates.push(startOfDay(handedOver));
  if (state.watch && !state.watch.expired) candidates.push(startOfDay(state.watch.until));
  candidates.push(...firstVisitReminders(state).map((reminder) => reminder.at));
  return earliest(candidates);
}

/** Everything due at `at`: escalations, overdue reviews, the six-week limit, the end of the watch, first visits due (intermediate care starting or ending on its day follows in decide's settle). */
export function dueEvents(state: PathwayState, policy: Policy, at: string): PathwayEvent[] {
  const events: PathwayEvent[] = [];
  for (const referral of referralsInPlay(state)) {
    const escalation = referralDeadline(state, referral);
    if (!escalation || !isAtOrAfter(at, escalation.deadline)) continue;
    // A late tick raises only the level now due, not every level it slept through.
    const level =
      Math.floor((Date.parse(at) - Date.parse(escalation.deadline)) / (policy.escalationRepeatHours * 3_600_000)) + 1;
    if (level > escalation.raised) {
      events.push({
        type: 'referral.escalated',
        at,
        referralId: referral.referralId,
        agency: referral.agency,
        kind: escalation.kind,
        level,
        overdueSince: escalation.deadline,
      });
    }
  }
  const ic = state.intermediateCare;
  if (ic && !ic.ended) {
    if (patientAtTheCentre(state) && !handoverUnderway(state) && isAtOrAfter(at, startOfDay(ic.endBy))) {
      // The limit with needs remaining: hand over, and stay open until the services taking over are ready.
      events.push(...handOver(state, policy, at, 'six_week_limit', remainingNeedsAt(state)));
    } else if (!patientAtTheCentre(state) && isAtOrAfter(at, startOfDay(ic.endBy))) {
      events.push({
        type: 'intermediate_care.ended',
        at,
        reason: 'six_week_limit',
        days: daysBetween(ic.startDate, ic.endBy),
      });
      events.push(handover(at, 'six_week_limit'));
    } else {
      const chase = reviewChaseAt(state, policy);
      if (chase && isAtOrAfter(at, chase.at)) {
        // A late tick chases at the level now due, not every level it slept through.
        const overdueFor = Date.parse(at) - Date.parse(reviewOverdueAt(ic.nextReviewDue));
        const level = Math.floor(overdueFor / (policy.escalationRepeatHours * 3_600_000)) + 1;
        // Rules 6: chased to the lead professional too, the episode's or else the pathway's.
        const lead = handoverChoice(state) ? (ic.lead ?? state.lead) : undefined;
        events.push({
          type: 'review.overdue',
          at,
          dueOn: ic.nextReviewDue,
          ...(livingAssessment(state) ? { level } : {}),
          ...(lead ? { leadProfessional: { role: lead.role, team: lead.team } } : {}),
        });
      }
    }
  }
  if (state.watch && !state.watch.expired && isAtOrAfter(at, startOfDay(state.watch.until))) {
    events.push({ type: 'readmission_watch.expired', at });
  }
  for (const { referral, on, at: remindAt } of firstVisitReminders(state)) {
    // Recorded even when a late tick finds the day already come (the notification then says nothing), so it is done once.
    if (isAtOrAfter(at, remindAt))
      events.push({
        type: 'support.first_visit_due',
        at,
        referralId: referral.referralId,
        agency: referral.agency,
        service: referral.service,
        on,
      });
  }
  return events;
}

/** Rules 1: the notice of a handover to long-term services, after the episode ended. */
export const handover = (
  at: string,
  reason: 'six_week_limit' | 'long_term_needs',
): EventOf<'handover.long_term_services'> => ({
  type: 'handover.long_term_services',
  at,
  reason,
  // Long-term (means-tested) social care and the GP take over.
  to: ['social-care', 'gp'],
});
