import type { Phase } from '../phase';
import { commandsPhase } from './commands';
import { eventLagPhase } from './event-lag';
import { lifecyclePhase } from './lifecycle';
import { memoryPhase } from './memory';
import { projectorsPhase } from './projectors';
import { publishPhase } from './publish';
import { readSidePhase } from './read-side';
import { startsPhase } from './starts';
import { tracingPhase } from './tracing';

/** Every phase, in the order they run. */
export const phases: Phase[] = [
  startsPhase,
  commandsPhase,
  tracingPhase,
  eventLagPhase,
  readSidePhase,
  projectorsPhase,
  memoryPhase,
  publishPhase,
  lifecyclePhase,
];
