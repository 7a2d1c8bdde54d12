import type { EventPublisher } from '../kafka/publisher';
import { createPublishActivities } from './publish';

/** Every activity the pathway workflow may call, wired to the process's shared clients. */
export function createActivities(deps: { publisher: EventPublisher }) {
  return {
    ...createPublishActivities(deps.publisher),
  };
}

export type PathwayActivities = ReturnType<typeof createActivities>;
