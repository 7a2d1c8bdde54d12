import type { z } from 'zod';
import { isFollowUp, isIntermediateCare, noFixedAbode, type Agency, type Funding, type Service, type Stage } from '../schemas/common';
import type { CommandOf, NeedsNow as NeedsNowSchema, PathwayCommand } from '../schemas/commands';
import type { EventOf, PathwayEvent } from '../schemas/events';
import { assessmentConsentGiver, checkConsentGiver, checkParticipation } from './assessment';
import { addDays, dateOf, daysBetween, latest } from './dates';
import { dueEvents, handover } from './deadlines';
import { delayDaysUntil, impliedReason, priorDelayDays } from './delay';
import { evolve } from './evolve';
import { handOver, intermediateCareFollowOn, intermediateCareOver, remainingNeedsAt } from './intermediate-care';
import type { Policy } from './policy';
import { readyByOnAcceptance, requestReferral } from './referrals';
import { reject } from './rejection';
import {
  beforeDischarge,
  CONSENT_AGENCIES,
  delayCountsFrom,
  holdsDischarge,
  housingConsentPending,
  housingWanted,
  inHospitalStages,
  mayShareWith,
  handoverUnderway,
  housingNeed,
  isClosed,
  isLive,
  referralsInPlay,
  reliesOnUnableCarer,
  chcAfterDischarge,
  destinationsOf,
  wishesUnsettled,
  residesAgain,
  rulesOf,
  uncoveredNeeds,
  type IntermediateCare,
  type PathwayState,
  type Referral,
} from './state';

export { CommandRejected, type RejectionCode } from './rejection';

type NeedsNow = z.infer<typeof NeedsNowSchema>;

function requireStage(state: PathwayState, command: string, allowed: readonly Stage[]): void {
  if (!allowed.includes(state.stage as Stage)) {
    reject('not_allowed_in_stage', `${command} is not allowed in stage ${state.stage} (allowed in: ${allowed.join(', ')})`);
  }
}

const PRE_DISCHARGE = inHospitalStages;

/**
 * The pathway's rules: what a command means given the state so far. Pure; throws CommandRejected.
 * After the command's own events, follow-on events (ready for discharge, handback) are settled.
 */
export function decide(command: PathwayCommand, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (command.type === 'start') return decideStart(command, state);
  if (state.stage === 'none') return reject('not_started', `${command.type}: the pathway has not started`);
  if (isClosed(state)) return reject('closed', `${command.type}: the pathway is closed (${state.stage})`);
  const events = decideOn(command, state, policy);
  return [...events, ...settle(events.reduce(evolve, state), policy, command.at)];
}

