/**
 * npm run migrate:sqlite-to-postgres: moves an installation from its SQLite file (DATABASE_PATH)
 * to PostgreSQL (DATABASE_URL) before it runs as several instances. Stop the server first; keep
 * TOKEN_ENCRYPTION_KEY as it is (tokens move as ciphertext). The target must hold no accounts.
 */
import 'dotenv/config';
import pg from 'pg';
import { existsSync } from 'node:fs';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/store/database.js';
import { PostgresSql } from '../server/store/postgres/postgres-sql.js';
import { migratePostgres, NewerSchemaError } from '../server/store/postgres/migrate.js';
import { copySqliteToPostgres, TargetNotEmptyError, UnreadableSourceError } from '../server/store/postgres/copy-from-sqlite.js';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error('Set DATABASE_URL to the PostgreSQL database to move into (and DATABASE_PATH to the SQLite file to move from).');
  process.exit(2);
}
// openDatabase would make a new, empty file for a mistyped path, and the move would "succeed".
if (config.databasePath === ':memory:' || !existsSync(config.databasePath)) {
  console.error(`There is no SQLite file at ${config.databasePath}: set DATABASE_PATH to the file the server used (nothing was copied).`);
  process.exit(2);
}
const db = openDatabase(config.databasePath);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
try {
  await migratePostgres(config.databaseUrl);
  const copied = await copySqliteToPostgres(db, new PostgresSql(pool));
  const { unreadable_parked: parked = 0, ...tables } = copied;
  console.log(`moved from ${config.databasePath} to PostgreSQL: ${Object.entries(tables).map(([table, n]) => `${table} ${n}`).join(', ')}`);
  if (parked) console.log(`${parked} outbox item(s) could not be read and were moved parked, each with the reason: see GET /api/admin/outbox?status=parked.`);
} catch (error) {
  if (!(error instanceof TargetNotEmptyError) && !(error instanceof NewerSchemaError) && !(error instanceof UnreadableSourceError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
} finally {
  await pool.end();
  db.close();
}
