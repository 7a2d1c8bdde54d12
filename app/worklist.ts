import { type ActiveReason, type PathwayState, type Referral } from '../domain';
import type { Agency } from '../schemas/common';
import type { WorklistRow } from '../readmodel/worklist';

/** The next thing the discharge team does for a stay, and by when (a date, or a referral's deadline). */
export interface NextAction {
  code: 'record_drd' | 'assess' | 'record_consent' | 'rerefer' | 'chase_acceptance' | 'chase_readiness' | 'discharge';
  /** Plain words for the board. */
  text: string;
  agency?: Agency;
  due?: string;
}

export interface OpenReferral {
  referralId: string;
  service: Referral['service'];
  agency: Agency;
  status: Referral['status'];
  /** By when the agency must answer (requested) or be ready (accepted). */
  due?: string;
  overdueSince?: string;
  readyFrom?: string;
}

/** One stay on the discharge team's board: codes, dates and agencies, and the patient as initials and an age band. */
export interface WorklistItem {
  pathwayId: string;
  patientInitials: string | null;
  ageBand: string | null;
  ward: string | null;
  stage: PathwayState['stage'];
  pathway: string | null;
  site: string | null;
  dischargeReadyDate: string | null;
  expectedDischargeDate: string | null;
  daysDelayed: number;
  delayedNow: boolean;
  referrals: OpenReferral[];
  consentsMissing: Agency[];
  reasons: ActiveReason[];
  next: NextAction;
}

/** Referrals for the discharge (not a later handover) that still stand. */
const forDischarge = (state: PathwayState) =>
  state.referrals.filter((r) => r.purpose !== 'handover' && r.status !== 'withdrawn');

/**
 * What to do next, in the order a discharge co-ordinator works: a DRD, the joint assessment, the
 * consents the referrals wait on, a declined package, the agency whose deadline comes first, then
 * the discharge itself.
 */
export function nextAction(state: PathwayState, consentsMissing: Agency[]): NextAction {
  if (!state.drd)
    return { code: 'record_drd', text: 'Record the discharge ready date', ...(state.edd ? { due: state.edd } : {}) };
  if (!state.assessment) return { code: 'assess', text: 'Hold the joint assessment', due: state.drd };
  if (consentsMissing.length > 0)
    return {
      code: 'record_consent',
      text: `Record consent to share with ${consentsMissing.join(', ')}`,
      agency: consentsMissing[0],
      due: state.drd,
    };
  const referrals = forDischarge(state);
  const declined = referrals.find((r) => r.status === 'declined');
  if (declined)
    return {
      code: 'rerefer',
      text: `Re-refer or change the plan: ${declined.agency} declined ${declined.service}`,
      agency: declined.agency,
      due: declined.declinedAt?.slice(0, 10),
    };
  const waiting = referrals
    .filter((r) => r.status === 'requested' || r.status === 'accepted')
    .map((r) => ({ referral: r, due: dueOf(r) }))
    .sort((a, b) => (a.due ?? '~').localeCompare(b.due ?? '~'))[0];
  if (waiting) {
    const { referral, due } = waiting;
    const what = referral.status === 'requested' ? 'to accept' : 'to be ready';
    return {
      code: referral.status === 'requested' ? 'chase_acceptance' : 'chase_readiness',
      text: `Chase ${referral.agency}: ${referral.service} ${what}`,
      agency: referral.agency,
      ...(due ? { due } : {}),
    };
  }
  const readyFrom = referrals
    .map((r) => r.readyFrom)
    .filter((d): d is string => Boolean(d))
    .sort()
    .at(-1);
  return {
    code: 'discharge',
    text: 'Record the discharge',
    due: readyFrom && readyFrom > state.drd ? readyFrom : state.drd,
  };
}

const dueOf = (referral: Referral): string | undefined =>
  referral.status === 'requested' ? referral.acceptBy : referral.readyBy;

export function worklistItem(row: WorklistRow): WorklistItem {
  const { state } = row;
  // The domain derives a consent blocker for each referred agency without consent: the board lists those.
  const consentsMissing = [...new Set(row.reasons.filter((r) => r.code === 'consent_required').map((r) => r.agency))];
  return {
    pathwayId: row.pathwayId,
    patientInitials: row.patientInitials,
    ageBand: row.ageBand,
    ward: state.ward ?? null,
    stage: state.stage,
    pathway: state.assessment?.pathway ?? null,
    site: row.site,
    dischargeReadyDate: state.drd ?? null,
    expectedDischargeDate: state.edd ?? null,
    daysDelayed: row.daysDelayed,
    delayedNow: row.delayedNow,
    referrals: forDischarge(state)
      .filter((r) => r.status !== 'ready' || !state.discharge)
      .map((r) => ({
        referralId: r.referralId,
        service: r.service,
        agency: r.agency,
        status: r.status,
        ...(dueOf(r) && (r.status === 'requested' || r.status === 'accepted') ? { due: dueOf(r) } : {}),
        ...(r.overdueSince ? { overdueSince: r.overdueSince } : {}),
        ...(r.readyFrom ? { readyFrom: r.readyFrom } : {}),
      })),
    consentsMissing,
    reasons: row.reasons,
    next: nextAction(state, consentsMissing),
  };
}
