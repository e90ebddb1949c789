/**
 * Locks that hold across every instance on one PostgreSQL: a session advisory lock on the key's
 * 64-bit hash, held on one pooled connection while the task runs. Callers in the same process
 * queue in memory first, so a hundred waiters cost one connection, not a hundred. A killed
 * instance's locks go with its connections.
 */
import type pg from 'pg';
import { KeyedLock, type Locks } from '../keyed-lock.js';

export class AdvisoryLocks implements Locks {
  private readonly local = new KeyedLock();

  constructor(private readonly pool: pg.Pool) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const client = await this.pool.connect();
      let locked = false;
      try {
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
        locked = true;
        return await task();
      } finally {
        if (locked) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
        client.release();
      }
    });
  }
}
