import {
  activeReasons,
  dateOf,
  delayOnDay,
  drdDays,
  evolve,
  initialState,
  reasonAgencies,
  type DrdEpisode,
  type PathwayState,
} from '../../domain';
import type { RecordedPathwayEvent } from '../../workflows/definitions';

/** One day a patient spent in hospital with a discharge ready date: a line of that day's SitRep. */
export interface DayRow {
  day: string;
  pathwayId: string;
  site: string | null;
  localAuthority: string | null;
  pathway: string | null;
  daysDelayed: number;
  delayBand: string;
  /** Whether this day's bed counts towards bed-days lost (Scotland's allowance days do not). */
  bedDayLost: boolean;
  reasonCodes: string[];
  /** Whom those reasons waited on that day (as the row's reasonAgencies). */
  reasonAgencies: string[];
}

/** A day of an episode, its figures the domain's (delayOnDay); reasons, site and plan as the pathway stood at the end of that day. */
export function dayRow(pathwayId: string, stood: PathwayState, episode: DrdEpisode, day: string): DayRow {
  const { daysDelayed, band, bedDayLost } = delayOnDay(episode, day);
  const reasons = activeReasons(stood);
  return {
    day,
    pathwayId,
    site: stood.site ?? null,
    localAuthority: stood.localAuthority ?? null,
    pathway: stood.assessment?.pathway ?? null,
    daysDelayed,
    delayBand: band,
    bedDayLost,
    reasonCodes: [...new Set(reasons.map((r) => r.code))].sort(),
    reasonAgencies: reasonAgencies(reasons),
  };
}

/**
 * Every day of every DRD episode of a pathway (its events in order, an unbroken run from 1), up to
 * `today` while the patient is still in hospital (the domain's drdDays). Days before the pathway
 * was known take the pathway as first recorded.
 */
export function dayRows(pathwayId: string, applied: readonly RecordedPathwayEvent[], today: string): DayRow[] {
  const final = applied.reduce((state, recorded) => evolve(state, recorded.event), initialState);
  const rows: DayRow[] = [];
  let state = initialState;
  let next = 0;
  for (const { day, episode } of drdDays(final, today)) {
    while (next < applied.length && (state.stage === 'none' || dateOf(applied[next].event.at) <= day)) {
      state = evolve(state, applied[next].event);
      next += 1;
    }
    rows.push(dayRow(pathwayId, state, episode, day));
  }
  return rows;
}
