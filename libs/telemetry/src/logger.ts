import pino, { type Logger } from 'pino';
import { currentSpanIds } from './tracing';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.privateKey',
  '*.private_key',
  '*.authToken',
  '*.accessToken',
];

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line written inside a span names its trace, so logs and traces join on traceId.
    mixin: () => currentSpanIds() ?? {},
  });
}

/** Nest injection token of the service's pino logger. */
export const LOGGER = Symbol('LOGGER');
