import { eventsPublished } from '../health/metrics';
import { producing } from '../telemetry/kafka-spans';
import type { EventPublisher } from '../kafka/publisher';
import { route } from '../kafka/envelopes';
import type { RoutingContext } from '../schemas/data-minimisation';
import type { RecordedPathwayEvent } from '../workflows/definitions';

export interface PublishRequest {
  pathwayId: string;
  events: RecordedPathwayEvent[];
  /** For each event, the pathway as it stood right after it: whom the event concerns and what they may see. */
  contexts?: RoutingContext[];
  /** Before per-event contexts: one for the whole batch (an activity scheduled by an older worker). */
  context?: RoutingContext;
}

export function createPublishActivities(publisher: EventPublisher) {
  return {
    /** Idempotent by construction: a retry re-sends the same ids, which consumers de-duplicate. */
    async publishEvents(request: PublishRequest): Promise<number> {
      // Every message carries the producer span's trace: consumers continue the command's trace.
      return producing(async (traceparent) => {
        const messages = request.events.flatMap((recorded, i) => {
          const context = request.contexts?.[i] ?? request.context;
          if (!context) throw new Error(`publishEvents: no routing context for event ${recorded.sequence}`);
          return route(request.pathwayId, recorded, context, traceparent);
        });
        await publisher.publish(messages);
        for (const { topic } of messages) eventsPublished.inc({ topic });
        return messages.length;
      });
    },
  };
}
