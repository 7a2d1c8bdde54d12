import { isFollowUp, type Service } from '../../schemas/common';
import type { CommandOf } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { assessmentConsentGiver, checkConsentGiver, checkParticipation } from '../assessment';
import { dateOf, daysBetween } from '../dates';
import { evolve } from '../evolve';
import type { Policy } from '../policy';
import { requestReferral } from '../referrals';
import { reject } from '../rejection';
import {
  beforeDischarge,
  chcAfterDischarge,
  holdsDischarge,
  housingNeed,
  housingWanted,
  isLive,
  mayShareWith,
  patientAtTheCentre,
  safeForThePatient,
  uncoveredNeeds,
  type PathwayState,
} from '../state';
import { PRE_DISCHARGE, requireStage } from './shared';

// The joint assessment and what it judges: the patient's consent and capacity, their housing, their carer.

export function completeAssessment(
  command: CommandOf<'assessment'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  requireStage(state, 'assessment', PRE_DISCHARGE);
  checkParticipation(command, state);
  const roles = command.participants.map((p) => p.role);
  const needs = [...new Set(command.needs)];
  const followUp = needs.find(isFollowUp);
  if (followUp) reject('invalid', `needs: ${followUp} is not a need to plan: the discharge raises it`);
  if (command.pathway === 'P0' && needs.length > 0)
    reject('invalid', 'needs: pathway P0 (home, no new support) has no needs to refer');
  if (command.pathway !== 'P0' && needs.length === 0)
    reject('invalid', `needs: pathway ${command.pathway} needs at least one service`);
  if (command.pathway === 'P2' && !needs.includes('step-down-bed'))
    reject('invalid', 'needs: pathway P2 needs a step-down-bed');
  if (command.pathway === 'P3' && !needs.includes('care-home-placement'))
    reject('invalid', 'needs: pathway P3 needs a care-home-placement');
  const at = command.at;
  const replan = state.assessment !== undefined;
  const { patientAbsent, bestInterests, agreement, summary, home, carer, chc } = command;
  if (safeForThePatient(state) && chc) {
    if (!needs.includes('chc-assessment')) reject('invalid', 'chc: only with a chc-assessment need');
    if (chc.decision === 'before_discharge' && !chc.reason)
      reject('invalid', 'chc.reason: a continuing-healthcare decision before discharge is the exception: say why');
  }
  if (
    patientAtTheCentre(state) &&
    home?.suitability === 'needs_adaptation' &&
    !needs.includes('minor-adaptations') &&
    !needs.includes('major-adaptations')
  ) {
    reject('invalid', 'needs: the home needs adapting: include minor-adaptations or major-adaptations');
  }
  const events: PathwayEvent[] = [
    {
      type: 'assessment.completed',
      at,
      pathway: command.pathway,
      participants: roles,
      needs,
      replan,
      ...(command.notes ? { notes: command.notes } : {}),
      ...(patientAbsent ? { patientAbsent } : {}),
      ...(bestInterests ? { bestInterests } : {}),
      ...(agreement ? { agreement } : {}),
      ...(summary ? { summary } : {}),
      ...(home ? { home } : {}),
      ...(carer ? { carer } : {}),
      ...(chc && safeForThePatient(state) ? { chc } : {}),
      ...(state.drd ? { daysFromDischargeReady: Math.max(0, daysBetween(state.drd, dateOf(at))) } : {}),
    },
  ];
  // Rules 1–3 tell social care of an accepted carer's assessment first; rules 4 refer it after the plan's referrals.
  const hadAssessment = state.carer?.carersAssessment === 'accepted';
  if (!safeForThePatient(state)) events.push(...carersAssessment(state, carer, hadAssessment, policy, at));
  const givenBy = !patientAtTheCentre(state) ? {} : { givenBy: assessmentConsentGiver(command) };
  for (const agency of new Set(command.consents)) {
    if (!state.consents[agency]) events.push({ type: 'consent.recorded', at, agency, given: true, ...givenBy });
  }
  // Duty to refer: a person homeless or at risk of homelessness is referred to housing; so is one
  // whose home needs a move. Rules 4: only with the person's consent to the referral.
  const wanted = new Set<Service>(needs);
  const consented = events.reduce(evolve, state);
  const housing = housingNeed(consented);
  if (housing) wanted.add('housing');
  if (safeForThePatient(state) && !mayShareWith(consented, 'housing')) wanted.delete('housing');
  for (const referral of state.referrals) {
    // Support that follows the person is no part of the plan, and stays.
    if (isLive(referral) && holdsDischarge(referral) && !wanted.has(referral.service)) {
      events.push({
        type: 'referral.withdrawn',
        at,
        referralId: referral.referralId,
        agency: referral.agency,
        reason: 'changed-plan',
      });
    }
  }
  let planned = events.reduce(evolve, state);
  for (const service of wanted) {
    if (planned.referrals.some((r) => r.service === service && isLive(r))) continue;
    const reason = service === 'housing' ? housingReferralReason(planned) : replan ? 'changed-plan' : 'assessment';
    // Rules 4: continuing healthcare assessed after discharge follows the person, holding nothing.
    const followsUp = service === 'chc-assessment' && chcAfterDischarge(planned);
    const requested = resumed(
      planned,
      requestReferral(planned, policy, service, reason, at, undefined, followsUp ? 'follow-up' : undefined),
    );
    events.push(requested);
    planned = evolve(planned, requested);
  }
  // Rules 4: every package the previous stay held is resumed above, or released now.
  for (const held of planned.heldPackages?.filter((h) => !h.decided) ?? []) {
    events.push({
      type: 'held_package.released',
      at,
      previousPathwayId: planned.previousPathwayId!,
      referralId: held.referralId,
      service: held.service,
      agency: held.agency,
    });
  }
  if (safeForThePatient(state)) events.push(...carersAssessment(planned, carer, hadAssessment, policy, at));
  return events;
}

