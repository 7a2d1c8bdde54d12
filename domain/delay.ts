import type { Agency, DelayReasonCode, Service } from '../schemas/common';
import { addDays, dateOf, daysBetween, earliest } from './dates';
import { reviewOverdueSince } from './deadlines';
import {
  beforeDischarge,
  criteriaToResideAgain,
  delayCountsFrom,
  holdsDischarge,
  housingConsentPending,
  housingNeed,
  isClosed,
  isLive,
  isOpen,
  mayShareWith,
  overdueSince,
  patientAtTheCentre,
  reliesOnUnableCarer,
  safeForThePatient,
  uncoveredNeeds,
  wishesUnsettled,
  type DrdEpisode,
  type PathwayState,
} from './state';

/** The bands in their natural order (the SitRep's): every list of bands, in every report, follows it. */
export const delayBands = ['0', '1', '2-3', '4-6', '7-13', '14-20', '21+'] as const;
export type DelayBand = (typeof delayBands)[number];

export function delayBand(days: number): DelayBand {
  if (days <= 0) return '0';
  if (days === 1) return '1';
  if (days <= 3) return '2-3';
  if (days <= 6) return '4-6';
  if (days <= 13) return '7-13';
  if (days <= 20) return '14-20';
  return '21+';
}

/** Whom a delay waits on: an agency, or the patient (or whoever decides for them) or their family, who are no agency's fault. */
export type WaitingOn = 'agency' | 'patient' | 'family';

export interface ActiveReason {
  code: DelayReasonCode;
  /** The agency concerned: the one that must act when waitingOn is `agency`; for consent, the agency waiting for it. */
  agency: Agency;
  waitingOn: WaitingOn;
  since: string;
  /** True when the pathway implies the reason (open referral, missing consent, no plan) rather than someone recording it. */
  derived: boolean;
  note?: string;
}

/** Whole days delayed in one DRD episode, from the day delay starts counting up to `until`; never negative. */
export const delayDaysUntil = (countsFrom: string, until: string): number =>
  Math.max(0, daysBetween(countsFrom, until));

/** Delay days of DRD episodes already closed because the patient met the criteria to reside again. */
export const priorDelayDays = (state: PathwayState): number =>
  state.drdEpisodes.reduce((total, episode) => total + (episode.delayDays ?? 0), 0);

type HousingReason = 'homeless' | 'awaiting' | undefined;

/** Rules 2 tell homelessness from being at risk of it or needing a move; rules 1 labelled every housing need homelessness. */
function housingReason(state: PathwayState): HousingReason {
  const need = housingNeed(state);
  if (!need) return undefined;
  if (!patientAtTheCentre(state)) return 'homeless';
  return need === 'homeless' ? 'homeless' : 'awaiting';
}

/**
 * The reason an open referral implies, so nobody re-types what the pathway already knows.
 * Rehabilitation at home is a P1 resource like reablement; before rules 3 it fell through to
 * equipment and adaptations, and pathways under them keep reporting it so.
 */
const reasonForService = (service: Service, housing: HousingReason, state: PathwayState): DelayReasonCode => {
  if (service === 'rehabilitation-at-home' && criteriaToResideAgain(state)) return 'awaiting_p1_resource';
  switch (service) {
    case 'domiciliary-care':
    case 'reablement':
    case 'therapy':
    case 'district-nursing':
    case 'home-from-hospital':
      return 'awaiting_p1_resource';
    case 'step-down-bed':
      return 'awaiting_p2_bed';
    case 'care-home-placement':
      return 'awaiting_p3_bed';
    case 'chc-assessment':
      return 'awaiting_chc_decision';
    case 'housing':
      // Housing for someone without a home is the SitRep's homelessness reason; at risk of it, or a move, awaits housing; otherwise adaptations.
      // Rules 4: housing a settled person asked for awaits housing too, never equipment.
      return housing === 'homeless'
        ? 'homeless_nrpf'
        : housing === 'awaiting' || safeForThePatient(state)
          ? 'awaiting_housing'
          : 'awaiting_equipment_adaptations';
    default:
      return 'awaiting_equipment_adaptations';
  }
};

/** The SitRep reason an open referral for this service implies on this pathway. */
export const impliedReason = (state: PathwayState, service: Service): DelayReasonCode =>
  reasonForService(service, housingReason(state), state);

