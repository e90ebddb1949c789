/**
 * Rows of each account's own address book (account_addresses and its FTS index). The book's
 * rules (what counts as a use, what a suggestion looks like) live in geocoding/address-book.ts.
 * SQLite searches it with FTS5 prefix queries, PostgreSQL with a `simple` tsvector and `:*` prefixes.
 */
import type { Sql } from './sql.js';
import { ftsExpression, prefixTsQuery } from './fts-expression.js';

export interface AddressBookRow {
  value: string;
  /** JSON of the address parts. */
  data: string;
}

/** What was typed: whole words, and the word still being typed (matched as a prefix). */
export interface BookTerms {
  words: string[];
  prefix: string | null;
}

export class AddressBookRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts or updates by (account, normalised text); `uses` adds up, the searched text never changes. */
  async save(row: { accountId: number; normalized: string; value: string; data: string; origin: string; uses: number; now: number }): Promise<void> {
    const latest = this.sql.dialect === 'postgres' ? 'GREATEST' : 'MAX';
    await this.sql.run(
      `INSERT INTO account_addresses (account_id, normalized, value, data, origin, uses, last_used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, normalized) DO UPDATE SET value = excluded.value, data = excluded.data,
         origin = excluded.origin, uses = account_addresses.uses + excluded.uses,
         last_used_at = ${latest}(account_addresses.last_used_at, excluded.last_used_at)`,
      [row.accountId, row.normalized, row.value, row.data, row.origin, row.uses, row.now],
    );
  }

  /** Most used first. */
  search(accountId: number, terms: BookTerms, limit: number): Promise<AddressBookRow[]> {
    if (!terms.words.length && !terms.prefix) return Promise.resolve([]);
    if (this.sql.dialect === 'postgres') {
      return this.sql.all<AddressBookRow>(
        `SELECT value, data FROM account_addresses WHERE account_id = ? AND search @@ to_tsquery('simple', ?)
         ORDER BY uses DESC, last_used_at DESC LIMIT ?`,
        [accountId, prefixTsQuery(terms), limit],
      );
    }
    return this.sql.all<AddressBookRow>(
      `SELECT a.value, a.data FROM account_addresses_fts f JOIN account_addresses a ON a.id = f.rowid
       WHERE account_addresses_fts MATCH ? AND f.account_id = ?
       ORDER BY a.uses DESC, a.last_used_at DESC LIMIT ?`,
      [ftsExpression(terms), accountId, limit],
    );
  }

  /** The parts of the account's most recently used addresses (JSON), newest first. */
  async recentData(accountId: number, limit: number): Promise<string[]> {
    return (await this.sql.all<{ data: string }>('SELECT data FROM account_addresses WHERE account_id = ? ORDER BY last_used_at DESC LIMIT ?', [accountId, limit])).map((r) => r.data);
  }

  async count(accountId: number): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM account_addresses WHERE account_id = ?', [accountId]))!.n;
  }

  /** Forgets every address of the account (SQLite's FTS rows follow through the table's triggers). */
  clear(accountId: number): Promise<number> {
    return this.sql.run('DELETE FROM account_addresses WHERE account_id = ?', [accountId]);
  }

  deleteOlderThan(origin: string, before: number): Promise<number> {
    return this.sql.run('DELETE FROM account_addresses WHERE origin = ? AND last_used_at < ?', [origin, before]);
  }
}
