/**
 * Moves an existing installation's state from its SQLite file into PostgreSQL
 * (`npm run migrate:sqlite-to-postgres`): every account with its tokens (copied as ciphertext, so
 * the same TOKEN_ENCRYPTION_KEY must be configured), settings, site keys, address books, the
 * outbox with its progress, website leads, webhook events, write-back records and clean jobs. One
 * transaction: it all arrives or nothing does. The address index stays in the SQLite file.
 */
import type { Db } from '../database.js';
import type { Sql } from '../sql.js';
import { unreadableItem } from '../outbox-repository.js';
import { unpackZones } from '../delivery-zones-repository.js';

/** Parents before children (intake_leads refers to site_keys and outbox), each with the columns both schemas share. */
const TABLES: Array<{ table: string; columns: string[]; serial?: boolean }> = [
  { table: 'meta', columns: ['key', 'value'] },
  { table: 'accounts', columns: ['account_id', 'subdomain', 'base_domain', 'access_token', 'refresh_token', 'expires_at', 'status', 'last_error', 'connected_at', 'updated_at', 'blocked_until'] },
  { table: 'account_settings', columns: ['account_id', 'settings', 'updated_at'] },
  { table: 'site_keys', columns: ['id', 'account_id', 'name', 'key_hash', 'created_at', 'revoked_at', 'last_used_at', 'origins'], serial: true },
  { table: 'account_addresses', columns: ['id', 'account_id', 'normalized', 'value', 'data', 'origin', 'uses', 'last_used_at'], serial: true },
  { table: 'outbox', columns: ['id', 'account_id', 'kind', 'payload', 'state', 'status', 'dedupe_key', 'attempts', 'next_attempt_at', 'lease_until', 'last_error', 'created_at', 'updated_at'], serial: true },
  { table: 'intake_leads', columns: ['id', 'site_key_id', 'account_id', 'outbox_id', 'created_at', 'idempotency_key'] },
  { table: 'webhook_events', columns: ['hash', 'account_id', 'received_at'] },
  { table: 'writebacks', columns: ['account_id', 'entity', 'entity_id', 'field_id', 'value', 'written_at'] },
  { table: 'delivery_zones', columns: ['account_id', 'zones', 'warehouses', 'source', 'pricing', 'version', 'updated_at'] },
  { table: 'clean_jobs', columns: ['id', 'account_id', 'entity', 'filter', 'status', 'next_page', 'read_count', 'to_do', 'done', 'phase_started_at', 'cancel', 'error', 'created_at', 'updated_at'], serial: true },
  { table: 'clean_rows', columns: ['job_id', 'account_id', 'entity_id', 'class', 'old_value', 'new_value', 'verdict', 'zone', 'price', 'budget', 'data', 'state', 'reason', 'old_fields', 'new_fields'] },
];

export class TargetNotEmptyError extends Error {}
/** A row the servers could not read (settings or an address that is not JSON): nothing is copied until it is fixed. */
export class UnreadableSourceError extends Error {}

/** JSON columns the servers parse, besides the outbox's (which is checked item by item). */
const JSON_COLUMNS: Record<string, { key: string; column: string }> = {
  account_settings: { key: 'account_id', column: 'settings' },
  account_addresses: { key: 'id', column: 'data' },
  delivery_zones: { key: 'account_id', column: 'zones' },
};

function isJson(text: unknown): boolean {
  if (text === null) return true;
  try {
    JSON.parse(unpackZones(String(text))); // zones may be stored packed (gz1:…); other columns never start so
    return true;
  } catch {
    return false;
  }
}

export async function copySqliteToPostgres(source: Db, target: Sql): Promise<Record<string, number>> {
  return target.transaction(async (tx) => {
    const present = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM accounts'))!.n;
    if (present > 0) throw new TargetNotEmptyError(`The PostgreSQL database already holds ${present} account(s): move into an empty database (nothing was copied).`);
    const copied: Record<string, number> = {};
    for (const { table, columns, serial } of TABLES) {
      const rows = source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().all() as unknown[][];
      // The key fingerprint is kept; the address index's versions stay with the index.
      const keep = table === 'meta' ? rows.filter((r) => r[0] === 'token_key_fingerprint') : rows;
      const json = JSON_COLUMNS[table];
      if (json) {
        const at = columns.indexOf(json.column);
        const bad = keep.filter((r) => !isJson(r[at])).map((r) => r[columns.indexOf(json.key)]);
        if (bad.length) throw new UnreadableSourceError(`${table}.${json.column} is not JSON for ${json.key} ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ` and ${bad.length - 10} more` : ''}: fix or delete those rows in the SQLite file (nothing was copied).`);
      }
      if (table === 'outbox') {
        // An item the worker could not read moves parked and named, never as one claimed for ever.
        const [payload, state, status, lease, lastError] = ['payload', 'state', 'status', 'lease_until', 'last_error'].map((c) => columns.indexOf(c));
        for (const row of keep) {
          const why = unreadableItem({ payload: String(row[payload]), state: String(row[state]) });
          if (why === null || row[status] === 'done') continue;
          row[status] = 'parked';
          row[lease] = null;
          row[lastError] = `This item cannot be read (${why}); it was parked when moved to PostgreSQL and will not be sent.`;
          copied.unreadable_parked = (copied.unreadable_parked ?? 0) + 1;
        }
      }
      const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})${table === 'meta' ? ' ON CONFLICT (key) DO NOTHING' : ''}`;
      for (const row of keep) await tx.run(insert, row);
      // Rows keep their ids (intake leads point at outbox ids); new ones continue after them.
      if (serial && keep.length) await tx.run(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
      copied[table] = keep.length;
    }
    return copied;
  });
}
