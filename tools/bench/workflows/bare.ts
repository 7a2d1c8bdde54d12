import { condition, defineSignal, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';

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

/** The activity barePublishingWorkflow calls: one Kafka message, through the product's publisher. */
export interface BarePublishing {
  publishTouch(workflowId: string, touches: number): Promise<void>;
}

const { publishTouch } = proxyActivities<BarePublishing>({ startToCloseTimeout: '1 minute' });

/**
 * The fair floor for a command: the bare workflow, plus what Homeward's outbox must do after every
 * command, which is run an activity that publishes one Kafka message once the Update is durable. So
 * it costs the same extra workflow tasks (the activity scheduled, then completed) with nothing of
 * Homeward's domain, codec, search attributes or routing.
 */
export async function barePublishingWorkflow(): Promise<number> {
  let updates = 0;
  let published = 0;
  let closed = false;
  setHandler(touchUpdate, () => ++updates);
  setHandler(closeSignal, () => {
    closed = true;
  });
  while (!closed) {
    if (published < updates) {
      const touches = updates;
      await publishTouch(workflowInfo().workflowId, touches);
      published = touches;
      continue;
    }
    await condition(() => closed || published < updates);
  }
  return updates;
}
