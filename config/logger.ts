import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

/** The trace and span a line is written in, when tracing is on: an operator goes from a log line to its trace. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { traceId: context.traceId, spanId: context.spanId } : {};
}

/**
 * Structured logs. Personal data never reaches a log line: the paths below are redacted as a
 * safety net, and code logs pathway ids, stages and codes only.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  // People at a terminal read lines, machines read JSON: pretty only on a TTY, unless LOG_FORMAT=json.
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    mixin: traceFields,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,name' },
          },
        }
      : {}),
    redact: {
      paths: [
        'patient',
        '*.patient',
        'nhsNumber',
        '*.nhsNumber',
        'address',
        '*.address',
        'dateOfBirth',
        '*.dateOfBirth',
        'req.body',
      ],
      censor: '[redacted]',
    },
  });
}
