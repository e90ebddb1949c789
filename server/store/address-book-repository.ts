/**
 * Rows of each account's own address book (account_addresses and its FTS index). The book's
 * rules (what counts as a use, what a suggestion looks like) live in geocoding/address-book.ts.
 */
import type { Db } from './database.js';

export interface AddressBookRow {
  value: string;
  /** JSON of the address parts. */
  data: string;
}

export class AddressBookRepository {
  private readonly upsert;
  private readonly searchStmt;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO account_addresses (account_id, normalized, value, data, origin, uses, last_used_at)
       VALUES (@accountId, @normalized, @value, @data, @origin, @uses, @now)
       ON CONFLICT (account_id, normalized) DO UPDATE SET value = excluded.value, data = excluded.data,
         origin = excluded.origin, uses = uses + excluded.uses, last_used_at = MAX(last_used_at, excluded.last_used_at)`,
    );
    this.searchStmt = db.prepare<[string, number, number], AddressBookRow>(
      `SELECT a.value, a.data FROM account_addresses_fts f JOIN account_addresses a ON a.id = f.rowid
       WHERE account_addresses_fts MATCH ? AND f.account_id = ?
       ORDER BY a.uses DESC, a.last_used_at DESC LIMIT ?`,
    );
  }

  /** Inserts or updates by (account, normalised text); `uses` adds up, the FTS column never changes. */
  save(row: { accountId: number; normalized: string; value: string; data: string; origin: string; uses: number; now: number }): void {
    this.upsert.run(row);
  }

  /** Most used first; `expression` is an FTS5 MATCH expression. */
  search(accountId: number, expression: string, limit: number): AddressBookRow[] {
    return this.searchStmt.all(expression, accountId, limit);
  }

  count(accountId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM account_addresses WHERE account_id = ?').get(accountId) as { n: number }).n;
  }

  /** Forgets every address of the account (its FTS rows follow through the table's triggers). */
  clear(accountId: number): number {
    return this.db.prepare('DELETE FROM account_addresses WHERE account_id = ?').run(accountId).changes;
  }

  deleteOlderThan(origin: string, before: number): number {
    return this.db.prepare('DELETE FROM account_addresses WHERE origin = ? AND last_used_at < ?').run(origin, before).changes;
  }

}