function decideOn(command: Exclude<PathwayCommand, { type: 'start' }>, state: PathwayState, policy: Policy): PathwayEvent[] {
  const at = command.at;
  switch (command.type) {
    case 'tick':
      return dueEvents(state, policy, at);
    case 'expected-discharge-date':
      requireStage(state, 'expected-discharge-date', PRE_DISCHARGE);
      return [{ type: 'edd.set', at, date: command.date }];
    case 'discharge-ready':
      requireStage(state, 'discharge-ready', PRE_DISCHARGE);
      if (state.drd) reject('duplicate', `a discharge ready date (${state.drd}) is already set; record criteria-to-reside-met first`);
      if (state.admittedAt && command.date < dateOf(state.admittedAt)) reject('invalid', 'date: the discharge ready date is before admission');
      if (rulesOf(state) >= 3) checkAfterLastEpisode(state, command.date);
      return [drdRecorded(command.date, at, policy)];
    case 'criteria-to-reside-met': {
      requireStage(state, 'criteria-to-reside-met', PRE_DISCHARGE);
      if (!state.drd) return reject('not_allowed_in_stage', 'criteria-to-reside-met: no discharge ready date is set');
      const clearedOn = dateOf(at);
      const delayDays = delayDaysUntil(delayCountsFrom(state) ?? state.drd, clearedOn);
      return [{ type: 'discharge_ready.cleared', at, date: state.drd, clearedOn, delayDays }];
    }
    case 'assessment':
      return decideAssessment(command, state, policy);
    case 'consent':
      return decideConsent(command, state, policy);
    case 'capacity': {
      requireStage(state, 'capacity', PRE_DISCHARGE);
      if (rulesOf(state) < 4) reject('invalid', 'capacity: pathways started under older rules judge capacity at a joint assessment');
      if (!state.assessment) reject('not_allowed_in_stage', 'capacity: no joint assessment has judged it yet');
      if (command.agreement && (command.lacksCapacity || command.decision !== 'discharge_plan')) {
        reject('invalid', 'agreement: the patient agrees (or not) with the plan themselves only when they have capacity for it (decision discharge_plan)');
      }
      const { decision, lacksCapacity, assessedBy, agreement } = command;
      return [{ type: 'capacity.assessed', at, decision, lacksCapacity, assessedBy, ...(agreement ? { agreement } : {}) }];
    }
    case 'housing-status': {
      requireStage(state, 'housing-status', PRE_DISCHARGE);
      if (rulesOf(state) < 4) reject('invalid', 'housing-status: pathways started under older rules keep the housing status of the admission');
      const current = state.housingStatus ?? state.patient?.housingStatus;
      if (current === command.housingStatus) reject('duplicate', `housingStatus: already ${current}`);
      const recorded: PathwayEvent = { type: 'housing_status.recorded', at, housingStatus: command.housingStatus, recordedBy: command.recordedBy };
      return [recorded, ...housingAsPlanned(evolve(state, recorded), policy, at)];
    }
    case 'carer':
      requireStage(state, 'carer', [...PRE_DISCHARGE, 'discharged', 'intermediate_care', 'readmission_watch']);
      if (rulesOf(state) < 4) reject('invalid', 'carer: pathways started under older rules record the carer at a joint assessment');
      return [{ type: 'carer.recorded', at, carer: command.carer }, ...carersAssessment(state, command.carer, state.carer?.carersAssessment === 'accepted', policy, at)];
    case 'referral':
      return decideReferral(command, state, policy);
    case 'referral-response':
      return decideReferralResponse(command, state, policy);
    case 'delay-reason':
      requireStage(state, 'delay-reason', PRE_DISCHARGE);
      // Rules 4: housing and the voluntary sector act only when asked, with consent: never blamed otherwise.
      if (rulesOf(state) >= 4 && CONSENT_AGENCIES.includes(command.agency) && !state.referrals.some((r) => r.agency === command.agency && isLive(r))) {
        reject('invalid', `agency: ${command.agency} has no referral on this pathway to act on; a delay is attributed to whom it waits on`);
      }
      if (state.delayReasons.some((r) => r.code === command.code && r.agency === command.agency)) {
        reject('duplicate', `delay reason ${command.code} for ${command.agency} is already active`);
      }
      return [{ type: 'delay_reason.recorded', at, code: command.code, agency: command.agency, ...(command.note ? { note: command.note } : {}) }];
    case 'delay-reason-resolved':
      requireStage(state, 'delay-reason-resolved', PRE_DISCHARGE);
      if (!state.delayReasons.some((r) => r.code === command.code && r.agency === command.agency)) {
        reject('invalid', `no active delay reason ${command.code} for ${command.agency}`);
      }
      return [{ type: 'delay_reason.resolved', at, code: command.code, agency: command.agency }];
    case 'discharge':
      return decideDischarge(command, state, policy);
    case 'review':
      return decideReview(command, state, policy);
    case 'readmission':
      return decideReadmission(command, state);
    case 'funding': {
      const referral = state.referrals.find((r) => r.referralId === command.referralId);
      if (!referral) return reject('unknown_referral', `referralId: no referral ${command.referralId} on this pathway`);
      return [fundingRecorded(referral, command)];
    }
    case 'funding-decision': {
      const referral = ownReferral(state, command);
      const recorded = fundingRecorded(referral, command);
      const { type: _type, at: _at, referralId: _referralId, agency: _agency, service: _service, ...funding } = recorded;
      if (JSON.stringify(funding) === JSON.stringify(referral.funding)) reject('duplicate', `funding of referral ${referral.referralId} is already recorded as this`);
      return [recorded];
    }
    case 'episode-review': {
      ownEpisode(state, command);
      const { agency: _agency, needsNow, ...review } = command;
      return decideReview({ ...review, type: 'review' }, state, policy, needsNow);
    }
    case 'transition-plan': {
      const episode = ownEpisode(state, command);
      if (handoverUnderway(state)) reject('not_allowed_in_stage', 'transition-plan: the handover to long-term services is under way; a review re-plans it');
      const remainingNeeds = [...new Set(command.remainingNeeds)];
      if (JSON.stringify(remainingNeeds) === JSON.stringify(episode.remainingNeeds)) reject('duplicate', 'remainingNeeds: this transition plan is already recorded');
      return [{ type: 'transition_plan.proposed', at, remainingNeeds, ...(command.notes ? { notes: command.notes } : {}) }];
    }
    case 'support-started': {
      const referral = supportArranged(state, command, command.startedOn, 'startedOn');
      if (referral.startedOn === command.startedOn) reject('duplicate', `referral ${referral.referralId}: the support is already recorded as started on ${referral.startedOn}`);
      if (referral.startedOn) reject('invalid', `startedOn: the support of referral ${referral.referralId} is already recorded as started on ${referral.startedOn}`);
      return [{ type: 'support.started', at, referralId: referral.referralId, agency: referral.agency, service: referral.service, startedOn: command.startedOn }];
    }
    case 'support-not-started': {
      const referral = supportArranged(state, command, command.dueOn, 'dueOn');
      if (referral.startedOn) reject('invalid', `referral ${referral.referralId}: the support is recorded as started on ${referral.startedOn}`);
      if (referral.notStartedOn === command.dueOn) reject('duplicate', `referral ${referral.referralId}: the visit due on ${command.dueOn} is already recorded as missed`);
      const { dueOn, reason } = command;
      return [{ type: 'support.not_started', at, referralId: referral.referralId, agency: referral.agency, service: referral.service, dueOn, reason }];
    }
    case 'housing-outcome': {
      const referral = ownReferral(state, command);
      const adaptations = referral.service === 'major-adaptations' || referral.service === 'minor-adaptations';
      if (!adaptations && referral.service !== 'housing') reject('invalid', `referralId: referral ${referral.referralId} is for ${referral.service}, not housing or adaptations`);
      if (adaptations !== (command.outcome === 'adaptations_done')) {
        reject('invalid', `outcome: ${command.outcome} is not an outcome of a ${referral.service} referral (${adaptations ? 'adaptations_done' : 'accommodation_secured or relief_duty_accepted'})`);
      }
      if (command.on > dateOf(at)) reject('invalid', 'on: an outcome is recorded once it is reached');
      if (referral.housingOutcome === command.outcome) reject('duplicate', `referral ${referral.referralId}: ${command.outcome} is already recorded`);
      return [{ type: 'housing_outcome.recorded', at, referralId: referral.referralId, agency: referral.agency, service: referral.service, outcome: command.outcome, on: command.on }];
    }
    case 'lead-professional': {
      // An episode's lead is named once it has started, until it ends.
      const episode = state.intermediateCare;
      if (command.scope === 'intermediate-care' && (!episode || episode.ended)) {
        reject('not_allowed_in_stage', 'lead-professional: intermediate-care has no episode under way to lead');
      }
      return [{ type: 'lead_professional.assigned', at, scope: command.scope, role: command.role, team: command.team }];
    }
    case 'emergency-attendance': {
      const dayOfWatch = dayOfWatchOn(state, 'emergency-attendance', command.attendedOn, 'attendedOn');
      if (command.attendedOn > dateOf(at)) reject('invalid', 'attendedOn: an attendance is recorded once it has happened');
      return [{ type: 'emergency_attendance.recorded', at, attendedOn: command.attendedOn, dayOfWatch }];
    }
    case 'cancel':
      if (command.reason === 'self_discharged' && rulesOf(state) >= 4) {
        reject('invalid', 'reason: a self-discharge is a discharge: record it with discharge (selfDischarge: true), so the 30-day readmission watch runs and the agencies still arranging support are told it is needed now');
      }
      return [
        ...holdPackages(state, at, 'cancelled'),
        ...(state.intermediateCare && !state.intermediateCare.ended
          ? [{ type: 'intermediate_care.ended' as const, at, reason: 'cancelled' as const, days: daysBetween(state.intermediateCare.startDate, dateOf(at)) }]
          : []),
        { type: 'pathway.cancelled', at, reason: command.reason },
      ];
  }
}

