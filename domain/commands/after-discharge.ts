import type { z } from 'zod';
import { isIntermediateCare, type Agency, type Stage } from '../../schemas/common';
import type { CommandOf, NeedsNow as NeedsNowSchema } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { addDays, dateOf, daysBetween } from '../dates';
import { handover } from '../deadlines';
import { evolve } from '../evolve';
import { handOver, remainingNeedsAt, withdrawnHandovers } from '../intermediate-care';
import { intermediateCareDaysFor, type Policy } from '../policy';
import { pathwayIdOf } from '../pathway-id';
import { reject } from '../rejection';
import {
  handoverChoice,
  handoverUnderway,
  holdsDischarge,
  patientAtTheCentre,
  rulesOf,
  type IntermediateCare,
  type PathwayState,
  type Referral,
} from '../state';
import { ownReferral } from './referrals';
import { holdPackages, requireStage } from './shared';

// After the discharge: intermediate care and its reviews, support starting at home, and the 30-day readmission watch.

type NeedsNow = z.infer<typeof NeedsNowSchema>;

function reviewed(
  command: Omit<CommandOf<'review'>, 'type'> & { type: string },
  state: PathwayState,
  policy: Policy,
  needsNow?: NeedsNow,
): PathwayEvent[] {
  const ic = state.intermediateCare;
  if (state.stage !== 'intermediate_care' || !ic || ic.ended) {
    return reject('not_allowed_in_stage', `review is only allowed during intermediate care (stage is ${state.stage})`);
  }
  const at = command.at;
  const events: PathwayEvent[] = [
    {
      type: 'review.recorded',
      at,
      outcome: command.outcome,
      goals: command.goals,
      reviewNumber: ic.reviews + 1,
      nextReviewDue: addDays(dateOf(at), policy.reviewIntervalDays),
      ...(command.notes ? { notes: command.notes } : {}),
      ...(patientAtTheCentre(state) && command.remainingNeeds ? { remainingNeeds: command.remainingNeeds } : {}),
      ...(needsNow ? { needsNow } : {}),
    },
  ];
  if (patientAtTheCentre(state)) return [...events, ...reviewOutcome(command, events.reduce(evolve, state), policy)];
  const days = daysBetween(ic.startDate, dateOf(at));
  if (command.outcome === 'goals_met') events.push({ type: 'intermediate_care.ended', at, reason: 'goals_met', days });
  if (command.outcome === 'needs_long_term_support') {
    events.push(
      { type: 'intermediate_care.ended', at, reason: 'long_term_needs', days },
      handover(at, 'long_term_needs'),
    );
  }
  return events;
}

export const review = (command: CommandOf<'review'>, state: PathwayState, policy: Policy): PathwayEvent[] =>
  reviewed(command, state, policy);

/** The providing agency's review of its episode: a review, with what the person needs now. */
export function reviewEpisode(
  command: CommandOf<'episode-review'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  ownEpisode(state, command);
  const { agency: _agency, needsNow, ...rest } = command;
  return reviewed({ ...rest, type: 'review' }, state, policy, needsNow);
}

export function proposeTransitionPlan(command: CommandOf<'transition-plan'>, state: PathwayState): PathwayEvent[] {
  const episode = ownEpisode(state, command);
  if (handoverUnderway(state))
    reject(
      'not_allowed_in_stage',
      'transition-plan: the handover to long-term services is under way; a review re-plans it',
    );
  const remainingNeeds = [...new Set(command.remainingNeeds)];
  if (JSON.stringify(remainingNeeds) === JSON.stringify(episode.remainingNeeds))
    reject('duplicate', 'remainingNeeds: this transition plan is already recorded');
  return [
    {
      type: 'transition_plan.proposed',
      at: command.at,
      remainingNeeds,
      ...(command.notes ? { notes: command.notes } : {}),
    },
  ];
}

/**
 * Rules 6: the discharge team keeps the episode going to `until` instead of handing over now, the
 * choice a declined handover re-opens besides re-referring. A handover referral still standing is
 * withdrawn (the plan changed); at `until` the episode hands over again. No longer than the
 * longest episode of its services, counted from today.
 */
