import { agencyEnvelopes } from '../kafka/envelopes';
import { evolve, initialState } from '../domain';
import type { CloudEvent } from '../schemas/cloudevent';
import type { Agency } from '../schemas/common';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import { routingContext } from '../workflows/routing-context';

export interface AgencyPathwayView {
  pathwayId: string;
  agency: Agency;
  /** Exactly the CloudEvents this agency received on its Kafka topic for this pathway, in order. */
  events: CloudEvent[];
}

/**
 * An agency's view of a pathway over HTTP: the same minimised events its topic carries, each
 * routed with the pathway as it stood right after the event (as the workflow publishes them).
 */
export function agencyPathwayView(
  pathwayId: string,
  timeline: RecordedPathwayEvent[],
  agency: Agency,
): AgencyPathwayView {
  let state = initialState;
  const events: CloudEvent[] = [];
  for (const recorded of timeline) {
    state = evolve(state, recorded.event);
    events.push(...agencyEnvelopes(pathwayId, recorded, routingContext(state), agency));
  }
  return { pathwayId, agency, events };
}