function decideStart(command: CommandOf<'start'>, state: PathwayState): PathwayEvent[] {
  if (state.stage !== 'none') return reject('duplicate', `the pathway for admission ${state.admissionId} has already started`);
  if (command.expectedDischargeDate && command.expectedDischargeDate < dateOf(command.admittedAt)) {
    reject('invalid', 'expectedDischargeDate: before admission');
  }
  const rules = rulesOf(state);
  return [
    {
      type: 'pathway.started',
      at: command.at,
      pathwayId: `pathway-${command.admissionId}`,
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
      ...(rules >= 4 && command.previousPathwayId && command.heldPackages?.length ? { heldPackages: command.heldPackages } : {}),
      // Recorded so every fold of the events (read models, agency views) knows the rules; rules 1 said nothing.
      ...(rules !== 1 ? { rules } : {}),
    },
  ];
}

function decideAssessment(command: CommandOf<'assessment'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  requireStage(state, 'assessment', PRE_DISCHARGE);
  checkParticipation(command, state);
  const roles = command.participants.map((p) => p.role);
  const needs = [...new Set(command.needs)];
  const followUp = needs.find(isFollowUp);
  if (followUp) reject('invalid', `needs: ${followUp} is not a need to plan: the discharge raises it`);
  if (command.pathway === 'P0' && needs.length > 0) reject('invalid', 'needs: pathway P0 (home, no new support) has no needs to refer');
  if (command.pathway !== 'P0' && needs.length === 0) reject('invalid', `needs: pathway ${command.pathway} needs at least one service`);
  if (command.pathway === 'P2' && !needs.includes('step-down-bed')) reject('invalid', 'needs: pathway P2 needs a step-down-bed');
  if (command.pathway === 'P3' && !needs.includes('care-home-placement')) reject('invalid', 'needs: pathway P3 needs a care-home-placement');
  const at = command.at;
  const replan = state.assessment !== undefined;
  const { patientAbsent, bestInterests, agreement, summary, home, carer, chc } = command;
  if (rulesOf(state) >= 4 && chc) {
    if (!needs.includes('chc-assessment')) reject('invalid', 'chc: only with a chc-assessment need');
    if (chc.decision === 'before_discharge' && !chc.reason) reject('invalid', 'chc.reason: a continuing-healthcare decision before discharge is the exception: say why');
  }
  if (rulesOf(state) >= 2 && home?.suitability === 'needs_adaptation' && !needs.includes('minor-adaptations') && !needs.includes('major-adaptations')) {
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
      ...(chc && rulesOf(state) >= 4 ? { chc } : {}),
      ...(state.drd ? { daysFromDischargeReady: Math.max(0, daysBetween(state.drd, dateOf(at))) } : {}),
    },
  ];
  // Rules 1–3 tell social care of an accepted carer's assessment first; rules 4 refer it after the plan's referrals.
  const hadAssessment = state.carer?.carersAssessment === 'accepted';
  if (rulesOf(state) < 4) events.push(...carersAssessment(state, carer, hadAssessment, policy, at));
  const givenBy = rulesOf(state) === 1 ? {} : { givenBy: assessmentConsentGiver(command) };
  for (const agency of new Set(command.consents)) {
    if (!state.consents[agency]) events.push({ type: 'consent.recorded', at, agency, given: true, ...givenBy });
  }
  // Duty to refer: a person homeless or at risk of homelessness is referred to housing; so is one
  // whose home needs a move. Rules 4: only with the person's consent to the referral.
  const wanted = new Set<Service>(needs);
  const consented = events.reduce(evolve, state);
  const housing = housingNeed(consented);
  if (housing) wanted.add('housing');
  if (rulesOf(state) >= 4 && !mayShareWith(consented, 'housing')) wanted.delete('housing');
  for (const referral of state.referrals) {
    // Support that follows the person is no part of the plan, and stays.
    if (isLive(referral) && holdsDischarge(referral) && !wanted.has(referral.service)) {
      events.push({ type: 'referral.withdrawn', at, referralId: referral.referralId, agency: referral.agency, reason: 'changed-plan' });
    }
  }
  let planned = events.reduce(evolve, state);
  for (const service of wanted) {
    if (planned.referrals.some((r) => r.service === service && isLive(r))) continue;
    const reason = service === 'housing' ? housingReferralReason(planned) : replan ? 'changed-plan' : 'assessment';
    // Rules 4: continuing healthcare assessed after discharge follows the person, holding nothing.
    const followsUp = service === 'chc-assessment' && chcAfterDischarge(planned);
    const requested = resumed(planned, requestReferral(planned, policy, service, reason, at, undefined, followsUp ? 'follow-up' : undefined));
    events.push(requested);
    planned = evolve(planned, requested);
  }
  // Rules 4: every package the previous stay held is resumed above, or released now.
  for (const held of planned.heldPackages?.filter((h) => !h.decided) ?? []) {
    events.push({ type: 'held_package.released', at, previousPathwayId: planned.previousPathwayId!, referralId: held.referralId, service: held.service, agency: held.agency });
  }
  if (rulesOf(state) >= 4) events.push(...carersAssessment(planned, carer, hadAssessment, policy, at));
  return events;
}

