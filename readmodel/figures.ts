import {
  activeReasons,
  beforeDischarge,
  delayDay,
  delaySummary,
  isClosed,
  overdueSince,
  reasonAgencies,
  reviewOverdueSince,
  uncoveredHandover,
  type DelayBand,
  type PathwayState,
} from '../domain';

/**
 * The managers' figures, each defined once. `of` is what the domain's own functions say of a
 * pathway (its folded state, `today` being a UTC calendar day); `sql` says the same of the
 * pathway's row in `pathways`, which the projector computed with those functions, so that
 * PostgreSQL can count and filter by it. The list, the report and its CSV (and so the dashboard
 * and the CLI) count and filter with this SQL and nothing else; test/figures.test.ts proves
 * `sql` and `of` agree on generated pathways, on the real PostgreSQL.
 */

const summary = (state: PathwayState, today: string) => delaySummary(state, delayDay(state, today));

/** Delayed at least `n` days (a row of `pathways` or of `pathway_days`): "delayed" is a day or more, on both. */
const delayedDays = (n: string) => `days_delayed >= ${n}`;

/**
 * In hospital with a discharge ready date that has come: the SitRep's "patients with a DRD". Not a
 * DRD set for a later day, nor one cleared when the criteria to reside were met again.
 */
export const withDrd = {
  of: (state: PathwayState, today: string): boolean =>
    beforeDischarge(state) && state.drd !== undefined && state.drd <= today,
  sql: '(in_hospital AND drd IS NOT NULL AND drd <= delay_as_of)',
};

/** In hospital with a DRD, delayed at least `n` days: the list's `delayedForDays` (0: everyone with a DRD, as `withDrd`). */
export const delayedForDays = {
  of: (state: PathwayState, today: string, n: number): boolean =>
    withDrd.of(state, today) && summary(state, today).daysDelayed >= n,
  sql: (n: string) => `(${withDrd.sql} AND ${delayedDays(n)})`,
};

/**
 * Delayed now: still in hospital and delayed a day or more (the domain's isDelayedNow). Never once
 * discharged (the delay is history) nor once closed (died, transferred, self-discharged: the
 * patient has left).
 */
export const delayedNow = {
  of: (state: PathwayState, today: string): boolean => summary(state, today).delayedNow,
  sql: delayedForDays.sql('1'),
};

/**
 * The band of the days delayed (now, or at discharge or closure) of a stay whose DRD has come;
 * none (NULL) without one: no DRD, one for a later day, or one cleared when the criteria to reside
 * were met again. Band 0 is a DRD with no day delayed yet: set today, within Scotland's allowance
 * days, or discharged on the day. Bed-days lost count every DRD episode, so a stay in band 0 may
 * have lost bed-days in an earlier one.
 */
export const band = {
  of: (state: PathwayState, today: string): DelayBand | null => {
    const delay = summary(state, today);
    return delay.drd !== undefined && delay.drd <= delayDay(state, today) ? delay.band : null;
  },
  sql: 'CASE WHEN drd <= delay_as_of THEN delay_band END',
};

/** Bed-days lost: every day delayed, across every DRD episode of the stay. */
export const bedDaysLost = {
  of: (state: PathwayState, today: string): number => summary(state, today).bedDaysLost,
  sql: 'bed_days_lost',
};

/** The stays the delay report counts: a DRD (now, or at discharge or closure), or bed-days lost in an earlier episode. */
export const reported = {
  of: (state: PathwayState, today: string): boolean => {
    const delay = summary(state, today);
    return delay.drd !== undefined || delay.bedDaysLost > 0;
  },
  sql: '(drd IS NOT NULL OR bed_days_lost > 0)',
};

const dayMs = 86_400_000;

/**
 * Stuck: open, with a missed referral deadline or an overdue review, or in hospital with no event
 * for `stuckForDays` days. `now` in milliseconds; the SQL's is the transaction's now().
 */
export const stuck = {
  of: (state: PathwayState, facts: { lastEventAt: string; now: number; stuckForDays: number }): boolean =>
    !isClosed(state) &&
    (overdueSince(state) !== undefined ||
      reviewOverdueSince(state) !== undefined ||
      (beforeDischarge(state) && Date.parse(facts.lastEventAt) < facts.now - facts.stuckForDays * dayMs)),
  sql: (stuckForDays: string) =>
    `(status = 'open' AND (stuck_since IS NOT NULL OR (in_hospital AND last_event_at < now() - make_interval(days => ${stuckForDays}))))`,
};

/** Intermediate care's review overdue: the domain's reviewOverdueSince, kept on the row as review_overdue_since. */
export const reviewOverdue = {
  of: (state: PathwayState): boolean => reviewOverdueSince(state) !== undefined,
  sql: 'review_overdue_since IS NOT NULL',
};

/**
 * The handover to long-term services declined and nobody has re-referred or extended: needs being
 * handed over that no live referral covers (the domain's uncoveredHandover, kept on the row as
 * handover_uncovered).
 */
export const handoverDeclined = {
  of: (state: PathwayState): boolean => uncoveredHandover(state).length > 0,
  sql: 'cardinality(handover_uncovered) > 0',
};

export type StuckCode = 'referral_overdue' | 'review_overdue' | 'no_event';

/**
 * Why a stuck row is stuck and since when: its earliest missed deadline (`stuck_since`, a
 * referral's or a review's), else its last event. Null when it is not stuck.
 */
export function stuckReason(row: {
  stuck: boolean;
  stuckSince: string | null;
  overdueSince: string | null;
  lastEventAt: string;
}): { code: StuckCode; since: string } | null {
  if (!row.stuck) return null;
  if (row.stuckSince === null) return { code: 'no_event', since: row.lastEventAt };
  return { code: row.stuckSince === row.overdueSince ? 'referral_overdue' : 'review_overdue', since: row.stuckSince };
}

/**
 * Held up for a reason: one of the stay's current delay reasons (explicit or implied by the pathway)
 * has this code. The same columns on a row of `pathways` (now) and of `pathway_days` (as the stay
 * stood that day), so the list, the report and the trend filter alike. `code` is a placeholder.
 */
export const forReason = {
  of: (state: PathwayState, code: string): boolean => activeReasons(state).some((reason) => reason.code === code),
  sql: (code: string) => `${code} = ANY(reason_codes)`,
};

/** Waiting on an agency: a current delay reason is attributed to it (reasonAgencies). `agency` is a placeholder. */
export const waitingOn = {
  of: (state: PathwayState, agency: string): boolean => reasonAgencies(activeReasons(state)).includes(agency),
  sql: (agency: string) => `${agency} = ANY(reason_agencies)`,
};

/**
 * The same figures for one day of a stay, on `pathway_days` (the SitRep and the trend): a row is a
 * day in hospital with a DRD (withDrd that day), delayed as `delayedNow` says of a stay on that day.
 */
export const onDay = {
  delayed: delayedDays('1'),
  bedLost: 'bed_day_lost',
};
