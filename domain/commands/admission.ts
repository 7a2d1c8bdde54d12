import { noFixedAbode } from '../../schemas/common';
import type { CommandOf } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { addDays, dateOf, daysBetween } from '../dates';
import { delayDaysUntil } from '../delay';
import type { Policy } from '../policy';
import { pathwayIdOf } from '../pathway-id';
import { reject } from '../rejection';
import {
  CONSENT_AGENCIES,
  criteriaToResideAgain,
  delayCountsFrom,
  isLive,
  residesAgain,
  rulesOf,
  safeForThePatient,
  type PathwayState,
} from '../state';
import { holdPackages, PRE_DISCHARGE, requireStage } from './shared';

// Admission to the day the patient no longer needs the bed; and a pathway cancelled.

export function startPathway(command: CommandOf<'start'>, state: PathwayState): PathwayEvent[] {
  if (state.stage !== 'none')
    return reject('duplicate', `the pathway for admission ${state.admissionId} has already started`);
  if (command.expectedDischargeDate && command.expectedDischargeDate < dateOf(command.admittedAt)) {
    reject('invalid', 'expectedDischargeDate: before admission');
  }
  const rules = rulesOf(state);
  return [
    {
      type: 'pathway.started',
      at: command.at,
      pathwayId: pathwayIdOf(command.admissionId),
      admissionId: command.admissionId,
      // A homeless patient admitted without an address is of no fixed abode, in the local authority's area.
      patient: { ...command.patient, address: command.patient.address ?? noFixedAbode(command.localAuthority) },
      site: command.site,
      localAuthority: command.localAuthority,
      region: command.region ?? 'england',
      ...(command.ward ? { ward: command.ward } : {}),
      admittedAt: command.admittedAt,
      expectedDischargeDate: command.expectedDischargeDate,
      consents: [...new Set(command.consents)],
      previousPathwayId: command.previousPathwayId,
      ...(safeForThePatient(state) && command.previousPathwayId && command.heldPackages?.length
        ? { heldPackages: command.heldPackages }
        : {}),
      // Recorded so every fold of the events (read models, agency views) knows the rules; rules 1 said nothing.
      ...(rules !== 1 ? { rules } : {}),
    },
  ];
}

export function setExpectedDischargeDate(
  command: CommandOf<'expected-discharge-date'>,
  state: PathwayState,
): PathwayEvent[] {
  requireStage(state, 'expected-discharge-date', PRE_DISCHARGE);
  return [{ type: 'edd.set', at: command.at, date: command.date }];
}

export function setDischargeReadyDate(
  command: CommandOf<'discharge-ready'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  requireStage(state, 'discharge-ready', PRE_DISCHARGE);
  if (state.drd)
    reject('duplicate', `a discharge ready date (${state.drd}) is already set; record criteria-to-reside-met first`);
  if (state.admittedAt && command.date < dateOf(state.admittedAt))
    reject('invalid', 'date: the discharge ready date is before admission');
  if (criteriaToResideAgain(state)) checkAfterLastEpisode(state, command.date);
  return [drdRecorded(command.date, command.at, policy)];
}

export function meetCriteriaToReside(
  command: CommandOf<'criteria-to-reside-met'>,
  state: PathwayState,
): PathwayEvent[] {
  requireStage(state, 'criteria-to-reside-met', PRE_DISCHARGE);
  if (!state.drd) return reject('not_allowed_in_stage', 'criteria-to-reside-met: no discharge ready date is set');
  const clearedOn = dateOf(command.at);
  const delayDays = delayDaysUntil(delayCountsFrom(state) ?? state.drd, clearedOn);
  return [{ type: 'discharge_ready.cleared', at: command.at, date: state.drd, clearedOn, delayDays }];
}

export function recordDelayReason(command: CommandOf<'delay-reason'>, state: PathwayState): PathwayEvent[] {
  requireStage(state, 'delay-reason', PRE_DISCHARGE);
  // Rules 4: housing and the voluntary sector act only when asked, with consent: never blamed otherwise.
  if (
    safeForThePatient(state) &&
    CONSENT_AGENCIES.includes(command.agency) &&
    !state.referrals.some((r) => r.agency === command.agency && isLive(r))
  ) {
    reject(
      'invalid',
      `agency: ${command.agency} has no referral on this pathway to act on; a delay is attributed to whom it waits on`,
    );
  }
  if (state.delayReasons.some((r) => r.code === command.code && r.agency === command.agency)) {
    reject('duplicate', `delay reason ${command.code} for ${command.agency} is already active`);
  }
  return [
    {
      type: 'delay_reason.recorded',
      at: command.at,
      code: command.code,
      agency: command.agency,
      ...(command.note ? { note: command.note } : {}),
    },
  ];
}

export function resolveDelayReason(command: CommandOf<'delay-reason-resolved'>, state: PathwayState): PathwayEvent[] {
  requireStage(state, 'delay-reason-resolved', PRE_DISCHARGE);
  if (!state.delayReasons.some((r) => r.code === command.code && r.agency === command.agency)) {
    reject('invalid', `no active delay reason ${command.code} for ${command.agency}`);
  }
  return [{ type: 'delay_reason.resolved', at: command.at, code: command.code, agency: command.agency }];
}

export function cancel(command: CommandOf<'cancel'>, state: PathwayState): PathwayEvent[] {
  if (command.reason === 'self_discharged' && safeForThePatient(state)) {
    reject(
      'invalid',
      'reason: a self-discharge is a discharge: record it with discharge (selfDischarge: true), so the 30-day readmission watch runs and the agencies still arranging support are told it is needed now',
    );
  }
  const at = command.at;
  return [
    ...holdPackages(state, at, 'cancelled'),
    ...(state.intermediateCare && !state.intermediateCare.ended
      ? [
          {
            type: 'intermediate_care.ended' as const,
            at,
            reason: 'cancelled' as const,
            days: daysBetween(state.intermediateCare.startDate, dateOf(at)),
          },
        ]
      : []),
    { type: 'pathway.cancelled', at, reason: command.reason },
  ];
}

/**
 * A new DRD starts counting delay where the last episode stopped (its `clearedOn`): dated earlier,
 * the days between would be counted in both episodes' bed-days lost.
 */
function checkAfterLastEpisode(state: PathwayState, date: string): void {
  const cleared = residesAgain(state);
  if (cleared && date < cleared.clearedOn) {
    reject(
      'invalid',
      `date: the discharge ready date ${date} is before ${cleared.clearedOn}, when the previous one (${cleared.from}) was cleared because the patient met the criteria to reside again`,
    );
  }
}

/** The DRD, and when policy allows planning days (Scotland), the day delay starts counting. */
function drdRecorded(date: string, at: string, policy: Policy): EventOf<'discharge_ready.recorded'> {
  // Policies carried over from before the allowance existed have no value: count from the DRD.
  const allowance = policy.delayAllowanceDays ?? 0;
  return allowance > 0
    ? { type: 'discharge_ready.recorded', at, date, countsFrom: addDays(date, allowance) }
    : { type: 'discharge_ready.recorded', at, date };
}