/**
 * A carer's assessment the carer accepted goes to social care, once per carer: under rules 4 a
 * referral like any other (follow-up: it never holds the discharge); before, a notice.
 */
function carersAssessment(state: PathwayState, carer: CommandOf<'carer'>['carer'] | undefined, hadAccepted: boolean, policy: Policy, at: string): PathwayEvent[] {
  if (carer?.carersAssessment !== 'accepted' || hadAccepted) return [];
  if (rulesOf(state) < 4) return [{ type: 'carers_assessment.requested', at, willingAndAble: carer.willingAndAble }];
  if (state.referrals.some((r) => r.service === 'carers-assessment' && isLive(r))) return [];
  return [requestReferral(state, policy, 'carers-assessment', 'assessment', at, 'social-care', 'follow-up')];
}

/** Rules 4: a referral for a service the previous stay held a package for, with the same agency, resumes it. */
function resumed(state: PathwayState, requested: EventOf<'referral.requested'>): EventOf<'referral.requested'> {
  const held = state.heldPackages?.find((h) => !h.decided && h.service === requested.service && h.agency === requested.agency);
  return held ? { ...requested, resumes: { pathwayId: state.previousPathwayId!, referralId: held.referralId } } : requested;
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
function decideConsent(command: CommandOf<'consent'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  requireStage(state, 'consent', [...PRE_DISCHARGE, 'discharged', 'intermediate_care', 'readmission_watch']);
  const rules4 = rulesOf(state) >= 4;
  const recorded = rules4 ? state.consents[command.agency] : (state.consents[command.agency] ?? false);
  if (recorded === command.given) {
    return reject('duplicate', `consent for ${command.agency} is already recorded as ${command.given ? 'given' : 'not given'}`);
  }
  const at = command.at;
  if (rulesOf(state) === 1) return [{ type: 'consent.recorded', at, agency: command.agency, given: command.given }];
  const events: PathwayEvent[] = [{ type: 'consent.recorded', at, agency: command.agency, given: command.given, givenBy: checkConsentGiver(command, state) }];
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
  const withdrawn = (reason: 'consent-refused' | 'changed-plan') => live.map((r) => ({ type: 'referral.withdrawn' as const, at, referralId: r.referralId, agency: r.agency, reason }));
  if (state.consents.housing === false) return withdrawn('consent-refused');
  if (!housingWanted(state)) return withdrawn('changed-plan');
  return live.length > 0 || !uncoveredNeeds(state).includes('housing') ? [] : [requestReferral(state, policy, 'housing', housingReferralReason(state), at)];
}

/**
 * Before the joint assessment a referral may go early (e.g. CHC or housing); the assessment then
 * adopts or withdraws it. After discharge (rules 2), a referral is a handover referral: a service
 * taking over from intermediate care that is handing over (say, re-referred after a decline).
 */
function decideReferral(command: CommandOf<'referral'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (isFollowUp(command.service) || (command.service === 'chc-assessment' && chcAfterDischarge(state))) return decideFollowUpReferral(command, state, policy);
  if (command.service === 'housing' && rulesOf(state) >= 4 && !mayShareWith(state, 'housing')) {
    reject('invalid', `service: housing is referred only with the person's consent (${state.consents.housing === false ? 'they refused it' : 'record it first with consent for housing'})`);
  }
  const handingOver = !beforeDischarge(state) && handoverUnderway(state) !== undefined;
  // Rules 4: a package a self-discharged patient still waits for is re-referred after a decline.
  const leftWithout = !handingOver && rulesOf(state) >= 4 && state.discharge?.selfDischarge === true;
  if (!handingOver && !leftWithout) requireStage(state, 'referral', PRE_DISCHARGE);
  const purpose = handingOver ? ('handover' as const) : undefined;
  const live = state.referrals.find((r) => r.service === command.service && r.purpose === purpose && isLive(r));
  if (live) reject('duplicate', `service ${command.service} already has a live ${purpose ? 'handover ' : ''}referral ${live.referralId} (${live.status})`);
  return [requestReferral(state, policy, command.service, command.reason, command.at, command.agency, purpose)];
}

/** Rules 4: support that follows the person (a welfare check declined, say) is referred again before or after the discharge. */
function decideFollowUpReferral(command: CommandOf<'referral'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (rulesOf(state) < 4) return reject('invalid', `service: ${command.service} is not referred on pathways started under older rules`);
  const live = state.referrals.find((r) => r.service === command.service && isLive(r));
  if (live) reject('duplicate', `service ${command.service} already has a live referral ${live.referralId} (${live.status})`);
  return [requestReferral(state, policy, command.service, command.reason, command.at, command.agency, 'follow-up')];
}

function decideReferralResponse(command: CommandOf<'referral-response'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  // After discharge only the referrals still in play are answered: the handover referrals of
  // intermediate care awaiting handover; under rules 4 also the packages a self-discharge left open.
  if (referralsInPlay(state).length === 0 && !handoverUnderway(state)) requireStage(state, 'referral-response', PRE_DISCHARGE);
  const referral = ownReferral(state, command);
  if (!referralsInPlay(state).includes(referral)) {
    reject('not_allowed_in_stage', `referral ${referral.referralId} was for the discharge; after discharge only ${rulesOf(state) >= 4 ? 'referrals still in play' : 'handover referrals'} are answered`);
  }
  const at = command.at;
  const ref = { referralId: referral.referralId, agency: referral.agency };
  const accepted = (): EventOf<'referral.accepted'> => ({ type: 'referral.accepted', at, ...ref, readyBy: readyByOnAcceptance(state, referral, at, policy) });
  switch (command.response) {
    case 'accepted':
      if (referral.status !== 'requested') reject('not_allowed_in_stage', `referral ${referral.referralId} is ${referral.status}; only a requested referral can be accepted`);
      return [accepted()];
    case 'declined':
      if (referral.status !== 'requested' && referral.status !== 'accepted') {
        reject('not_allowed_in_stage', `referral ${referral.referralId} is ${referral.status}; it can no longer be declined`);
      }
      return [{ type: 'referral.declined', at, ...ref, reason: command.reason }];
    case 'ready': {
      if (referral.status !== 'requested' && referral.status !== 'accepted') {
        reject('not_allowed_in_stage', `referral ${referral.referralId} is ${referral.status}; only a requested or accepted referral can become ready`);
      }
      // Ready without a separate acceptance implies acceptance: both are recorded.
      const events: PathwayEvent[] = referral.status === 'requested' ? [accepted()] : [];
      events.push({ type: 'referral.ready', at, ...ref, readyFrom: command.readyFrom ?? dateOf(at) });
      // Rules 4: the delay someone recorded for what this referral now provides is over.
      if (rulesOf(state) < 4 || !holdsDischarge(referral)) return events;
      const over = impliedReason(state, referral.service);
      return [...events, ...resolved(state.delayReasons.filter((r) => r.code === over && r.agency === referral.agency), at)];
    }
  }
}

/**
 * The agency's own referral. Before anything else about it: an agency naming another's learns
 * nothing of it (the application tells an agency the same of another's as of an unknown one).
 */
function ownReferral(state: PathwayState, command: { referralId: string; agency: Agency }): Referral {
  const referral = state.referrals.find((r) => r.referralId === command.referralId);
  if (!referral) return reject('unknown_referral', `referralId: no referral ${command.referralId} on this pathway`);
  if (referral.agency !== command.agency) {
    return reject('wrong_agency', `referral ${referral.referralId} is addressed to ${referral.agency}, not ${command.agency}`);
  }
  return referral;
}

/** The agencies providing the episode: those whose intermediate-care package for the discharge is in place. */
export const episodeProviders = (state: PathwayState): Agency[] => [
  ...new Set(state.referrals.filter((r) => r.status === 'ready' && holdsDischarge(r) && isIntermediateCare(r.service)).map((r) => r.agency)),
];

/** The intermediate-care episode under way, provided by the agency; another's is refused as if there were none (the application). */
function ownEpisode(state: PathwayState, command: { type: string; agency: Agency }): IntermediateCare {
  const episode = state.intermediateCare;
  if (state.stage !== 'intermediate_care' || !episode || episode.ended) {
    return reject('unknown_episode', `${command.type}: no intermediate-care episode is under way on this pathway`);
  }
  if (!episodeProviders(state).includes(command.agency)) {
    return reject('wrong_agency', `${command.type}: the episode is provided by ${episodeProviders(state).join(', ')}, not ${command.agency}`);
  }
  return episode;
}

/** The agency's own support arranged for after the discharge (in place from its day), and a day on or after the discharge, not in the future. */
function supportArranged(state: PathwayState, command: { type: string; at: string; referralId: string; agency: Agency }, day: string, field: string): Referral {
  const referral = ownReferral(state, command);
  if (!state.discharge) return reject('not_allowed_in_stage', `${command.type}: the patient has not been discharged`);
  if (referral.status !== 'ready') reject('not_allowed_in_stage', `referral ${referral.referralId} is ${referral.status}; only support in place (ready) starts`);
  if (day < state.discharge.date) reject('invalid', `${field}: before the discharge on ${state.discharge.date}`);
  if (day > dateOf(command.at)) reject('invalid', `${field}: recorded once the day has come`);
  return referral;
}

/** Funding as agreed for a referral's service, replacing what was assumed. */
function fundingRecorded(referral: Referral, funding: Funding & { at: string }): EventOf<'funding.recorded'> {
  if (funding.charging === 'free' && funding.chargesFrom) reject('invalid', 'chargesFrom: a free service has no charges');
  if (funding.payer === 'self_funded' && funding.charging !== 'full_cost') reject('invalid', 'charging: a self-funder pays the full cost');
  const { payer, charging, financialAssessment, chargesFrom, at } = funding;
  return { type: 'funding.recorded', at, referralId: referral.referralId, agency: referral.agency, service: referral.service, payer, charging, financialAssessment, ...(chargesFrom ? { chargesFrom } : {}) };
}

function decideDischarge(command: CommandOf<'discharge'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  // Said first: a second discharge (another date, say) has no referral or consent to wait for.
  if (state.discharge) return reject('not_allowed_in_stage', `discharge: already recorded on ${state.discharge.date}; the pathway is in stage ${state.stage}`);
  if (command.selfDischarge) return decideSelfDischarge(command, state, policy);
  if (state.stage !== 'ready_for_discharge') {
    const waiting = state.referrals.filter((r) => isLive(r) && holdsDischarge(r) && r.status !== 'ready').map((r) => `${r.referralId} (${r.service}, ${r.status})`);
    const cleared = rulesOf(state) >= 3 ? residesAgain(state) : undefined;
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
          ? `consent required from: ${missingConsent(state).join(', ')}${rulesOf(state) >= 4 ? " (record the patient's answer with consent: given, or not given when they refuse)" : ''}`
          : `needs without a live referral: ${uncoveredNeeds(state).join(', ')}`;
    return reject('not_allowed_in_stage', `discharge is not allowed in stage ${state.stage}: ${why}`);
  }
  const at = command.at;
  const pathway = state.assessment!.pathway;
  const rules4 = rulesOf(state) >= 4;
  if (rules4 && !destinationsOf[pathway].includes(command.destination) && !command.departure) {
    reject('invalid', `destination: pathway ${pathway} takes the person to ${destinationsOf[pathway].join(' or ')}, not ${command.destination}; give the reason to depart from it (departure)`);
  }
  const events = dischargeRecorded(command, state, policy, rules4 ? supportGap(command, state) : undefined);
  // Rules 4: a safety and welfare check on the day the person goes home (P0 and P1).
  if (rules4 && (pathway === 'P0' || pathway === 'P1')) events.push(...welfareCheck(state, policy, at));
  // Rules 2 start intermediate care only when arranged, on its day (settle); rules 1 for every P1/P2.
  if (rulesOf(state) === 1 && (pathway === 'P1' || pathway === 'P2')) {
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
  const late = state.referrals.filter((r) => holdsDischarge(r) && r.status === 'ready' && r.readyFrom !== undefined && r.readyFrom > command.date);
  if (late.length === 0) {
    if (bridge || informedChoice) reject('invalid', `${bridge ? 'bridge' : 'informedChoice'}: every service is in place by ${command.date}; there is no gap in support to decide on`);
    return undefined;
  }
  const services = late.map((r) => ({ referralId: r.referralId, service: r.service, startsOn: r.readyFrom!, days: daysBetween(command.date, r.readyFrom!) }));
  const named = services.map((s) => `${s.service} (${s.referralId}) starts on ${s.startsOn}, ${s.days} day(s) after`).join('; ');
  if (!bridge && !informedChoice) {
    reject('support_gap', `discharge on ${command.date} leaves the patient without support: ${named}; record a bridge (interim support: by whom, until when) or the patient's informed choice (informedChoice: true)`);
  }
  const lastStart = latest(services.map((s) => s.startsOn))!;
  if (bridge && !informedChoice && bridge.until < addDays(lastStart, -1)) {
    reject('invalid', `bridge.until: the bridge ends on ${bridge.until}, but support is not in place until ${lastStart}; it must last until at least ${addDays(lastStart, -1)}`);
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
function dischargeRecorded(command: CommandOf<'discharge'>, state: PathwayState, policy: Policy, gap?: SupportGap): PathwayEvent[] {
  const at = command.at;
  if (command.date > dateOf(at)) reject('invalid', 'date: a discharge is recorded once it has happened, not in advance');
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
      ...(command.departure && rulesOf(state) >= 4 ? { departure: command.departure } : {}),
      ...(command.selfDischarge ? { selfDischarge: true as const } : {}),
      ...(gap ? { supportGap: gap } : {}),
    },
    { type: 'readmission_watch.started', at, from: command.date, until: addDays(command.date, policy.readmissionWatchDays) },
    // Rules 4: out of hospital, no delay reason stands (and none can be resolved by hand any more).
    ...(rulesOf(state) >= 4 ? resolved(state.delayReasons, at) : []),
  ];
}

const resolved = (reasons: PathwayState['delayReasons'], at: string): PathwayEvent[] =>
  reasons.map(({ code, agency }) => ({ type: 'delay_reason.resolved' as const, at, code, agency }));

/**
 * Rules 4: a self-discharge is a discharge, at any stage before one. The hospital stays responsible
 * for the person for 30 days, so the watch runs; nothing is put on hold: every package not yet in
 * place is still wanted, now urgently, and stays in play (answers, deadlines, escalations).
 */
function decideSelfDischarge(command: CommandOf<'discharge'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  if (rulesOf(state) < 4) {
    return reject('invalid', 'selfDischarge: this pathway started under older rules, which record a self-discharge with cancel (self_discharged)');
  }
  const events = dischargeRecorded(command, state, policy);
  for (const referral of state.referrals) {
    const inPlace = referral.status === 'ready' && (referral.readyFrom ?? command.date) <= command.date;
    if (holdsDischarge(referral) && isLive(referral) && !inPlace) {
      events.push({ type: 'referral.urgent', at: command.at, referralId: referral.referralId, agency: referral.agency, reason: 'self_discharged', neededFrom: command.date });
    }
  }
  // Whatever the plan was, someone checks on the person the day they leave.
  return [...events, ...welfareCheck(state, policy, command.at)];
}

function decideReview(command: Omit<CommandOf<'review'>, 'type'> & { type: string }, state: PathwayState, policy: Policy, needsNow?: NeedsNow): PathwayEvent[] {
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
      ...(rulesOf(state) >= 2 && command.remainingNeeds ? { remainingNeeds: command.remainingNeeds } : {}),
      ...(needsNow ? { needsNow } : {}),
    },
  ];
  if (rulesOf(state) >= 2) return [...events, ...reviewOutcome(command, events.reduce(evolve, state), policy)];
  const days = daysBetween(ic.startDate, dateOf(at));
  if (command.outcome === 'goals_met') events.push({ type: 'intermediate_care.ended', at, reason: 'goals_met', days });
  if (command.outcome === 'needs_long_term_support') {
    events.push({ type: 'intermediate_care.ended', at, reason: 'long_term_needs', days }, handover(at, 'long_term_needs'));
  }
  return events;
}

