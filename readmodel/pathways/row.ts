import {
  awaitingAgencies,
  beforeDischarge,
  delayCountsFrom,
  delayDay,
  delaySummary,
  evolve,
  initialState,
  isClosed,
  overdueSince,
  reasonAgencies,
  reviewOverdueSince,
  stuckSince,
  uncoveredHandover,
  type ActiveReason,
  type PathwayState,
} from '../../domain';
import type { RecordedPathwayEvent } from '../../workflows/definitions';
import { informedAgencies } from '../../workflows/routing-context';

/** The managers' row for one pathway: every value comes from the domain's own functions. */
export interface PathwayRow {
  pathwayId: string;
  status: 'open' | 'closed';
  stage: string;
  inHospital: boolean;
  pathway: string | null;
  site: string | null;
  localAuthority: string | null;
  ward: string | null;
  region: string | null;
  admittedAt: string | null;
  drd: string | null;
  delayCountsFrom: string | null;
  daysDelayed: number;
  priorDelayDays: number;
  bedDaysLost: number;
  delayBand: string;
  delayAsOf: string;
  reasons: ActiveReason[];
  reasonCodes: string[];
  reasonAgencies: string[];
  awaitingAgencies: string[];
  referralAgencies: string[];
  /** Agencies sent any event of the stay: they may read it (the GP with no referral of its own). */
  informedAgencies: string[];
  overdueSince: string | null;
  reviewOverdueSince: string | null;
  /** Services being handed over that no live referral covers: a declined handover nobody has acted on. */
  handoverUncovered: string[];
  stuckSince: string | null;
  lastEventAt: string;
  lastSequence: number;
  eventCount: number;
  dischargeDate: string | null;
  destination: string | null;
  outcome: string | null;
  outcomeDetail: string | null;
  closedAt: string | null;
  previousPathwayId: string | null;
  linkedPathwayId: string | null;
  state: PathwayState;
}

export interface Folded {
  state: PathwayState;
  /** The events folded: the unbroken run from sequence 1 (a gap waits for the missing event). */
  applied: RecordedPathwayEvent[];
}

/** Folds a pathway's events, in sequence order, through the domain's evolve. */
export function foldTimeline(timeline: readonly RecordedPathwayEvent[]): Folded {
  const ordered = [...timeline].sort((a, b) => a.sequence - b.sequence);
  const applied: RecordedPathwayEvent[] = [];
  let state = initialState;
  for (const recorded of ordered) {
    if (recorded.sequence === applied.length) continue; // the same event twice
    if (recorded.sequence !== applied.length + 1) break;
    state = evolve(state, recorded.event);
    applied.push(recorded);
  }
  return { state, applied };
}

/** The columns that move with the calendar: what the daily roll recomputes for a pathway nobody touched. */
export function delayColumns(state: PathwayState, today: string) {
  const asOf = delayDay(state, today);
  const delay = delaySummary(state, asOf);
  return {
    drd: delay.drd ?? null,
    delayCountsFrom: delayCountsFrom(state) ?? null,
    daysDelayed: delay.daysDelayed,
    priorDelayDays: delay.priorDelayDays,
    bedDaysLost: delay.bedDaysLost,
    delayBand: delay.band,
    delayAsOf: asOf,
    reasons: delay.reasons,
  };
}

const distinct = (values: string[]) => [...new Set(values)].sort();

/** The row for a pathway whose events fold to `folded`, with delay counted as of `today` (YYYY-MM-DD). */
export function pathwayRow(pathwayId: string, folded: Folded, today: string): PathwayRow | undefined {
  const { state, applied } = folded;
  const last = applied.at(-1);
  if (!last || state.stage === 'none') return undefined;
  const delay = delayColumns(state, today);
  return {
    pathwayId,
    status: isClosed(state) ? 'closed' : 'open',
    stage: state.stage,
    inHospital: beforeDischarge(state),
    pathway: state.assessment?.pathway ?? null,
    site: state.site ?? null,
    localAuthority: state.localAuthority ?? null,
    ward: state.ward ?? null,
    region: state.region ?? null,
    admittedAt: state.admittedAt ?? null,
    ...delay,
    reasonCodes: distinct(delay.reasons.map((r) => r.code)),
    reasonAgencies: reasonAgencies(delay.reasons),
    awaitingAgencies: awaitingAgencies(state),
    referralAgencies: distinct(state.referrals.map((r) => r.agency)),
    informedAgencies: informedAgencies(applied.map((recorded) => recorded.event)),
    overdueSince: overdueSince(state) ?? null,
    reviewOverdueSince: reviewOverdueSince(state) ?? null,
    handoverUncovered: uncoveredHandover(state),
    stuckSince: stuckSince(state) ?? null,
    lastEventAt: last.event.at,
    lastSequence: last.sequence,
    eventCount: applied.length,
    dischargeDate: state.discharge?.date ?? null,
    destination: state.discharge?.destination ?? null,
    outcome: state.outcome?.stage ?? null,
    outcomeDetail: state.outcome?.detail ?? null,
    closedAt: state.outcome?.at ?? null,
    previousPathwayId: state.previousPathwayId ?? null,
    linkedPathwayId: state.readmission?.linkedPathwayId ?? null,
    state,
  };
}
