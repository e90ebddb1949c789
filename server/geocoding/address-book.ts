/**
 * Each account's own addresses: chosen through the widget, or read from its leads and
 * contacts. Private to the account and ranked first for it (issue: ranking). Yandex answers
 * may be kept at most 30 days (provider terms); Google's are never stored (no Google adapter).
 */
import type { Db } from '../store/database.js';
import { addressData, type AddressData, type AddressParts, type Suggestion } from './types.js';
import { ftsExpression, indexText, parseQuery } from './normalize.js';

export type AddressOrigin = 'widget' | 'amocrm' | 'yandex';
const YANDEX_RETENTION_MS = 30 * 24 * 3600 * 1000;

interface Row {
  value: string;
  data: string;
}

export class AddressBook {
  private readonly upsert;
  private readonly searchStmt;
  private readonly versions = new Map<number, number>();

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO account_addresses (account_id, normalized, value, data, origin, uses, last_used_at)
       VALUES (@accountId, @normalized, @value, @data, @origin, @uses, @now)
       ON CONFLICT (account_id, normalized) DO UPDATE SET value = excluded.value, data = excluded.data,
         origin = excluded.origin, uses = uses + excluded.uses, last_used_at = MAX(last_used_at, excluded.last_used_at)`,
    );
    this.searchStmt = db.prepare<[string, number, number], Row>(
      `SELECT a.value, a.data FROM account_addresses_fts f JOIN account_addresses a ON a.id = f.rowid
       WHERE account_addresses_fts MATCH ? AND f.account_id = ?
       ORDER BY a.uses DESC, a.last_used_at DESC LIMIT ?`,
    );
  }

  /**
   * Remembers an address for the account. A choice in the widget counts as a use; an address
   * read from amoCRM only seeds the book (uses 0 unless already there).
   */
  remember(accountId: number, value: string, data: AddressParts, origin: AddressOrigin, now: number): void {
    const normalized = indexText(value);
    if (!normalized) return;
    // An upsert keeps `uses`; the normalised text (the FTS column) never changes on update.
    this.upsert.run({ accountId, normalized, value, data: JSON.stringify(addressData(data)), origin, uses: origin === 'widget' ? 1 : 0, now });
    this.versions.set(accountId, (this.versions.get(accountId) ?? 0) + 1);
  }

  search(accountId: number, query: string, limit: number): Suggestion[] {
    const expression = ftsExpression(parseQuery(query));
    if (!expression) return [];
    return this.searchStmt.all(expression, accountId, limit).map((row) => ({
      value: row.value,
      unrestricted_value: row.value,
      data: JSON.parse(row.data) as AddressData,
      source: 'account' as const,
    }));
  }

  /** Changes whenever the account's book changes: part of the suggestion cache key. */
  version(accountId: number): number {
    return this.versions.get(accountId) ?? 0;
  }

  forget(accountId: number): void {
    this.db.prepare('DELETE FROM account_addresses WHERE account_id = ?').run(accountId);
    this.versions.set(accountId, (this.versions.get(accountId) ?? 0) + 1);
  }

  /** Drops Yandex-derived entries older than the provider allows. */
  purgeExpired(now: number): number {
    return this.db.prepare("DELETE FROM account_addresses WHERE origin = 'yandex' AND last_used_at < ?").run(now - YANDEX_RETENTION_MS).changes;
  }
}
