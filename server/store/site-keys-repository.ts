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
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

export class SiteKeysRepository {
  constructor(private readonly db: Db) {}

  create(accountId: number, name: string, now: number): { siteKey: SiteKey; key: string } {
    const key = `ak_${randomBytes(24).toString('base64url')}`;
    const result = this.db.prepare('INSERT INTO site_keys (account_id, name, key_hash, created_at) VALUES (?, ?, ?, ?)').run(accountId, name, hash(key), now);
    return { siteKey: { id: Number(result.lastInsertRowid), accountId, name, createdAt: now, revokedAt: null }, key };
  }

  /** The active key's record, or null for an unknown or revoked key. */
  verify(key: string): SiteKey | null {
    if (!/^ak_[A-Za-z0-9_-]{32}$/.test(key)) return null;
    const row = this.db.prepare('SELECT * FROM site_keys WHERE key_hash = ? AND revoked_at IS NULL').get(hash(key)) as Row | undefined;
    return row ? toSiteKey(row) : null;
  }

  list(): SiteKey[] {
    return (this.db.prepare('SELECT * FROM site_keys ORDER BY id').all() as Row[]).map(toSiteKey);
  }

  revoke(id: number, now: number): boolean {
    return this.db.prepare('UPDATE site_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }
}

interface Row {
  id: number;
  account_id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
}
const toSiteKey = (r: Row): SiteKey => ({ id: r.id, accountId: r.account_id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at });