/** Reasons that wait on the patient or their family whoever records them (SitRep: individual/family not in agreement). */
const waitingOnFor = (code: DelayReasonCode): WaitingOn =>
  code === 'consent_required' ? 'patient' : code === 'family_not_in_agreement' ? 'family' : 'agency';

/**
 * Explicit reasons plus the ones open referrals, missing consent, a disagreement with the plan and
 * a missing plan imply. Each says whom it waits on: consent on the patient (or whoever decides
 * for them), a disagreement on the patient or family, everything else on its agency.
 */
export function activeReasons(state: PathwayState): ActiveReason[] {
  if (!beforeDischarge(state)) return [];
  const reasons: ActiveReason[] = state.delayReasons.map(({ code, agency, since, note }) => ({
    code,
    agency,
    waitingOn: waitingOnFor(code),
    since,
    derived: false,
    ...(note ? { note } : {}),
  }));
  const add = (reason: ActiveReason) => {
    if (!reasons.some((r) => r.code === reason.code && r.agency === reason.agency && r.waitingOn === reason.waitingOn))
      reasons.push(reason);
  };
  const housing = housingReason(state);
  // Support that follows the person (rules 4) holds no discharge: no delay reason.
  for (const referral of state.referrals.filter(holdsDischarge)) {
    if (isOpen(referral)) {
      add({
        code: reasonForService(referral.service, housing, state),
        agency: referral.agency,
        waitingOn: 'agency',
        since: referral.requestedAt,
        derived: true,
      });
    }
    if (isLive(referral) && !mayShareWith(state, referral.agency)) {
      add({
        code: 'consent_required',
        agency: referral.agency,
        waitingOn: 'patient',
        since: referral.requestedAt,
        derived: true,
      });
    }
  }
  // Rules 4: the person has not yet said whether they consent to the referral to housing.
  if (housingConsentPending(state))
    add({
      code: 'consent_required',
      agency: 'housing',
      waitingOn: 'patient',
      since: state.assessment!.completedAt,
      derived: true,
    });
  // A declined need still blocks discharge: the wait is for that service, from the agency that declined, until re-referred.
  for (const service of uncoveredNeeds(state)) {
    const declined = state.referrals.filter((r) => r.service === service && r.status === 'declined').at(-1);
    if (declined) {
      add({
        code: reasonForService(service, housing, state),
        agency: declined.agency,
        waitingOn: 'agency',
        since: declined.declinedAt ?? declined.requestedAt,
        derived: true,
      });
    }
  }
  // The patient (or their representative) or family not in agreement with the plan, as the assessment recorded it.
  const assessment = state.assessment;
  for (const party of ['patient', 'family'] as const) {
    if (assessment?.agreement?.[party] === 'disagrees') {
      add({
        code: 'family_not_in_agreement',
        agency: 'acute-trust',
        waitingOn: party,
        since: assessment.completedAt,
        derived: true,
      });
    }
  }
  // Rules 4: a community bed or care home the patient has not agreed to, nor a best-interests decision made for.
  if (assessment && wishesUnsettled(state) && assessment.agreement?.patient !== 'disagrees') {
    add({
      code: 'family_not_in_agreement',
      agency: 'acute-trust',
      waitingOn: 'patient',
      since: assessment.completedAt,
      derived: true,
      note: wishesUnsettled(state),
    });
  }
  // Rules 4: a plan that relies on a carer who is not willing or able is no plan yet.
  if (reliesOnUnableCarer(state)) {
    add({
      code: 'no_plan',
      agency: 'acute-trust',
      waitingOn: 'agency',
      since: state.assessment!.completedAt,
      derived: true,
      note: 'the plan relies on a carer who is not willing or able',
    });
  }
  if (state.drd && !state.assessment)
    add({ code: 'no_plan', agency: 'acute-trust', waitingOn: 'agency', since: state.drd, derived: true });
  return reasons;
}

/** Distinct active codes, for the search attribute. `asOf` is accepted for symmetry with delaySummary; reasons do not expire. */
export const activeDelayReasonCodes = (state: PathwayState, _asOf?: string): DelayReasonCode[] => [
  ...new Set(activeReasons(state).map((r) => r.code)),
];

/** A stay is delayed now only while the patient is still in hospital: once discharged, its delay is history. */
export const isDelayedNow = (daysDelayed: number, dischargeDate: string | undefined): boolean =>
  dischargeDate === undefined && daysDelayed > 0;

