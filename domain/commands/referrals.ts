import { isFollowUp, type Agency, type Funding } from '../../schemas/common';
import type { CommandOf } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { dateOf } from '../dates';
import { impliedReason } from '../delay';
import type { Policy } from '../policy';
import { readyByOnAcceptance, requestReferral } from '../referrals';
import { reject } from '../rejection';
import {
  beforeDischarge,
  chcAfterDischarge,
  handoverUnderway,
  holdsDischarge,
  isLive,
  mayShareWith,
  referralsInPlay,
  safeForThePatient,
  type PathwayState,
  type Referral,
} from '../state';
import { PRE_DISCHARGE, requireStage, resolved } from './shared';

// Referrals to the agencies, their answers, and what an agency records on its own referral.

/**
 * Before the joint assessment a referral may go early (e.g. CHC or housing); the assessment then
 * adopts or withdraws it. After discharge (rules 2), a referral is a handover referral: a service
 * taking over from intermediate care that is handing over (say, re-referred after a decline).
 */
export function refer(command: CommandOf<'referral'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (isFollowUp(command.service) || (command.service === 'chc-assessment' && chcAfterDischarge(state)))
    return referFollowUp(command, state, policy);
  if (command.service === 'housing' && safeForThePatient(state) && !mayShareWith(state, 'housing')) {
    reject(
      'invalid',
      `service: housing is referred only with the person's consent (${state.consents.housing === false ? 'they refused it' : 'record it first with consent for housing'})`,
    );
  }
  const handingOver = !beforeDischarge(state) && handoverUnderway(state) !== undefined;
  // Rules 4: a package a self-discharged patient still waits for is re-referred after a decline.
  const leftWithout = !handingOver && safeForThePatient(state) && state.discharge?.selfDischarge === true;
  if (!handingOver && !leftWithout) requireStage(state, 'referral', PRE_DISCHARGE);
  const purpose = handingOver ? ('handover' as const) : undefined;
  const live = state.referrals.find((r) => r.service === command.service && r.purpose === purpose && isLive(r));
  if (live)
    reject(
      'duplicate',
      `service ${command.service} already has a live ${purpose ? 'handover ' : ''}referral ${live.referralId} (${live.status})`,
    );
  return [requestReferral(state, policy, command.service, command.reason, command.at, command.agency, purpose)];
}

/** Rules 4: support that follows the person (a welfare check declined, say) is referred again before or after the discharge. */
function referFollowUp(command: CommandOf<'referral'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (!safeForThePatient(state))
    return reject('invalid', `service: ${command.service} is not referred on pathways started under older rules`);
  const live = state.referrals.find((r) => r.service === command.service && isLive(r));
  if (live)
    reject('duplicate', `service ${command.service} already has a live referral ${live.referralId} (${live.status})`);
  return [requestReferral(state, policy, command.service, command.reason, command.at, command.agency, 'follow-up')];
}

export function respondToReferral(
  command: CommandOf<'referral-response'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  // After discharge only the referrals still in play are answered: the handover referrals of
  // intermediate care awaiting handover; under rules 4 also the packages a self-discharge left open.
  if (referralsInPlay(state).length === 0 && !handoverUnderway(state))
    requireStage(state, 'referral-response', PRE_DISCHARGE);
  const referral = ownReferral(state, command);
  if (!referralsInPlay(state).includes(referral)) {
    reject(
      'not_allowed_in_stage',
      `referral ${referral.referralId} was for the discharge; after discharge only ${safeForThePatient(state) ? 'referrals still in play' : 'handover referrals'} are answered`,
    );
  }
  const at = command.at;
  const ref = { referralId: referral.referralId, agency: referral.agency };
  const accepted = (): EventOf<'referral.accepted'> => ({
    type: 'referral.accepted',
    at,
    ...ref,
    readyBy: readyByOnAcceptance(state, referral, at, policy),
  });
  switch (command.response) {
    case 'accepted':
      if (referral.status !== 'requested')
        reject(
          'not_allowed_in_stage',
          `referral ${referral.referralId} is ${referral.status}; only a requested referral can be accepted`,
        );
      return [accepted()];
    case 'declined':
      if (referral.status !== 'requested' && referral.status !== 'accepted') {
        reject(
          'not_allowed_in_stage',
          `referral ${referral.referralId} is ${referral.status}; it can no longer be declined`,
        );
      }
      return [{ type: 'referral.declined', at, ...ref, reason: command.reason }];
    case 'ready': {
      if (referral.status !== 'requested' && referral.status !== 'accepted') {
        reject(
          'not_allowed_in_stage',
          `referral ${referral.referralId} is ${referral.status}; only a requested or accepted referral can become ready`,
        );
      }
      // Ready without a separate acceptance implies acceptance: both are recorded.
      const events: PathwayEvent[] = referral.status === 'requested' ? [accepted()] : [];
      events.push({ type: 'referral.ready', at, ...ref, readyFrom: command.readyFrom ?? dateOf(at) });
      // Rules 4: the delay someone recorded for what this referral now provides is over.
      if (!safeForThePatient(state) || !holdsDischarge(referral)) return events;
      const over = impliedReason(state, referral.service);
      return [
        ...events,
        ...resolved(
          state.delayReasons.filter((r) => r.code === over && r.agency === referral.agency),
          at,
        ),
      ];
    }
  }
}

