import pino, { type Logger } from 'pino';

/**
 * Paths that may carry secrets anywhere we log: request headers, bodies we echo for debugging,
 * and amoCRM request/response excerpts. Tokens and the client secret never reach a log line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.query.code',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.code',
  '*.apikey',
  '*.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
