import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ZodError } from 'zod';

/** An error the API reports as it is: status, a stable code and a message naming what is wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export function invalid(error: ZodError, where = 'body'): ApiError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || where, message: issue.message }));
  return new ApiError(422, 'invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

export function notFound(pathwayId: string): ApiError {
  return new ApiError(404, 'not_found', `No pathway with id ${pathwayId}`);
}

/** Maps what Temporal says about a command to the HTTP answer: 404 unknown, 422 invalid, 409 not allowed. */
export function fromTemporal(error: unknown, pathwayId: string): unknown {
  if (error instanceof WorkflowNotFoundError) return notFound(pathwayId);
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { type?: string; message?: string; details?: unknown[] } | undefined;
    if (cause?.type === 'InvalidCommand') {
      return new ApiError(422, 'invalid', cause.message ?? 'invalid command', (cause.details?.[0] as { path: string; message: string }[]) ?? undefined);
    }
    if (cause?.type === 'CommandRejected') {
      return new ApiError(409, String(cause.details?.[0] ?? 'not_allowed'), cause.message ?? 'command not allowed now');
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  // A completed workflow no longer takes Updates: the pathway is closed.
  if (/workflow execution already completed/i.test(message)) {
    return new ApiError(409, 'closed', `Pathway ${pathwayId} is closed and takes no more commands`);
  }
  return error;
}