/**
 * The agency's own referral. Before anything else about it: an agency naming another's learns
 * nothing of it (the application tells an agency the same of another's as of an unknown one).
 */
export function ownReferral(state: PathwayState, command: { referralId: string; agency: Agency }): Referral {
  const referral = state.referrals.find((r) => r.referralId === command.referralId);
  if (!referral) return reject('unknown_referral', `referralId: no referral ${command.referralId} on this pathway`);
  if (referral.agency !== command.agency) {
    return reject(
      'wrong_agency',
      `referral ${referral.referralId} is addressed to ${referral.agency}, not ${command.agency}`,
    );
  }
  return referral;
}

/** Funding as agreed for a referral's service, replacing what was assumed. */
function fundingRecorded(referral: Referral, funding: Funding & { at: string }): EventOf<'funding.recorded'> {
  if (funding.charging === 'free' && funding.chargesFrom)
    reject('invalid', 'chargesFrom: a free service has no charges');
  if (funding.payer === 'self_funded' && funding.charging !== 'full_cost')
    reject('invalid', 'charging: a self-funder pays the full cost');
  const { payer, charging, financialAssessment, chargesFrom, at } = funding;
  return {
    type: 'funding.recorded',
    at,
    referralId: referral.referralId,
    agency: referral.agency,
    service: referral.service,
    payer,
    charging,
    financialAssessment,
    ...(chargesFrom ? { chargesFrom } : {}),
  };
}

export function recordFunding(command: CommandOf<'funding'>, state: PathwayState): PathwayEvent[] {
  const referral = state.referrals.find((r) => r.referralId === command.referralId);
  if (!referral) return reject('unknown_referral', `referralId: no referral ${command.referralId} on this pathway`);
  return [fundingRecorded(referral, command)];
}

export function decideFunding(command: CommandOf<'funding-decision'>, state: PathwayState): PathwayEvent[] {
  const referral = ownReferral(state, command);
  const recorded = fundingRecorded(referral, command);
  const { type: _type, at: _at, referralId: _referralId, agency: _agency, service: _service, ...funding } = recorded;
  if (JSON.stringify(funding) === JSON.stringify(referral.funding))
    reject('duplicate', `funding of referral ${referral.referralId} is already recorded as this`);
  return [recorded];
}

export function recordHousingOutcome(command: CommandOf<'housing-outcome'>, state: PathwayState): PathwayEvent[] {
  const referral = ownReferral(state, command);
  const adaptations = referral.service === 'major-adaptations' || referral.service === 'minor-adaptations';
  if (!adaptations && referral.service !== 'housing')
    reject(
      'invalid',
      `referralId: referral ${referral.referralId} is for ${referral.service}, not housing or adaptations`,
    );
  if (adaptations !== (command.outcome === 'adaptations_done')) {
    reject(
      'invalid',
      `outcome: ${command.outcome} is not an outcome of a ${referral.service} referral (${adaptations ? 'adaptations_done' : 'accommodation_secured or relief_duty_accepted'})`,
    );
  }
  if (command.on > dateOf(command.at)) reject('invalid', 'on: an outcome is recorded once it is reached');
  if (referral.housingOutcome === command.outcome)
    reject('duplicate', `referral ${referral.referralId}: ${command.outcome} is already recorded`);
  return [
    {
      type: 'housing_outcome.recorded',
      at: command.at,
      referralId: referral.referralId,
      agency: referral.agency,
      service: referral.service,
      outcome: command.outcome,
      on: command.on,
    },
  ];
}

/** A provider moves the start of support it has in place (issue 27): the patient is told the new day. */
export function moveStartDate(command: CommandOf<'start-date-moved'>, state: PathwayState): PathwayEvent[] {
  const referral = ownReferral(state, command);
  if (referral.status !== 'ready' || !referral.readyFrom)
    reject(
      'not_allowed_in_stage',
      `referral ${referral.referralId} is ${referral.status}; only support in place (ready) has a start to move`,
    );
  if (referral.startedOn)
    reject('not_allowed_in_stage', `referral ${referral.referralId}: the support started on ${referral.startedOn}`);
  if (command.readyFrom === referral.readyFrom)
    reject(
      'duplicate',
      `readyFrom: the support of referral ${referral.referralId} already starts on ${referral.readyFrom}`,
    );
  if (command.readyFrom < dateOf(command.at)) reject('invalid', 'readyFrom: a start is moved to today or later');
  return [
    {
      type: 'referral.ready',
      at: command.at,
      referralId: referral.referralId,
      agency: referral.agency,
      readyFrom: command.readyFrom,
      movedFrom: referral.readyFrom,
    },
  ];
}
