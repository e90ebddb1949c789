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
      try {
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      } catch (error) {
        client.release(true);
        throw error;
      }
      let broken = false;
      try {
        return await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => (broken = true));
        // A connection that could not unlock is closed, not reused: closing releases its locks.
        client.release(broken);
      }
    });
  }
}
