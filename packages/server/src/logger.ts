import { pino, type Logger, type DestinationStream } from 'pino';

/** The log levels, lowest-noise first; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The one logger. Secrets never reach it: tokens, passwords and hashes are redacted by key wherever
 * they appear, and request logs carry method, path and status only.
 */
export const REDACT = [
  'token', '*.token', 'password', '*.password', 'sipPassword', '*.sipPassword', 'hash', '*.hash',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: 'hotline' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
