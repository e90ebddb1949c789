/**
 * Where the shared state lives: the SQLite file (default), or PostgreSQL when DATABASE_URL is
 * set (several instances). Either way the repositories get the same async SQL surface; what
 * differs is the locks (one process vs. advisory locks) and the send window (in memory vs. a
 * shared table). The address index always stays in the SQLite file (docs/operating.md, "Several instances").
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
import { GuardedSql, StorageHealth } from './storage-guard.js';

/**
 * The fault, after a probe when there is one: a 64 KB row written and taken back in one
 * transaction, so that it needs room as a lead would (rewriting a small row in place can succeed
 * on a full disk). A probe that goes through clears the fault.
 */
async function probed(sql: Sql, storage: StorageHealth): Promise<ReturnType<StorageHealth['fault']>> {
  if (storage.faulty) await probeWrite(sql, 64 * 1024).catch(() => undefined);
  return storage.fault();
}

/** A row of `bytes` written and taken back in one transaction; throws when the store cannot write. */
function probeWrite(sql: Sql, bytes: number): Promise<void> {
  return sql.transaction(async (tx) => {
    await tx.run("INSERT INTO meta (key, value) VALUES ('health_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ['x'.repeat(bytes)]);
    await tx.run("DELETE FROM meta WHERE key = 'health_probe'");
  });
}

export interface Store {
  kind: 'sqlite' | 'postgres';
  sql: Sql;
  locks: Locks;
  /** The send window all instances share (PostgreSQL); null: the process limits itself. */
  sendStarts: SendStartsRepository | null;
  /** Cached state of an account changed on some instance (address books, a disconnect). */
  changes: ChangeFeed;
  /**
   * The health check: answers a query, which schema it runs on, and whether writes work (after a
   * write failed for a full or read-only disk, each check tries a probe write: it clears the
   * fault once the disk is back).
   */
  health(): Promise<{ ok: boolean; schemaVersion: number | string | null; storage: ReturnType<StorageHealth['fault']> }>;
  /** A small write taken back at once (readiness); throws when the store cannot write. */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(
  /** `lockHolders`: tasks that may hold a lock at once (the outbox's concurrency). */
  config: { databaseUrl: string | null; databasePoolSize: number; lockHolders: number },
  db: Db,
): Promise<Store> {
  const storage = new StorageHealth();
  if (!config.databaseUrl) {
    const sql = new GuardedSql(new SqliteSql(db), storage);
    return {
      kind: 'sqlite',
      sql,
      locks: new KeyedLock(),
      sendStarts: null,
      changes: localFeed,
      health: async () => {
        if (!canRead(db)) return { ok: false, schemaVersion: null, storage: storage.fault() };
        return { ok: true, schemaVersion: schemaVersion(db), storage: await probed(sql, storage) };
      },
      probeWrite: () => probeWrite(sql, 64),
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
  const sql = new GuardedSql(new PostgresSql(pool), storage);
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
        return { ok: true, schemaVersion: schema, storage: await probed(sql, storage) };
      } catch {
        return { ok: false, schemaVersion: null, storage: storage.fault() };
      }
    },
    probeWrite: () => probeWrite(sql, 64),
    close: async () => {
      await changes.close();
      if (!lockPool.ended) await lockPool.end();
      if (!pool.ended) await pool.end();
    },
  };
}
