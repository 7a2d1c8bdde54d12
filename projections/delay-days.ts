import { activeReasons, addDays, dateOf, delayBand, delayDaysUntil, evolve, initialState, type DrdEpisode, type PathwayState } from '../domain';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import { delayDay, reasonAgencies } from './pathway-row';

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

/**
 * A day of an episode, from the domain's delay functions: delayed by the days counted up to it;
 * the bed is lost that day when counting up to the next day adds one. Reasons, site and plan are
 * as the pathway stood at the end of that day.
 */
export function dayRow(pathwayId: string, stood: PathwayState, episode: DrdEpisode, day: string): DayRow {
  const countsFrom = episode.countsFrom ?? episode.from;
  const daysDelayed = delayDaysUntil(countsFrom, day);
  const reasons = activeReasons(stood);
  return {
    day,
    pathwayId,
    site: stood.site ?? null,
    localAuthority: stood.localAuthority ?? null,
    pathway: stood.assessment?.pathway ?? null,
    daysDelayed,
    delayBand: delayBand(daysDelayed),
    bedDayLost: delayDaysUntil(countsFrom, addDays(day, 1)) > daysDelayed,
    reasonCodes: [...new Set(reasons.map((r) => r.code))].sort(),
    reasonAgencies: reasonAgencies(reasons),
  };
}

/** The day an episode's last day in hospital with this DRD comes before: cleared, discharged, closed, or after `today`. */
function episodeEnd(state: PathwayState, episode: DrdEpisode, today: string): string {
  if (episode.clearedOn) return episode.clearedOn;
  if (state.discharge) return state.discharge.date;
  return addDays(delayDay(state, today), state.outcome ? 0 : 1);
}

/**
 * Every day of every DRD episode of a pathway (its events in order, an unbroken run from 1), up to
 * `today` while the patient is still in hospital. Days before the pathway was known take the
 * pathway as first recorded.
 */
export function dayRows(pathwayId: string, applied: readonly RecordedPathwayEvent[], today: string): DayRow[] {
  const final = applied.reduce((state, recorded) => evolve(state, recorded.event), initialState);
  // One bed a day: where a new DRD was dated before the day the last one was cleared, the later episode has the day.
  const byDay = new Map<string, DrdEpisode>();
  for (const episode of final.drdEpisodes) {
    const end = episodeEnd(final, episode, today);
    for (let day = episode.from; day < end; day = addDays(day, 1)) byDay.set(day, episode);
  }
  const wanted = [...byDay].map(([day, episode]) => ({ day, episode })).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const rows: DayRow[] = [];
  let state = initialState;
  let next = 0;
  for (const { day, episode } of wanted) {
    while (next < applied.length && (state.stage === 'none' || dateOf(applied[next].event.at) <= day)) {
      state = evolve(state, applied[next].event);
      next += 1;
    }
    rows.push(dayRow(pathwayId, state, episode, day));
  }
  return rows;
}