/**
 * Rules 2: goals met with nothing remaining ends the episode; goals met with needs remaining, or
 * needs for long-term support, hand it over to the services that take over (a review while a
 * handover is underway re-plans it). `continue` only records the review.
 */
function reviewOutcome(command: Pick<CommandOf<'review'>, 'outcome' | 'remainingNeeds' | 'at'>, state: PathwayState, policy: Policy): PathwayEvent[] {
  switch (command.outcome) {
    case 'continue':
      return [];
    case 'goals_met':
      return handOver(state, policy, command.at, 'goals_met', command.remainingNeeds ?? remainingNeedsAt(state, []));
    case 'needs_long_term_support': {
      const needs = command.remainingNeeds ?? remainingNeedsAt(state);
      if (needs.length === 0) reject('invalid', 'remainingNeeds: needs_long_term_support hands over at least one need (goals_met when none remain)');
      return handOver(state, policy, command.at, 'long_term_needs', needs);
    }
  }
}

/** The day of the 30-day watch a date falls on (day 0 = the discharge), refusing one outside the running watch. */
function dayOfWatchOn(state: PathwayState, command: string, date: string, field: string): number {
  requireStage(state, command, ['discharged', 'intermediate_care', 'readmission_watch']);
  const watch = state.watch;
  if (!watch || watch.expired) return reject('not_allowed_in_stage', `${command}: the 30-day readmission watch has ended`);
  const day = daysBetween(watch.from, date);
  if (day < 0) reject('invalid', `${field}: before the discharge date`);
  const windowDays = daysBetween(watch.from, watch.until);
  if (day >= windowDays) reject('invalid', `${field}: day ${day} after discharge is outside the watch (days 0–${windowDays - 1})`);
  return day;
}

