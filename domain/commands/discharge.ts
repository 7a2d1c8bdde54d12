import type { CommandOf } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { addDays, dateOf, daysBetween, latest } from '../dates';
import { delayDaysUntil, priorDelayDays } from '../delay';
import type { Policy } from '../policy';
import { requestReferral } from '../referrals';
import { reject } from '../rejection';
import {
  criteriaToResideAgain,
  delayCountsFrom,
  destinationsOf,
  holdsDischarge,
  isLive,
  patientAtTheCentre,
  reliesOnUnableCarer,
  residesAgain,
  safeForThePatient,
  uncoveredNeeds,
  wishesUnsettled,
  type PathwayState,
} from '../state';
import { missingConsent, resolved } from './shared';

// The discharge: when it may be recorded, what it fixes, and the safety net a self-discharge gets.

export function discharge(command: CommandOf<'discharge'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  // Said first: a second discharge (another date, say) has no referral or consent to wait for.
  if (state.discharge)
    return reject(
      'not_allowed_in_stage',
      `discharge: already recorded on ${state.discharge.date}; the pathway is in stage ${state.stage}`,
    );
  if (command.selfDischarge) return selfDischarge(command, state, policy);
  if (state.stage !== 'ready_for_discharge') {
    const waiting = state.referrals
      .filter((r) => isLive(r) && holdsDischarge(r) && r.status !== 'ready')
      .map((r) => `${r.referralId} (${r.service}, ${r.status})`);
    const cleared = criteriaToResideAgain(state) ? residesAgain(state) : undefined;
    const why = cleared
      ? `the patient meets the criteria to reside again (the discharge ready date ${cleared.from} was cleared on ${cleared.clearedOn}); record discharge-ready first`
      : reliesOnUnableCarer(state)
        ? "the plan (P0, no new support) relies on a carer who is not willing or able; add support at a new joint assessment, or record the carer's changed position (carer)"
        : wishesUnsettled(state)
          ? `pathway ${state.assessment!.pathway} needs the patient's agreement, or a best-interests decision when they lack capacity for it: ${wishesUnsettled(state)}`
          : !state.assessment
            ? 'no joint assessment has agreed a pathway'
            : waiting.length
              ? `referrals not ready: ${waiting.join(', ')}`
              : missingConsent(state).length
                ? `consent required from: ${missingConsent(state).join(', ')}${safeForThePatient(state) ? " (record the patient's answer with consent: given, or not given when they refuse)" : ''}`
                : `needs without a live referral: ${uncoveredNeeds(state).join(', ')}`;
    return reject('not_allowed_in_stage', `discharge is not allowed in stage ${state.stage}: ${why}`);
  }
  const at = command.at;
  const pathway = state.assessment!.pathway;
  const rules4 = safeForThePatient(state);
  if (rules4 && !destinationsOf[pathway].includes(command.destination) && !command.departure) {
    reject(
      'invalid',
      `destination: pathway ${pathway} takes the person to ${destinationsOf[pathway].join(' or ')}, not ${command.destination}; give the reason to depart from it (departure)`,
    );
  }
  const events = dischargeRecorded(command, state, policy, rules4 ? supportGap(command, state) : undefined);
  // Rules 4: a safety and welfare check on the day the person goes home (P0 and P1).
  if (rules4 && (pathway === 'P0' || pathway === 'P1')) events.push(...welfareCheck(state, policy, at));
  // Rules 2 start intermediate care only when arranged, on its day (settle); rules 1 for every P1/P2.
  if (!patientAtTheCentre(state) && (pathway === 'P1' || pathway === 'P2')) {
    events.push({
      type: 'intermediate_care.started',
      at,
      startDate: command.date,
      endBy: addDays(command.date, policy.intermediateCareMaxDays),
      firstReviewDue: addDays(command.date, policy.reviewIntervalDays),
    });
  }
  return events;
}

type SupportGap = NonNullable<EventOf<'discharge.recorded'>['supportGap']>;

/**
 * Rules 4: services that start after the discharge date leave the person without them for a while.
 * Such a discharge needs a decision: a bridge (interim support: who, until at least the day before
 * the last of them starts) or the patient's informed choice; otherwise it is refused, naming each
 * service and its gap. A bridge or choice with no gap to decide on is refused too.
 */
