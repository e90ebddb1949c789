/**
 * Where the shared state lives: the SQLite file (default), or PostgreSQL when DATABASE_URL is
 * set (several instances). Either way the repositories get the same async SQL surface; what
 * differs is the locks (one process vs. advisory locks) and the send window (in memory vs. a
 * shared table). The address index always stays in the SQLite file (README, "Several instances").
 */
import pg from 'pg';
import { canRead, schemaVersion, type Db } from './database.js';
import { SqliteSql, type Sql } from './sql.js';
import { KeyedLock, type Locks } from './keyed-lock.js';
import { PostgresSql } from './postgres/postgres-sql.js';
import { AdvisoryLocks } from './postgres/advisory-locks.js';
import { knownMigrations, migratePostgres } from './postgres/migrate.js';
import { SendStartsRepository } from './send-starts-repository.js';
import { localFeed, type ChangeFeed } from './change-feed.js';
import { NotifyFeed } from './postgres/notify-feed.js';

export interface Store {
  kind: 'sqlite' | 'postgres';
  sql: Sql;
  locks: Locks;
  /** The send window all instances share (PostgreSQL); null: the process limits itself. */
  sendStarts: SendStartsRepository | null;
  /** Cached state of an account changed on some instance (address books, a disconnect). */
  changes: ChangeFeed;
  /** The health check: answers a query, and which schema it runs on. */
  health(): Promise<{ ok: boolean; schemaVersion: number | string | null }>;
  close(): Promise<void>;
}

export async function openStore(
  /** `lockHolders`: tasks that may hold a lock at once (the outbox's concurrency). */
  config: { databaseUrl: string | null; databasePoolSize: number; lockHolders: number },
  db: Db,
): Promise<Store> {
  if (!config.databaseUrl) {
    return {
      kind: 'sqlite',
      sql: new SqliteSql(db),
      locks: new KeyedLock(),
      sendStarts: null,
      changes: localFeed,
      health: async () => (canRead(db) ? { ok: true, schemaVersion: schemaVersion(db) } : { ok: false, schemaVersion: null }),
      close: async () => {},
    };
  }
  await migratePostgres(config.databaseUrl);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize });
  // An idle connection the server dropped is reported here; the pool replaces it.
  pool.on('error', () => {});
  // Advisory locks get connections of their own: a task holding (or waiting for) a lock never
  // takes the connections its own queries need, so locks and queries cannot starve each other
  // (postgres/advisory-locks.ts sizes it). A wait over a minute fails the attempt rather than hang.
  const lockPool = new pg.Pool({ connectionString: config.databaseUrl, max: config.lockHolders + 2, connectionTimeoutMillis: 60_000, options: '-c lock_timeout=60000' });
  lockPool.on('error', () => {});
  const sql = new PostgresSql(pool);
  const changes = new NotifyFeed(config.databaseUrl, pool);
  await changes.start();
  const schema = knownMigrations().at(-1) ?? null;
  return {
    kind: 'postgres',
    sql,
    locks: new AdvisoryLocks(lockPool),
    sendStarts: new SendStartsRepository(sql),
    changes,
    health: async () => {
      try {
        await pool.query('SELECT 1');
        return { ok: true, schemaVersion: schema };
      } catch {
        return { ok: false, schemaVersion: null };
      }
    },
    close: async () => {
      await changes.close();
      if (!lockPool.ended) await lockPool.end();
      if (!pool.ended) await pool.end();
    },
  };
}
