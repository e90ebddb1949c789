/**
 * Per-site API keys for website lead intake. Only a hash is stored; the key is shown once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface SiteKey {
  id: number;
  accountId: number;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

export class SiteKeysRepository {
  constructor(private readonly db: Db) {}

  create(accountId: number, name: string, now: number): { siteKey: SiteKey; key: string } {
    const key = `ak_${randomBytes(24).toString('base64url')}`;
    const result = this.db.prepare('INSERT INTO site_keys (account_id, name, key_hash, created_at) VALUES (?, ?, ?, ?)').run(accountId, name, hash(key), now);
    return { siteKey: { id: Number(result.lastInsertRowid), accountId, name, createdAt: now, revokedAt: null, lastUsedAt: null }, key };
  }

  /** The active key's record, or null for an unknown or revoked key. A use is noted (at most once a minute). */
  verify(key: string, now?: number): SiteKey | null {
    if (!/^ak_[A-Za-z0-9_-]{32}$/.test(key)) return null;
    const row = this.db.prepare('SELECT * FROM site_keys WHERE key_hash = ? AND revoked_at IS NULL').get(hash(key)) as Row | undefined;
    if (row && now !== undefined && (row.last_used_at ?? 0) < now - 60_000) {
      this.db.prepare('UPDATE site_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
      row.last_used_at = now;
    }
    return row ? toSiteKey(row) : null;
  }

  /** Every key, or one account's. */
  list(accountId?: number): SiteKey[] {
    const rows = accountId === undefined ? this.db.prepare('SELECT * FROM site_keys ORDER BY id').all() : this.db.prepare('SELECT * FROM site_keys WHERE account_id = ? ORDER BY id').all(accountId);
    return (rows as Row[]).map(toSiteKey);
  }

  /** Revokes an active key; with `accountId`, only that account's. */
  revoke(id: number, now: number, accountId?: number): boolean {
    const sql = 'UPDATE site_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
    const result = accountId === undefined ? this.db.prepare(sql).run(now, id) : this.db.prepare(`${sql} AND account_id = ?`).run(now, id, accountId);
    return result.changes > 0;
  }
}

interface Row {
  id: number;
  account_id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}
const toSiteKey = (r: Row): SiteKey => ({ id: r.id, accountId: r.account_id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at });
