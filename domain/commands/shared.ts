import type { Agency, Stage } from '../../schemas/common';
import type { PathwayEvent } from '../../schemas/events';
import { reject } from '../rejection';
import {
  holdsDischarge,
  housingConsentPending,
  inHospitalStages,
  isLive,
  mayShareWith,
  type PathwayState,
} from '../state';

// What more than one area of commands asks.

export function requireStage(state: PathwayState, command: string, allowed: readonly Stage[]): void {
  if (!allowed.includes(state.stage as Stage)) {
    reject(
      'not_allowed_in_stage',
      `${command} is not allowed in stage ${state.stage} (allowed in: ${allowed.join(', ')})`,
    );
  }
}

export const PRE_DISCHARGE = inHospitalStages;

/** The delay reasons given, resolved now. */
export const resolved = (reasons: PathwayState['delayReasons'], at: string): PathwayEvent[] =>
  reasons.map(({ code, agency }) => ({ type: 'delay_reason.resolved' as const, at, code, agency }));

/** Packages are put on hold, not cancelled: a readmitted person may need them again. */
export function holdPackages(state: PathwayState, at: string, reason: 'readmitted' | 'cancelled'): PathwayEvent[] {
  return state.referrals
    .filter(isLive)
    .map((r) => ({ type: 'referral.on_hold' as const, at, referralId: r.referralId, agency: r.agency, reason }));
}

/** Agencies whose referral waits for the patient's consent, and (rules 4) housing while its referral does. */
export const missingConsent = (state: PathwayState): Agency[] => [
  ...new Set([
    ...state.referrals
      .filter((r) => isLive(r) && holdsDischarge(r) && !mayShareWith(state, r.agency))
      .map((r) => r.agency),
    ...(housingConsentPending(state) ? ['housing' as const] : []),
  ]),
];