export interface DelaySummary {
  drd?: string;
  /** Days delayed so far while in hospital; after discharge, the days the stay was delayed (history). */
  daysDelayed: number;
  /** True only while the patient is still in hospital and delayed: a discharged pathway is never delayed now. */
  delayedNow: boolean;
  band: DelayBand;
  /** Delay days of earlier DRD episodes (cleared when the criteria to reside were met again). */
  priorDelayDays: number;
  /** Delay days of every DRD episode, including ones ended when criteria to reside were met again. */
  bedDaysLost: number;
  reasons: ActiveReason[];
}

/** Days delayed = (discharge date, or asOf while in hospital) − DRD, whole days, never negative. */
export function delaySummary(state: PathwayState, asOf: string): DelaySummary {
  if (state.discharge) {
    return {
      drd: state.drdEpisodes.at(-1)?.from,
      daysDelayed: state.discharge.daysDelayed,
      delayedNow: false,
      band: delayBand(state.discharge.daysDelayed),
      priorDelayDays: state.discharge.bedDaysLost - state.discharge.daysDelayed,
      bedDaysLost: state.discharge.bedDaysLost,
      reasons: [],
    };
  }
  const countsFrom = delayCountsFrom(state);
  const current = countsFrom ? delayDaysUntil(countsFrom, asOf) : 0;
  const prior = priorDelayDays(state);
  // A closed stay (cancelled, died, transferred) has left hospital without a discharge: never delayed now.
  return {
    drd: state.drd,
    daysDelayed: current,
    delayedNow: beforeDischarge(state) && isDelayedNow(current, undefined),
    band: delayBand(current),
    priorDelayDays: prior,
    bedDaysLost: prior + current,
    reasons: activeReasons(state),
  };
}

/** The day a stay's delay is counted to: today while it is open, the day it closed once closed (a cancelled stay stops counting). */
export const delayDay = (state: PathwayState, today: string): string =>
  isClosed(state) && state.outcome ? dateOf(state.outcome.at) : today;

/** Since when an open stay has been stuck on a missed deadline: its earliest overdue referral or review; never once closed. */
export const stuckSince = (state: PathwayState): string | undefined =>
  isClosed(state) ? undefined : earliest([overdueSince(state), reviewOverdueSince(state)]);

/** A day of a DRD episode as the SitRep counts it: delayed by the days counted up to it; the bed is lost that day when counting up to the next day adds one. */
export function delayOnDay(
  episode: DrdEpisode,
  day: string,
): { daysDelayed: number; band: DelayBand; bedDayLost: boolean } {
  const countsFrom = episode.countsFrom ?? episode.from;
  const daysDelayed = delayDaysUntil(countsFrom, day);
  return {
    daysDelayed,
    band: delayBand(daysDelayed),
    bedDayLost: delayDaysUntil(countsFrom, addDays(day, 1)) > daysDelayed,
  };
}

/** The day an episode's last day in hospital with this DRD comes before: cleared, discharged, closed, or after `today`. */
function episodeEnd(state: PathwayState, episode: DrdEpisode, today: string): string {
  if (episode.clearedOn) return episode.clearedOn;
  if (state.discharge) return state.discharge.date;
  return addDays(delayDay(state, today), state.outcome ? 0 : 1);
}

/**
 * Every day the stay spent in hospital with a DRD, in order, up to `today` while the patient is
 * still there, each with the episode it counts under: one bed a day, so where a new DRD was dated
 * before the day the last one was cleared, the later episode has the day.
 */
export function drdDays(state: PathwayState, today: string): { day: string; episode: DrdEpisode }[] {
  const byDay = new Map<string, DrdEpisode>();
  for (const episode of state.drdEpisodes) {
    const end = episodeEnd(state, episode, today);
    for (let day = episode.from; day < end; day = addDays(day, 1)) byDay.set(day, episode);
  }
  return [...byDay]
    .map(([day, episode]) => ({ day, episode }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** Whom delay reasons wait on: agencies, and the patient or family for theirs (consent, disagreement), never an agency for those. */
export const reasonAgencies = (reasons: readonly ActiveReason[]): string[] =>
  [...new Set(reasons.map((r) => (r.waitingOn === 'agency' ? r.agency : r.waitingOn)))].sort();