export function assessCapacity(command: CommandOf<'capacity'>, state: PathwayState): PathwayEvent[] {
  requireStage(state, 'capacity', PRE_DISCHARGE);
  if (!safeForThePatient(state))
    reject('invalid', 'capacity: pathways started under older rules judge capacity at a joint assessment');
  if (!state.assessment) reject('not_allowed_in_stage', 'capacity: no joint assessment has judged it yet');
  if (command.agreement && (command.lacksCapacity || command.decision !== 'discharge_plan')) {
    reject(
      'invalid',
      'agreement: the patient agrees (or not) with the plan themselves only when they have capacity for it (decision discharge_plan)',
    );
  }
  const { decision, lacksCapacity, assessedBy, agreement } = command;
  return [
    {
      type: 'capacity.assessed',
      at: command.at,
      decision,
      lacksCapacity,
      assessedBy,
      ...(agreement ? { agreement } : {}),
    },
  ];
}

export function recordHousingStatus(
  command: CommandOf<'housing-status'>,
  state: PathwayState,
  policy: Policy,
): PathwayEvent[] {
  requireStage(state, 'housing-status', PRE_DISCHARGE);
  if (!safeForThePatient(state))
    reject('invalid', 'housing-status: pathways started under older rules keep the housing status of the admission');
  const current = state.housingStatus ?? state.patient?.housingStatus;
  if (current === command.housingStatus) reject('duplicate', `housingStatus: already ${current}`);
  const recorded: PathwayEvent = {
    type: 'housing_status.recorded',
    at: command.at,
    housingStatus: command.housingStatus,
    recordedBy: command.recordedBy,
  };
  return [recorded, ...housingAsPlanned(evolve(state, recorded), policy, command.at)];
}

export function recordCarer(command: CommandOf<'carer'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  requireStage(state, 'carer', [...PRE_DISCHARGE, 'discharged', 'intermediate_care', 'readmission_watch']);
  if (!safeForThePatient(state))
    reject('invalid', 'carer: pathways started under older rules record the carer at a joint assessment');
  return [
    { type: 'carer.recorded', at: command.at, carer: command.carer },
    ...carersAssessment(state, command.carer, state.carer?.carersAssessment === 'accepted', policy, command.at),
  ];
}

