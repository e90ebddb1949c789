/**
 * Locks that hold across every instance on one PostgreSQL: session advisory locks on the keys'
 * 64-bit hashes, all of a task's keys on one connection of a pool kept for locks alone, held
 * while the task runs. Callers in the same process queue in memory first, so each worker slot
 * uses at most one lock connection, holding or waiting: a pool of OUTBOX_CONCURRENCY + 2 (the
 * slots, a token refresh, one spare) is never exhausted. A killed instance's locks go with its
 * connections; a wait longer than the pool's lock_timeout fails the task (the outbox retries it).
 */
import type pg from 'pg';
import { KeyedLock, lockOrder, type Locks } from '../keyed-lock.js';

export class AdvisoryLocks implements Locks {
  private readonly local = new KeyedLock();

  constructor(private readonly pool: pg.Pool) {}

  run<T>(keys: string | string[], task: () => Promise<T>): Promise<T> {
    const ordered = lockOrder(keys);
    return this.local.run(ordered, async () => {
      const client = await this.pool.connect();
      const held: string[] = [];
      let broken = false;
      try {
        for (const key of ordered) {
          await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
          held.push(key);
        }
        return await task();
      } catch (error) {
        if (held.length < ordered.length) broken = true; // the lock itself failed: start this connection afresh
        throw error;
      } finally {
        for (const key of held.reverse()) {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => (broken = true));
        }
        // A connection that could not unlock is closed, not reused: closing releases its locks.
        client.release(broken);
      }
    });
  }
}