function decideReadmission(command: CommandOf<'readmission'>, state: PathwayState): PathwayEvent[] {
  const day = dayOfWatchOn(state, 'readmission', command.admittedOn, 'admittedOn');
  if (!command.emergency) reject('invalid', 'emergency: only an emergency readmission reopens the pathway');
  const at = command.at;
  const events: PathwayEvent[] = [...holdPackages(state, at, 'readmitted')];
  const ic = state.intermediateCare;
  if (ic && !ic.ended) events.push({ type: 'intermediate_care.ended', at, reason: 'readmitted', days: daysBetween(ic.startDate, dateOf(at)) });
  events.push({
    type: 'pathway.readmitted',
    at,
    newAdmissionId: command.newAdmissionId,
    linkedPathwayId: `pathway-${command.newAdmissionId}`,
    admittedOn: command.admittedOn,
    dayOfWatch: day,
  });
  return events;
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
  return allowance > 0 ? { type: 'discharge_ready.recorded', at, date, countsFrom: addDays(date, allowance) } : { type: 'discharge_ready.recorded', at, date };
}

/** Packages are put on hold, not cancelled: a readmitted person may need them again. */
function holdPackages(state: PathwayState, at: string, reason: 'readmitted' | 'cancelled'): PathwayEvent[] {
  return state.referrals
    .filter(isLive)
    .map((r) => ({ type: 'referral.on_hold' as const, at, referralId: r.referralId, agency: r.agency, reason }));
}

