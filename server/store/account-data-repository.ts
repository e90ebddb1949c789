/**
 * Everything stored for one amoCRM account, in one place, so that a disconnect forgets all of it
 * at once (one transaction) and a new per-account table cannot be forgotten here unnoticed:
 * test/server/disconnect.test.ts checks every table with an account_id column is listed.
 */
import type { Db } from './database.js';

/** Children before parents (intake_leads refers to site_keys and outbox). */
export const ACCOUNT_TABLES = ['intake_leads', 'outbox', 'site_keys', 'webhook_events', 'writebacks', 'account_settings', 'account_addresses', 'accounts'] as const;

export type PurgedRows = Record<(typeof ACCOUNT_TABLES)[number], number>;

export class AccountDataRepository {
  constructor(private readonly db: Db) {}

  /** Deletes the account's rows from every per-account table; returns how many from each. */
  purge(accountId: number): PurgedRows {
    return this.db.transaction(() => {
      const purged = {} as PurgedRows;
      for (const table of ACCOUNT_TABLES) purged[table] = this.db.prepare(`DELETE FROM ${table} WHERE account_id = ?`).run(accountId).changes;
      return purged;
    })();
  }

  /** The tables that have an `account_id` column, read from the schema itself (FTS indexes follow their table by trigger). */
  tablesWithAccountId(): string[] {
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as Array<{ name: string }>;
    return tables
      .filter(({ name }) => (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>).some((c) => c.name === 'account_id'))
      .map((t) => t.name);
  }
}
