/**
 * Everything stored for one amoCRM account, in one place, so that a disconnect forgets all of it
 * at once (one transaction) and a new per-account table cannot be forgotten here unnoticed:
 * test/server/disconnect.test.ts checks every table with an account_id column is listed.
 */
import type { Sql } from './sql.js';

/** Children before parents (intake_leads refers to site_keys and outbox, clean_rows to clean_jobs). */
export const ACCOUNT_TABLES = ['clean_rows', 'clean_jobs', 'intake_leads', 'outbox', 'site_keys', 'webhook_events', 'writebacks', 'account_settings', 'account_addresses', 'delivery_zones', 'accounts'] as const;

export type PurgedRows = Record<(typeof ACCOUNT_TABLES)[number], number>;

export class AccountDataRepository {
  constructor(private readonly sql: Sql) {}

  /** Deletes the account's rows from every per-account table; returns how many from each. */
  purge(accountId: number): Promise<PurgedRows> {
    return this.sql.transaction(async (tx) => {
      const purged = {} as PurgedRows;
      for (const table of ACCOUNT_TABLES) purged[table] = await tx.run(`DELETE FROM ${table} WHERE account_id = ?`, [accountId]);
      return purged;
    });
  }

  /**
   * Accounts that are not connected here (never were, or disconnected) yet still have queued
   * items or site keys made before `before`: their leads can never be delivered. `keep` is left
   * out (the demo account, which has no amoCRM connection by design).
   */
  async orphans(before: number, keep: number[] = []): Promise<number[]> {
    const rows = await this.sql.all<{ account_id: number }>(
      `SELECT account_id FROM outbox WHERE created_at < ? AND account_id NOT IN (SELECT account_id FROM accounts)
       UNION SELECT account_id FROM site_keys WHERE created_at < ? AND account_id NOT IN (SELECT account_id FROM accounts)`,
      [before, before],
    );
    return rows.map((r) => Number(r.account_id)).filter((id) => !keep.includes(id)).sort((a, b) => a - b);
  }

  /** The tables that have an `account_id` column, read from the schema itself (SQLite's FTS indexes follow their table by trigger). */
  async tablesWithAccountId(): Promise<string[]> {
    if (this.sql.dialect === 'postgres') {
      const rows = await this.sql.all<{ table_name: string }>("SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'account_id' ORDER BY table_name");
      return rows.map((r) => r.table_name);
    }
    const rows = await this.sql.all<{ name: string }>(
      "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND c.name = 'account_id' ORDER BY m.name",
    );
    return rows.map((r) => r.name);
  }
}
