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

/**
 * JSON lines (for log collectors) unless `pretty`: main.ts asks for readable, coloured lines in
 * development when stdout is a terminal (pino-pretty, in-process so redaction still applies).
 */
export function createLogger(level: string, options: { destination?: pino.DestinationStream; pretty?: boolean } = {}): Logger {
  const settings = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.pretty && !options.destination) {
    return pino(settings, pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }));
  }
  return pino(settings, options.destination);
}

export type { Logger };