function supportGap(command: CommandOf<'discharge'>, state: PathwayState): SupportGap | undefined {
  const { bridge, informedChoice } = command;
  const late = state.referrals.filter(
    (r) => holdsDischarge(r) && r.status === 'ready' && r.readyFrom !== undefined && r.readyFrom > command.date,
  );
  if (late.length === 0) {
    if (bridge || informedChoice)
      reject(
        'invalid',
        `${bridge ? 'bridge' : 'informedChoice'}: every service is in place by ${command.date}; there is no gap in support to decide on`,
      );
    return undefined;
  }
  const services = late.map((r) => ({
    referralId: r.referralId,
    service: r.service,
    startsOn: r.readyFrom!,
    days: daysBetween(command.date, r.readyFrom!),
  }));
  const named = services
    .map((s) => `${s.service} (${s.referralId}) starts on ${s.startsOn}, ${s.days} day(s) after`)
    .join('; ');
  if (!bridge && !informedChoice) {
    reject(
      'support_gap',
      `discharge on ${command.date} leaves the patient without support: ${named}; record a bridge (interim support: by whom, until when) or the patient's informed choice (informedChoice: true)`,
    );
  }
  const lastStart = latest(services.map((s) => s.startsOn))!;
  if (bridge && !informedChoice && bridge.until < addDays(lastStart, -1)) {
    reject(
      'invalid',
      `bridge.until: the bridge ends on ${bridge.until}, but support is not in place until ${lastStart}; it must last until at least ${addDays(lastStart, -1)}`,
    );
  }
  return { services, ...(bridge ? { bridge } : {}), ...(informedChoice ? { informedChoice: true as const } : {}) };
}

/** Rules 4: the welfare check the day the person goes home, to the agency the policy names; once. */
function welfareCheck(state: PathwayState, policy: Policy, at: string): PathwayEvent[] {
  if (state.referrals.some((r) => r.service === 'welfare-check' && isLive(r))) return [];
  // Policies carried over from before the setting have none: community health.
  const agency = policy.welfareCheckAgency ?? 'community-health';
  return [requestReferral(state, policy, 'welfare-check', 'welfare-check', at, agency, 'follow-up')];
}

/** The discharge and the 30-day watch from its date; the delay is fixed here, from the facts on record. */
function dischargeRecorded(
  command: CommandOf<'discharge'>,
  state: PathwayState,
  policy: Policy,
  gap?: SupportGap,
): PathwayEvent[] {
  const at = command.at;
  if (command.date > dateOf(at))
    reject('invalid', 'date: a discharge is recorded once it has happened, not in advance');
  if (state.admittedAt && command.date < dateOf(state.admittedAt)) reject('invalid', 'date: before admission');
  // Later queries read the days delayed from the event.
  const prior = priorDelayDays(state);
  const countsFrom = delayCountsFrom(state);
  const daysDelayed = countsFrom ? delayDaysUntil(countsFrom, command.date) : 0;
  const pathway = state.assessment?.pathway;
  return [
    {
      type: 'discharge.recorded',
      at,
      date: command.date,
      destination: command.destination,
      ...(pathway ? { pathway } : {}),
      daysDelayed,
      bedDaysLost: prior + daysDelayed,
      ...(command.departure && safeForThePatient(state) ? { departure: command.departure } : {}),
      ...(command.selfDischarge ? { selfDischarge: true as const } : {}),
      ...(gap ? { supportGap: gap } : {}),
    },
    {
      type: 'readmission_watch.started',
      at,
      from: command.date,
      until: addDays(command.date, policy.readmissionWatchDays),
    },
    // Rules 4: out of hospital, no delay reason stands (and none can be resolved by hand any more).
    ...(safeForThePatient(state) ? resolved(state.delayReasons, at) : []),
  ];
}

/**
 * Rules 4: a self-discharge is a discharge, at any stage before one. The hospital stays responsible
 * for the person for 30 days, so the watch runs; nothing is put on hold: every package not yet in
 * place is still wanted, now urgently, and stays in play (answers, deadlines, escalations).
 */
function selfDischarge(command: CommandOf<'discharge'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (!safeForThePatient(state)) {
    return reject(
      'invalid',
      'selfDischarge: this pathway started under older rules, which record a self-discharge with cancel (self_discharged)',
    );
  }
  const events = dischargeRecorded(command, state, policy);
  for (const referral of state.referrals) {
    const inPlace = referral.status === 'ready' && (referral.readyFrom ?? command.date) <= command.date;
    if (holdsDischarge(referral) && isLive(referral) && !inPlace) {
      events.push({
        type: 'referral.urgent',
        at: command.at,
        referralId: referral.referralId,
        agency: referral.agency,
        reason: 'self_discharged',
        neededFrom: command.date,
      });
    }
  }
  // Whatever the plan was, someone checks on the person the day they leave.
  return [...events, ...welfareCheck(state, policy, command.at)];
}
