import { serviceAgency, type Agency, type Service } from '../schemas/common';
import type { EventOf } from '../schemas/events';
import { addHours, earliest, latest } from './dates';
import { assumedFunding } from './funding';
import type { Policy } from './policy';
import { mayShareWith, patientAtTheCentre, type PathwayState, type Referral } from './state';

/**
 * A referral to the agency that provides the service (or a chosen one), with its two deadlines:
 * `acceptBy` counts the agency's SLA hours for accepting from the request; `readyBy` is the
 * readiness deadline if accepted at the last moment, which acceptance never brings earlier.
 */
export function requestReferral(
  state: PathwayState,
  policy: Policy,
  service: Service,
  reason: EventOf<'referral.requested'>['reason'],
  at: string,
  agency: Agency = serviceAgency[service],
  purpose?: Referral['purpose'],
): EventOf<'referral.requested'> {
  const acceptBy = addHours(at, policy.sla[agency].acceptWithinHours);
  return {
    type: 'referral.requested',
    at,
    referralId: `ref-${state.referrals.length + 1}`,
    service,
    agency,
    reason,
    acceptBy,
    readyBy: readyBy({ service, agency, requestedAt: at }, acceptBy, policy),
    consentRequired: !mayShareWith(state, agency),
    ...(purpose ? { purpose } : {}),
    ...(patientAtTheCentre(state) ? { funding: assumedFunding(service, agency) } : {}),
  };
}

/**
 * The readiness deadline an acceptance sets. Rules 2: counted from the acceptance deadline, or from
 * the acceptance if it came later, so an agency never sees a deadline earlier than the one it was
 * shown with the request. Rules 1 counted from the acceptance itself.
 */
export function readyByOnAcceptance(
  state: PathwayState,
  referral: Referral,
  acceptedAt: string,
  policy: Policy,
): string {
  const countsFrom = !patientAtTheCentre(state) ? acceptedAt : (latest([acceptedAt, referral.acceptBy]) as string);
  return readyBy(referral, countsFrom, policy);
}

/** Support must be in place within the agency's SLA; a community bed within two days of referral. */
function readyBy(
  referral: Pick<Referral, 'service' | 'agency' | 'requestedAt'>,
  countsFrom: string,
  policy: Policy,
): string {
  const bySla = addHours(countsFrom, policy.sla[referral.agency].readyWithinHours);
  if (referral.service !== 'step-down-bed') return bySla;
  return earliest([bySla, addHours(referral.requestedAt, policy.bedBasedStartWithinDays * 24)]) as string;
}
