/**
 * Request counters several instances share (PostgreSQL only): hits per key in a fixed window,
 * counted in one statement so that two instances never both see the last allowed hit.
 */
import type { Sql } from './sql.js';

export class HitCountersRepository {
  constructor(private readonly sql: Sql) {}

  /** Counts one hit; a window that ended starts again. Returns the hits in the window and its end. */
  async hit(key: string, now: number, windowMs: number): Promise<{ hits: number; resetAt: number }> {
    const row = await this.sql.get<{ hits: number; reset_at: number }>(
      `INSERT INTO rate_hits (key, hits, reset_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_hits.reset_at <= ? THEN 1 ELSE rate_hits.hits + 1 END,
         reset_at = CASE WHEN rate_hits.reset_at <= ? THEN excluded.reset_at ELSE rate_hits.reset_at END
       RETURNING hits, reset_at`,
      [key, now + windowMs, now, now],
    );
    return { hits: row!.hits, resetAt: row!.reset_at };
  }

  async unhit(key: string): Promise<void> {
    await this.sql.run('UPDATE rate_hits SET hits = hits - 1 WHERE key = ? AND hits > 0', [key]);
  }

  async reset(key: string): Promise<void> {
    await this.sql.run('DELETE FROM rate_hits WHERE key = ?', [key]);
  }
}