export function extendEpisode(
  command: CommandOf<'extend-episode'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  if (!handoverChoice(state)) {
    reject(
      'invalid',
      `extend-episode: this pathway started under older rules (${rulesOf(state)}), where the episode hands over at its end; re-refer after a decline`,
    );
  }
  const episode = state.intermediateCare;
  if (state.stage !== 'intermediate_care' || !episode || episode.ended) {
    return reject(
      'not_allowed_in_stage',
      `extend-episode: no intermediate-care episode is under way (stage is ${state.stage})`,
    );
  }
  const today = dateOf(command.at);
  if (command.until <= today) reject('invalid', `until: after today (${today})`);
  const longest = intermediateCareDaysFor(policy, episode.services ?? []);
  if (command.until > addDays(today, longest))
    reject('invalid', `until: at most ${longest} days from today (${addDays(today, longest)})`);
  if (!handoverUnderway(state) && command.until === episode.endBy)
    reject('duplicate', `until: the episode already runs to ${episode.endBy}`);
  return [
    ...withdrawnHandovers(state, command.at),
    { type: 'intermediate_care.extended', at: command.at, until: command.until, reason: command.reason },
  ];
}

export function recordSupportStarted(command: CommandOf<'support-started'>, state: PathwayState): PathwayEvent[] {
  const referral = supportArranged(state, command, command.startedOn, 'startedOn');
  if (referral.startedOn === command.startedOn)
    reject(
      'duplicate',
      `referral ${referral.referralId}: the support is already recorded as started on ${referral.startedOn}`,
    );
  if (referral.startedOn)
    reject(
      'invalid',
      `startedOn: the support of referral ${referral.referralId} is already recorded as started on ${referral.startedOn}`,
    );
  return [
    {
      type: 'support.started',
      at: command.at,
      referralId: referral.referralId,
      agency: referral.agency,
      service: referral.service,
      startedOn: command.startedOn,
    },
  ];
}

export function recordSupportNotStarted(
  command: CommandOf<'support-not-started'>,
  state: PathwayState,
): PathwayEvent[] {
  const referral = supportArranged(state, command, command.dueOn, 'dueOn');
  if (referral.startedOn)
    reject('invalid', `referral ${referral.referralId}: the support is recorded as started on ${referral.startedOn}`);
  if (referral.notStartedOn === command.dueOn)
    reject(
      'duplicate',
      `referral ${referral.referralId}: the visit due on ${command.dueOn} is already recorded as missed`,
    );
  const { dueOn, reason } = command;
  return [
    {
      type: 'support.not_started',
      at: command.at,
      referralId: referral.referralId,
      agency: referral.agency,
      service: referral.service,
      dueOn,
      reason,
    },
  ];
}

export function assignLeadProfessional(command: CommandOf<'lead-professional'>, state: PathwayState): PathwayEvent[] {
  // An episode's lead is named once it has started, until it ends.
  const episode = state.intermediateCare;
  if (command.scope === 'intermediate-care' && (!episode || episode.ended)) {
    reject('not_allowed_in_stage', 'lead-professional: intermediate-care has no episode under way to lead');
  }
  return [
    {
      type: 'lead_professional.assigned',
      at: command.at,
      scope: command.scope,
      role: command.role,
      team: command.team,
      ...(command.phone ? { phone: command.phone } : {}),
    },
  ];
}

export function recordEmergencyAttendance(
  command: CommandOf<'emergency-attendance'>,
  state: PathwayState,
): PathwayEvent[] {
  const dayOfWatch = dayOfWatchOn(state, 'emergency-attendance', command.attendedOn, 'attendedOn');
  if (command.attendedOn > dateOf(command.at))
    reject('invalid', 'attendedOn: an attendance is recorded once it has happened');
  return [{ type: 'emergency_attendance.recorded', at: command.at, attendedOn: command.attendedOn, dayOfWatch }];
}

/**
 * Rules 2: goals met with nothing remaining ends the episode; goals met with needs remaining, or
 * needs for long-term support, hand it over to the services that take over (a review while a
 * handover is underway re-plans it). `continue` only records the review.
 */
