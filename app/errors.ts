import type { ZodError } from 'zod';

/** How a use case failed; each transport turns a kind into its own answer (HTTP status, DLQ, exit code). */
export type AppErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

export interface Issue {
  path: string;
  message: string;
}

/** An error a use case reports as it is: a kind, a stable code and a message naming what is wrong (never personal data). */
export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function invalid(error: ZodError, where = 'body'): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || where, message: issue.message }));
  return new AppError('invalid', 'invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

/** Also what an actor gets for a pathway it may not see: its existence is not disclosed. */
export const notFound = (pathwayId: string) =>
  new AppError('not_found', 'not_found', `No pathway with id ${pathwayId}`);

export const forbidden = (permission: string, why: string) =>
  new AppError('forbidden', 'forbidden', `Needs permission ${permission}: ${why}`);

export const unauthenticated = (reason: string) => new AppError('unauthenticated', 'unauthenticated', reason);