/**
 * A carer's assessment the carer accepted goes to social care, once per carer: under rules 4 a
 * referral like any other (follow-up: it never holds the discharge); before, a notice.
 */
function carersAssessment(
  state: PathwayState,
  carer: CommandOf<'carer'>['carer'] | undefined,
  hadAccepted: boolean,
  policy: Policy,
  at: string,
): PathwayEvent[] {
  if (carer?.carersAssessment !== 'accepted' || hadAccepted) return [];
  if (!safeForThePatient(state))
    return [{ type: 'carers_assessment.requested', at, willingAndAble: carer.willingAndAble }];
  if (state.referrals.some((r) => r.service === 'carers-assessment' && isLive(r))) return [];
  return [requestReferral(state, policy, 'carers-assessment', 'assessment', at, 'social-care', 'follow-up')];
}

/** Rules 4: a referral for a service the previous stay held a package for, with the same agency, resumes it. */
function resumed(state: PathwayState, requested: EventOf<'referral.requested'>): EventOf<'referral.requested'> {
  const held = state.heldPackages?.find(
    (h) => !h.decided && h.service === requested.service && h.agency === requested.agency,
  );
  return held
    ? { ...requested, resumes: { pathwayId: state.previousPathwayId!, referralId: held.referralId } }
    : requested;
}

/** Why housing is referred: the assessment's need, else the duty to refer, or a move. */
function housingReferralReason(state: PathwayState): 'duty-to-refer' | 'relocation' | 'assessment' | 'changed-plan' {
  const need = housingNeed(state);
  if (need && !state.assessment?.needs.includes('housing')) return need === 'move' ? 'relocation' : 'duty-to-refer';
  return (state.assessment?.count ?? 0) > 1 ? 'changed-plan' : 'assessment';
}

/**
 * Consent recorded with who gave it. Rules 4: consent not yet asked is no refusal (given: false is
 * the patient's objection, or their refusal of the referral to housing); consent to the referral to
 * housing makes it, a refusal withdraws it, and housing is never asked without it.
 */
export function recordConsent(command: CommandOf<'consent'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  requireStage(state, 'consent', [...PRE_DISCHARGE, 'discharged', 'intermediate_care', 'readmission_watch']);
  const rules4 = safeForThePatient(state);
  const recorded = rules4 ? state.consents[command.agency] : (state.consents[command.agency] ?? false);
  if (recorded === command.given) {
    return reject(
      'duplicate',
      `consent for ${command.agency} is already recorded as ${command.given ? 'given' : 'not given'}`,
    );
  }
  const at = command.at;
  if (!patientAtTheCentre(state))
    return [{ type: 'consent.recorded', at, agency: command.agency, given: command.given }];
  const events: PathwayEvent[] = [
    {
      type: 'consent.recorded',
      at,
      agency: command.agency,
      given: command.given,
      givenBy: checkConsentGiver(command, state),
    },
  ];
  if (!rules4 || command.agency !== 'housing' || !beforeDischarge(state)) return events;
  return [...events, ...housingAsPlanned(evolve(state, events[0]), policy, at)];
}

/**
 * Rules 4: the referral to housing as the plan now wants it, once assessed and before discharge:
 * made when wanted with the person's consent and missing; withdrawn when they refuse it
 * (consent-refused) or it is no longer wanted (changed-plan).
 */
function housingAsPlanned(state: PathwayState, policy: Policy, at: string): PathwayEvent[] {
  if (!state.assessment || !beforeDischarge(state)) return [];
  const live = state.referrals.filter((r) => r.service === 'housing' && holdsDischarge(r) && isLive(r));
  const withdrawn = (reason: 'consent-refused' | 'changed-plan') =>
    live.map((r) => ({ type: 'referral.withdrawn' as const, at, referralId: r.referralId, agency: r.agency, reason }));
  if (state.consents.housing === false) return withdrawn('consent-refused');
  if (!housingWanted(state)) return withdrawn('changed-plan');
  return live.length > 0 || !uncoveredNeeds(state).includes('housing')
    ? []
    : [requestReferral(state, policy, 'housing', housingReferralReason(state), at)];
}
