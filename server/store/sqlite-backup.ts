/**
 * Backups of the SQLite store (tokens, settings, the outbox, zones…) while the server serves,
 * and putting one back. The copy is SQLite's own online backup (better-sqlite3 `backup()`, the
 * sqlite3_backup API): page by page, consistent at one moment, without stopping writers. A copy
 * is checked (integrity, schema) before it is named as the backup, and again before a restore.
 */
import Database from 'better-sqlite3';
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { SCHEMA_VERSION } from './database.js';
import type { TokenCipher } from './token-crypto.js';

export interface BackupSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  accounts: number;
  pendingItems: number;
}

export class BackupError extends Error {}

/** What a store file holds, after checking it is whole; throws BackupError in words. */
export function inspect(file: string): Omit<BackupSummary, 'file' | 'bytes'> & { tokenKeyFingerprint: string | null } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file}: not a SQLite file that can be opened (${(error as Error).message})`);
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file}: the copy is damaged (integrity_check: ${String(check)})`);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    if (!tables.has('accounts') || !tables.has('outbox')) throw new BackupError(`${file}: not an amo-address store (no accounts or outbox table)`);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const fingerprint = tables.has('meta') ? ((db.prepare("SELECT value FROM meta WHERE key = 'token_key_fingerprint'").get() as { value: string } | undefined)?.value ?? null) : null;
    return { schemaVersion, accounts: count('SELECT COUNT(*) AS n FROM accounts'), pendingItems: count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'"), tokenKeyFingerprint: fingerprint };
  } finally {
    db.close();
  }
}

/** Copies the live store at `source` to `target` (written beside it, checked, then renamed into place). */
export async function backupStore(source: string, target: string): Promise<BackupSummary> {
  if (!existsSync(source)) throw new BackupError(`${source}: no store there (DATABASE_PATH)`);
  if (existsSync(target)) throw new BackupError(`${target} exists already: name a new file (a backup never overwrites another)`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // 256 pages a step: the server's writes go on between steps.
    await db.backup(partial, { progress: () => 256 });
  } finally {
    db.close();
  }
  // The copy carries the live file's WAL mode, and any open of it would leave `-wal` and `-shm`
  // files beside it (then orphaned by the rename): a backup is one file, in rollback mode.
  // (A server started on a restored copy turns WAL on again: database.ts.)
  const copy = new Database(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  try {
    const found = inspect(partial);
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, schemaVersion: found.schemaVersion, accounts: found.accounts, pendingItems: found.pendingItems };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Puts a backup back at `target`. Refused while another process has the store open (the server:
 * its caches and queue would not match the file), for a backup this release cannot read, and for
 * one whose tokens were encrypted with another key than `keyFingerprint`.
 */
export async function restoreStore(backup: string, target: string, options: { cipher: TokenCipher | null }): Promise<BackupSummary> {
  if (existsSync(backup) && existsSync(target) && realpathSync(backup) === realpathSync(target)) {
    throw new BackupError(`${backup} is the database itself (DATABASE_PATH): name a backup made by npm run backup`);
  }
  const found = inspect(backup);
  if (found.schemaVersion > SCHEMA_VERSION) throw new BackupError(`${backup}: made by a newer release (schema ${found.schemaVersion}, this one knows ${SCHEMA_VERSION}); restore it with that release`);
  const cipher = options.cipher;
  if (cipher && found.tokenKeyFingerprint && found.tokenKeyFingerprint !== cipher.fingerprint()) {
    throw new BackupError(`${backup}: its amoCRM tokens were encrypted with another TOKEN_ENCRYPTION_KEY; set the key that was in use when it was made`);
  }
  // No record of the key (a backup from before it was kept, or one whose row was deleted): a
  // stored token must open with the key set now, or the restore would bring back unreadable tokens.
  if (cipher && !found.tokenKeyFingerprint && !tokensOpenWith(backup, cipher)) {
    throw new BackupError(`${backup}: it has no record of the TOKEN_ENCRYPTION_KEY its tokens were encrypted with, and they do not open with the key set now; use an untouched backup, or set the key it was made with`);
  }
  if (existsSync(target)) assertNotInUse(target);
  const source = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    // Through SQLite, not a file copy: the target's WAL and journal stay consistent with it.
    await source.backup(target);
  } finally {
    source.close();
  }
  return { file: target, bytes: statSync(target).size, schemaVersion: found.schemaVersion, accounts: found.accounts, pendingItems: found.pendingItems };
}

/** Whether the backup's first stored token decrypts with this key (true when it holds none). */
function tokensOpenWith(file: string, cipher: TokenCipher): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT account_id, access_token FROM accounts WHERE access_token IS NOT NULL LIMIT 1').get() as { account_id: number; access_token: Buffer } | undefined;
    if (!row) return true;
    try {
      cipher.decrypt(row.access_token, row.account_id);
      return true;
    } catch {
      return false;
    }
  } finally {
    db.close();
  }
}

/**
 * A WAL database open in another process keeps a shared lock on it; an exclusive-mode write
 * transaction fails at once then (SQLITE_BUSY with no busy timeout).
 */
function assertNotInUse(target: string): void {
  const db = new Database(target, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new BackupError(`${target} is open in another process (the server?): stop it, then restore`);
    throw error;
  } finally {
    db.close();
  }
}
