/**
 * Per-site API keys for website lead intake. Only a hash is stored; the key is shown once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from './sql.js';

export interface SiteKey {
  id: number;
  accountId: number;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** Web origins a browser may use the key from ("https://shop.example"); empty: any (as a key used by a server). */
  origins: string[];
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');

export class SiteKeysRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * A new key, unless the account already has `max` active ones (then null). The count and the
   * insert are one statement, so two requests at once cannot both take the last place.
   */
  async createWithin(accountId: number, name: string, now: number, max: number, origins: string[] = []): Promise<{ siteKey: SiteKey; key: string } | null> {
    const key = `ak_${randomBytes(24).toString('base64url')}`;
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO site_keys (account_id, name, key_hash, created_at, origins)
       SELECT ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM site_keys WHERE account_id = ? AND revoked_at IS NULL) < ?
       RETURNING id`,
      [accountId, name, hash(key), now, origins.length ? origins.join(' ') : null, accountId, max],
    );
    return row ? { siteKey: { id: row.id, accountId, name, createdAt: now, revokedAt: null, lastUsedAt: null, origins }, key } : null;
  }

  /**
   * The active key's record, or null for an unknown or revoked key. A use is noted (at most once a
   * minute), best-effort: a full disk must not turn a read (a lead's status) into a 503.
   */
  async verify(key: string, now?: number): Promise<SiteKey | null> {
    if (!/^ak_[A-Za-z0-9_-]{32}$/.test(key)) return null;
    const row = await this.sql.get<Row>('SELECT * FROM site_keys WHERE key_hash = ? AND revoked_at IS NULL', [hash(key)]);
    if (row && now !== undefined && (row.last_used_at ?? 0) < now - 60_000) {
      const noted = await this.sql.run('UPDATE site_keys SET last_used_at = ? WHERE id = ?', [now, row.id]).then(
        () => true,
        () => false, // the store said why (storage guard, /healthz); the key is still good
      );
      if (noted) row.last_used_at = now;
    }
    return row ? toSiteKey(row) : null;
  }

  /** Every key, or one account's. */
  async list(accountId?: number): Promise<SiteKey[]> {
    const rows = accountId === undefined ? await this.sql.all<Row>('SELECT * FROM site_keys ORDER BY id') : await this.sql.all<Row>('SELECT * FROM site_keys WHERE account_id = ? ORDER BY id', [accountId]);
    return rows.map(toSiteKey);
  }

  /** Revokes an active key; with `accountId`, only that account's. */
  async revoke(id: number, now: number, accountId?: number): Promise<boolean> {
    const sql = 'UPDATE site_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
    const changed = accountId === undefined ? await this.sql.run(sql, [now, id]) : await this.sql.run(`${sql} AND account_id = ?`, [now, id, accountId]);
    return changed > 0;
  }
}

interface Row {
  id: number;
  account_id: number;
  name: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  origins: string | null;
}
const toSiteKey = (r: Row): SiteKey => ({ id: r.id, accountId: r.account_id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at, origins: r.origins ? r.origins.split(' ') : [] });