function reviewOutcome(
  command: Pick<CommandOf<'review'>, 'outcome' | 'remainingNeeds' | 'at'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  switch (command.outcome) {
    case 'continue':
      return [];
    case 'goals_met':
      return handOver(state, policy, command.at, 'goals_met', command.remainingNeeds ?? remainingNeedsAt(state, []));
    case 'needs_long_term_support': {
      const needs = command.remainingNeeds ?? remainingNeedsAt(state);
      if (needs.length === 0)
        reject(
          'invalid',
          'remainingNeeds: needs_long_term_support hands over at least one need (goals_met when none remain)',
        );
      return handOver(state, policy, command.at, 'long_term_needs', needs);
    }
  }
}

/** The day of the 30-day watch a date falls on (day 0 = the discharge), refusing one outside the running watch. */
function dayOfWatchOn(state: PathwayState, command: string, date: string, field: string): number {
  requireStage(state, command, watchStages);
  const watch = state.watch;
  if (!watch || watch.expired)
    return reject('not_allowed_in_stage', `${command}: the 30-day readmission watch has ended`);
  const day = daysBetween(watch.from, date);
  if (day < 0) reject('invalid', `${field}: before the discharge date`);
  const windowDays = daysBetween(watch.from, watch.until);
  if (day >= windowDays)
    reject('invalid', `${field}: day ${day} after discharge is outside the watch (days 0–${windowDays - 1})`);
  return day;
}

/** Only an emergency admission during the watch reopens the pathway: an elective one is a stay of its own. */
export const reopensPathway = (admission: { emergency: boolean }): boolean => admission.emergency;

/** The stages of the 30-day watch, when a readmission or an attendance is recorded. */
export const watchStages = ['discharged', 'intermediate_care', 'readmission_watch'] as const satisfies readonly Stage[];

export function readmit(command: CommandOf<'readmission'>, state: PathwayState): PathwayEvent[] {
  const day = dayOfWatchOn(state, 'readmission', command.admittedOn, 'admittedOn');
  if (!reopensPathway(command)) reject('invalid', 'emergency: only an emergency readmission reopens the pathway');
  const at = command.at;
  const events: PathwayEvent[] = [...holdPackages(state, at, 'readmitted')];
  const ic = state.intermediateCare;
  if (ic && !ic.ended)
    events.push({
      type: 'intermediate_care.ended',
      at,
      reason: 'readmitted',
      days: daysBetween(ic.startDate, dateOf(at)),
    });
  events.push({
    type: 'pathway.readmitted',
    at,
    newAdmissionId: command.newAdmissionId,
    linkedPathwayId: pathwayIdOf(command.newAdmissionId),
    admittedOn: command.admittedOn,
    dayOfWatch: day,
  });
  return events;
}

/** The agencies providing the episode: those whose intermediate-care package for the discharge is in place. */
export const episodeProviders = (state: PathwayState): Agency[] => [
  ...new Set(
    state.referrals
      .filter((r) => r.status === 'ready' && holdsDischarge(r) && isIntermediateCare(r.service))
      .map((r) => r.agency),
  ),
];

/** The intermediate-care episode under way, provided by the agency; another's is refused as if there were none (the application). */
function ownEpisode(state: PathwayState, command: { type: string; agency: Agency }): IntermediateCare {
  const episode = state.intermediateCare;
  if (state.stage !== 'intermediate_care' || !episode || episode.ended) {
    return reject('unknown_episode', `${command.type}: no intermediate-care episode is under way on this pathway`);
  }
  if (!episodeProviders(state).includes(command.agency)) {
    return reject(
      'wrong_agency',
      `${command.type}: the episode is provided by ${episodeProviders(state).join(', ')}, not ${command.agency}`,
    );
  }
  return episode;
}

/** The agency's own support arranged for after the discharge (in place from its day), and a day on or after the discharge, not in the future. */
function supportArranged(
  state: PathwayState,
  command: { type: string; at: string; referralId: string; agency: Agency },
  day: string,
  field: string,
): Referral {
  const referral = ownReferral(state, command);
  if (!state.discharge) return reject('not_allowed_in_stage', `${command.type}: the patient has not been discharged`);
  if (referral.status !== 'ready')
    reject(
      'not_allowed_in_stage',
      `referral ${referral.referralId} is ${referral.status}; only support in place (ready) starts`,
    );
  if (day < state.discharge.date) reject('invalid', `${field}: before the discharge on ${state.discharge.date}`);
  if (day > dateOf(command.at)) reject('invalid', `${field}: recorded once the day has come`);
  return referral;
}
