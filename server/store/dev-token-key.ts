/**
 * Development only (NODE_ENV=development with amoCRM credentials but no TOKEN_ENCRYPTION_KEY):
 * a random key kept in a file beside the database, so tokens are still encrypted at rest.
 * Production refuses to store tokens without an explicit key.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';

export function devTokenKey(databasePath: string, log: Logger): Buffer | null {
  if (databasePath === ':memory:') return randomBytes(32);
  const file = join(dirname(databasePath), '.dev-token-key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  log.warn({ file }, 'development mode: using a generated token key; set TOKEN_ENCRYPTION_KEY in production');
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
