import type { FastifyReply } from 'fastify';
import type { AppError, AppErrorKind } from '../app/errors';

const statusOf: Record<AppErrorKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

/** The HTTP answer to an application error: the transport translates, it does not decide. */
export function sendAppError(reply: FastifyReply, error: AppError) {
  if (error.kind === 'unauthenticated') {
    // RFC 6750: no error code when no token was sent at all.
    const description = error.message.replace(/["\\]/g, '');
    reply.header(
      'www-authenticate',
      error.code === 'missing_token'
        ? 'Bearer realm="homeward"'
        : `Bearer realm="homeward", error="invalid_token", error_description="${description}"`,
    );
  }
  if (error.kind === 'unavailable') reply.header('retry-after', '5');
  return reply
    .status(statusOf[error.kind])
    .send({ error: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) });
}
