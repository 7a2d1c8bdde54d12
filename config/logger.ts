import pino, { type Logger } from 'pino';

/**
 * Structured logs. Personal data never reaches a log line: the paths below are redacted as a
 * safety net, and code logs pathway ids, stages and codes only.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['patient', '*.patient', 'nhsNumber', '*.nhsNumber', 'address', '*.address', 'dateOfBirth', '*.dateOfBirth', 'req.body'],
      censor: '[redacted]',
    },
  });
}
