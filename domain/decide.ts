import type { PathwayCommand } from '../schemas/commands';
import type { PathwayEvent } from '../schemas/events';
import {
  cancel,
  meetCriteriaToReside,
  recordDelayReason,
  resolveDelayReason,
  setDischargeReadyDate,
  setExpectedDischargeDate,
  startPathway,
} from './commands/admission';
import {
  assignLeadProfessional,
  extendEpisode,
  proposeTransitionPlan,
  readmit,
  recordEmergencyAttendance,
  recordSupportNotStarted,
  recordSupportStarted,
  review,
  reviewEpisode,
} from './commands/after-discharge';
import {
  assessCapacity,
  completeAssessment,
  recordCarer,
  recordConsent,
  recordHousingStatus,
} from './commands/assessment';
import { discharge } from './commands/discharge';
import { grantCarerAccess, recordAccessibleInformation, revokeCarerAccess } from './commands/plan-access';
import {
  decideFunding,
  moveStartDate,
  recordFunding,
  recordHousingOutcome,
  refer,
  respondToReferral,
} from './commands/referrals';
import { dueEvents } from './deadlines';
import { evolve } from './evolve';
import type { Policy } from './policy';
import { reject } from './rejection';
import { settle } from './settle';
import { isClosed, type PathwayState } from './state';

export { CommandRejected, type RejectionCode } from './rejection';
export { episodeProviders } from './commands/after-discharge';

/**
 * The pathway's rules: what a command means given the state so far. Pure; throws CommandRejected.
 * After the command's own events, follow-on events (ready for discharge, handback) are settled.
 * Each command's rules are in domain/commands/, by area; this only dispatches.
 */
export function decide(command: PathwayCommand, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (command.type === 'start') return startPathway(command, state);
  if (state.stage === 'none') return reject('not_started', `${command.type}: the pathway has not started`);
  if (isClosed(state)) return reject('closed', `${command.type}: the pathway is closed (${state.stage})`);
  const events = decideOn(command, state, policy);
  return [...events, ...settle(events.reduce(evolve, state), policy, command.at)];
}

function decideOn(
  command: Exclude<PathwayCommand, { type: 'start' }>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  switch (command.type) {
    case 'tick':
      return dueEvents(state, policy, command.at);
    case 'expected-discharge-date':
      return setExpectedDischargeDate(command, state);
    case 'discharge-ready':
      return setDischargeReadyDate(command, state, policy);
    case 'criteria-to-reside-met':
      return meetCriteriaToReside(command, state);
    case 'assessment':
      return completeAssessment(command, state, policy);
    case 'consent':
      return recordConsent(command, state, policy);
    case 'capacity':
      return assessCapacity(command, state);
    case 'housing-status':
      return recordHousingStatus(command, state, policy);
    case 'carer':
      return recordCarer(command, state, policy);
    case 'referral':
      return refer(command, state, policy);
    case 'referral-response':
      return respondToReferral(command, state, policy);
    case 'delay-reason':
      return recordDelayReason(command, state);
    case 'delay-reason-resolved':
      return resolveDelayReason(command, state);
    case 'discharge':
      return discharge(command, state, policy);
    case 'review':
      return review(command, state, policy);
    case 'readmission':
      return readmit(command, state);
    case 'funding':
      return recordFunding(command, state);
    case 'funding-decision':
      return decideFunding(command, state);
    case 'episode-review':
      return reviewEpisode(command, state, policy);
    case 'transition-plan':
      return proposeTransitionPlan(command, state);
    case 'support-started':
      return recordSupportStarted(command, state);
    case 'support-not-started':
      return recordSupportNotStarted(command, state);
    case 'housing-outcome':
      return recordHousingOutcome(command, state);
    case 'lead-professional':
      return assignLeadProfessional(command, state);
    case 'extend-episode':
      return extendEpisode(command, state, policy);
    case 'emergency-attendance':
      return recordEmergencyAttendance(command, state);
    case 'start-date-moved':
      return moveStartDate(command, state);
    case 'carer-access':
      return grantCarerAccess(command, state);
    case 'carer-access-revoked':
      return revokeCarerAccess(command, state);
    case 'accessible-information':
      return recordAccessibleInformation(command);
    case 'cancel':
      return cancel(command, state);
    default: {
      const unknown: never = command;
      return reject('invalid', `type: no such command ${(unknown as { type: string }).type}`);
    }
  }
}
