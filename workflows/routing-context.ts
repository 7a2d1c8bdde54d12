import { evolve, initialState, isLive, sharing, type PathwayState } from '../domain';
import { recipientsOf, type HandoverPicture } from '../schemas/data-minimisation';
import type { RoutingContext } from '../schemas/data-minimisation';
import type { Agency } from '../schemas/common';
import type { PathwayEvent } from '../schemas/events';

/** What the publisher needs to route and minimise events, taken from the state at publish time. */
export function routingContext(state: PathwayState): RoutingContext {
  return {
    // Set by pathway.started, always the first event published; its housing as last recorded (rules 4).
    patient: state.housingStatus ? { ...state.patient!, housingStatus: state.housingStatus } : state.patient!,
    // Rules 4: direct-care agencies unless the patient objected; housing and voluntary with consent.
    consents: sharing(state),
    referralAgencies: Object.fromEntries(state.referrals.map((r) => [r.referralId, r.agency])),
    services: [...new Set(state.referrals.filter((r) => r.status === 'ready').map((r) => r.service))],
    arranged: state.referrals
      .filter((r) => r.status === 'ready')
      .map((r) => ({
        service: r.service,
        provider: r.agency,
        ...(r.readyFrom ? { from: r.readyFrom } : {}),
        ...(r.purpose ? { purpose: r.purpose } : {}),
      })),
    ...(state.admittedAt ? { admittedOn: state.admittedAt.slice(0, 10) } : {}),
    ...(state.carer ? { carer: state.carer } : {}),
    // Absent until recorded: a running pathway's publishing input stays as it was.
    ...(state.accessibleInformation ? { accessibleInformation: state.accessibleInformation } : {}),
    ...(state.assessment?.summary || state.assessment?.home
      ? {
          assessmentSummary: {
            ...state.assessment.summary,
            ...(state.assessment.home ? { home: state.assessment.home } : {}),
          },
        }
      : {}),
    ...picture(state),
  };
}

/** The latest picture intermediate care has of the person, for its handover; none before a review, plan, lead or handover. */
function picture(state: PathwayState): { picture?: HandoverPicture } {
  const episode = state.intermediateCare;
  const lead = episode?.lead ?? state.lead;
  const handover = state.referrals.filter((r) => r.purpose === 'handover' && isLive(r));
  const funding = handover.flatMap(({ referralId, service, agency, funding }) =>
    funding ? [{ referralId, service, agency, ...funding }] : [],
  );
  const found: HandoverPicture = {
    ...(episode?.latestReview ? { latestReview: episode.latestReview } : {}),
    ...(episode?.remainingNeeds ? { transitionPlan: episode.remainingNeeds } : {}),
    ...(funding.length ? { funding } : {}),
    ...(lead ? { leadProfessional: lead } : {}),
  };
  return Object.keys(found).length > 0 ? { picture: found } : {};
}

/**
 * The agencies (besides the trust) a pathway's events have been sent to, each routed as the
 * workflow routes it: those that have heard of the stay and may read it (the GP, from its
 * discharge summary or a handover, with no referral of its own). Needs no personal data, so the
 * read model computes it from its sealed events.
 */
export function informedAgencies(events: readonly PathwayEvent[]): Agency[] {
  const informed = new Set<Agency>();
  let state = initialState;
  for (const event of events) {
    state = evolve(state, event);
    for (const agency of recipientsOf(event, routingContext(state))) informed.add(agency);
  }
  return [...informed].sort();
}