/** Agencies whose referral waits for the patient's consent, and (rules 4) housing while its referral does. */
const missingConsent = (state: PathwayState): Agency[] => [
  ...new Set([
    ...state.referrals.filter((r) => isLive(r) && holdsDischarge(r) && !mayShareWith(state, r.agency)).map((r) => r.agency),
    ...(housingConsentPending(state) ? ['housing' as const] : []),
  ]),
];

/** Follow-on events the state now implies, one after another: ready for discharge; intermediate care starting or ending; handback once everything is over. */
function settle(state: PathwayState, policy: Policy, at: string): PathwayEvent[] {
  const events: PathwayEvent[] = [];
  for (let next = followOn(state, policy, at); next; next = followOn(state, policy, at)) {
    events.push(next);
    state = evolve(state, next);
  }
  return events;
}

function followOn(state: PathwayState, policy: Policy, at: string): PathwayEvent | undefined {
  if (isClosed(state)) return undefined;
  if (state.stage === 'arranging' && state.assessment && beforeDischarge(state)) {
    const live = state.referrals.filter((r) => isLive(r) && holdsDischarge(r));
    const allReady = live.every((r) => r.status === 'ready');
    const stillResides = rulesOf(state) >= 3 && residesAgain(state) !== undefined;
    if (allReady && !stillResides && !reliesOnUnableCarer(state) && !wishesUnsettled(state) && uncoveredNeeds(state).length === 0 && missingConsent(state).length === 0) {
      return { type: 'pathway.ready_for_discharge', at };
    }
  }
  const intermediateCare = intermediateCareFollowOn(state, policy, at);
  if (intermediateCare) return intermediateCare;
  if (state.watch?.expired && intermediateCareOver(state, policy)) {
    const handedOver = rulesOf(state) === 1 ? state.handover !== undefined : state.referrals.some((r) => r.purpose === 'handover' && r.status === 'ready');
    const outcome = handedOver ? 'long_term_services' : state.assessment?.pathway === 'P3' ? 'care_home' : 'home';
    return { type: 'pathway.handed_back', at, outcome };
  }
  return undefined;
}
