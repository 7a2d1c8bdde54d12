import type { Phase } from '../phase';
import { commandsPhase } from './commands';
import { eventLagPhase } from './event-lag';
import { lifecyclePhase } from './lifecycle';
import { memoryPhase } from './memory';
import { publishPhase } from './publish';
import { startsPhase } from './starts';

/**
 * Every phase, in the order they run. The read side (managers' list, delay report and SitRep at
 * 10k and 50k pathways beside a bare indexed query on the same PostgreSQL, and the projector's
 * catch-up in events/s) is added here, as phases/read-side.ts, with the read model; its server's
 * pid goes into the system's ProcessRegistry as `postgres` so its CPU is reported like the others'.
 */
export const phases: Phase[] = [startsPhase, commandsPhase, eventLagPhase, memoryPhase, publishPhase, lifecyclePhase];
