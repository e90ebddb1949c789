/**
 * npm run migrate:sqlite-to-postgres: moves an installation from its SQLite file (DATABASE_PATH)
 * to PostgreSQL (DATABASE_URL) before it runs as several instances. Stop the server first; keep
 * TOKEN_ENCRYPTION_KEY as it is (tokens move as ciphertext). The target must hold no accounts.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import pg from 'pg';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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
// openDatabase would make a new, empty file for a mistyped path (or fill an empty one with a fresh
// schema), and the move would "succeed" with nothing in it.
if (config.databasePath === ':memory:' || !existsSync(config.databasePath)) {
  console.error(`There is no SQLite file at ${config.databasePath}: set DATABASE_PATH to the file the server used (nothing was copied).`);
  process.exit(2);
}
const problem = notAStore(config.databasePath);
if (problem) {
  console.error(`${config.databasePath} ${problem}: set DATABASE_PATH to the file the server used (nothing was copied).`);
  process.exit(2);
}
let db: ReturnType<typeof openDatabase>;
try {
  db = openDatabase(config.databasePath);
} catch (error) {
  console.error(`${config.databasePath} cannot be opened: ${(error as Error).message} (nothing was copied).`);
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
try {
  await migratePostgres(config.databaseUrl);
  const copied = await copySqliteToPostgres(db, new PostgresSql(pool));
  const { unreadable_parked: parked = 0, ...tables } = copied;
  console.log(`moved from ${config.databasePath} to PostgreSQL: ${Object.entries(tables).map(([table, n]) => `${table} ${n}`).join(', ')}`);
  if (parked) console.log(`${parked} outbox item(s) could not be read and were moved parked, each with the reason: see GET /api/admin/outbox?status=parked.`);
} catch (error) {
  // One line, whatever went wrong (PostgreSQL unreachable, a refused login included): the operator's
  // next step is in the message; nothing half-copied stays (the copy is one transaction).
  const known = error instanceof TargetNotEmptyError || error instanceof NewerSchemaError || error instanceof UnreadableSourceError;
  console.error(known ? (error as Error).message : `The move stopped: ${(error as Error).message ?? String(error)} (nothing was copied).`);
  process.exitCode = 2;
} finally {
  await pool.end();
  db.close();
}

/** Why the file is not a server's SQLite store, or null: empty, not SQLite, or SQLite with no accounts table. */
function notAStore(path: string): string | null {
  if (statSync(path).size === 0) return 'is empty (0 bytes)';
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== 'SQLite format 3\u0000') return 'is not a SQLite file';
  return null;
}
