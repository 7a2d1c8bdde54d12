import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The floor every Homeward figure is measured against: a workflow that takes Updates and sleeps on
 * one durable 30-day timer, and nothing else (no domain, no search attributes, no activity). It
 * lives here, bundled on its own, never in the product's workflows/index.ts. No arguments, so it
 * runs the same under a plain client and under Homeward's encrypting one.
 */
export const touchUpdate = defineUpdate<number, [unknown]>('touch');
export const closeSignal = defineSignal('close');

export async function bareWorkflow(): Promise<number> {
  let updates = 0;
  let closed = false;
  setHandler(touchUpdate, () => ++updates);
  setHandler(closeSignal, () => {
    closed = true;
  });
  await condition(() => closed, '30 days');
  return updates;
}
