import { sleep, workflowInfo } from '@temporalio/workflow';

/** Sleeps a long durable timer and reports how much workflow time passed. */
export async function sleeper(duration: string): Promise<{ startedAt: number; endedAt: number; attempt: number }> {
  const startedAt = Date.now();
  await sleep(duration as `${number} days`);
  return { startedAt, endedAt: Date.now(), attempt: workflowInfo().attempt };
}
