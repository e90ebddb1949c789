/**
 * PostgreSQL's schema, kept by node-pg-migrate: plain SQL files in ./migrations, applied in name
 * order under its advisory lock (two instances starting together: one waits, then finds nothing
 * to do). Run by `npm run migrate` and at every start-up. A database that has a migration this
 * build does not know was migrated by a newer release: we refuse to start on it rather than
 * write rows a newer schema does not expect.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
const MIGRATIONS_TABLE = 'pgmigrations';

/** The migrations this build ships, by name (the file name without `.sql`). */
export function knownMigrations(): string[] {
  return readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();
}

export class NewerSchemaError extends Error {}

/** The migrations recorded in the database, oldest first ([] on an empty database). */
export async function appliedMigrations(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = (await client.query('SELECT to_regclass($1) AS t', [MIGRATIONS_TABLE])).rows[0].t;
    if (!exists) return [];
    return (await client.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`)).rows.map((r) => r.name as string);
  } finally {
    await client.end();
  }
}

/** Brings the schema up to date; returns the names applied now. Throws NewerSchemaError first if the database is ahead of this build. */
export async function migratePostgres(url: string): Promise<string[]> {
  const known = new Set(knownMigrations());
  const unknown = (await appliedMigrations(url)).filter((name) => !known.has(name));
  if (unknown.length) {
    throw new NewerSchemaError(`DATABASE_URL: the database was migrated by a newer release (${unknown.join(', ')} unknown to this one). Start the newer release, or restore a backup taken before it.`);
  }
  const applied = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => {},
  });
  return applied.map((m) => m.name);
}
