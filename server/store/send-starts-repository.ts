/**
 * The send window several instances share (PostgreSQL only): the times requests to an amoCRM
 * account were let go, on the database server's clock, so instances on machines whose clocks
 * differ still count one window. A start is taken under a transaction-scoped advisory lock on
 * the bucket: two instances never both take the last place in a window.
 */
import type { Sql } from './sql.js';

export class SendStartsRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Takes a start if fewer than `limit` were taken in the last `windowMs` and the last one is at
   * least `gapMs` ago: returns 0. Otherwise takes nothing and returns how long to wait (ms).
   */
  tryStart(bucket: string, limit: number, windowMs: number, gapMs: number): Promise<number> {
    return this.sql.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock(hashtextextended(?, 1))', [bucket]);
      const now = (await tx.get<{ now: number }>('SELECT EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS now'))!.now;
      await tx.run('DELETE FROM send_starts WHERE bucket = ? AND at <= ?', [bucket, now - windowMs]);
      const starts = (await tx.all<{ at: number }>('SELECT at FROM send_starts WHERE bucket = ? ORDER BY at', [bucket])).map((r) => r.at);
      const windowFree = starts.length < limit ? now : starts[starts.length - limit] + windowMs;
      const gapFree = starts.length ? starts[starts.length - 1] + gapMs : now;
      const wait = Math.max(windowFree, gapFree) - now;
      if (wait > 0) return Math.ceil(wait);
      await tx.run('INSERT INTO send_starts (bucket, at) VALUES (?, ?)', [bucket, now]);
      return 0;
    });
  }
}
