import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { sleeper } from './workflows/sleeper';

// The real Java time-skipping test server, installed from Maven Central by the project.
describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("completes a sleep('30 days') in seconds of wall-clock time", async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'sleeper',
      workflowsPath: path.join(__dirname, 'workflows', 'sleeper.ts'),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(sleeper, { taskQueue: 'sleeper', workflowId: 'sleeper-30-days', args: ['30 days'] }),
    );
    const workflowDays = (result.endedAt - result.startedAt) / 86_400_000;
    expect(workflowDays).toBeGreaterThanOrEqual(30);
    // 30 days of workflow time inside the test's timeout: skipped, not waited.
    expect(workflowDays).toBeLessThan(30.1);
  });
});
