/**
 * The shared send bucket of several instances (PostgreSQL only): each account's next free start
 * time. Booking a slot is one atomic statement, so instances never hand out the same slot.
 */
import type { Sql } from './sql.js';

export class SendSlotsRepository {
  constructor(private readonly sql: Sql) {}

  /** Books the first start at or after `now` that is `gapMs` after the last booked one; returns its time. */
  async book(bucket: string, now: number, gapMs: number): Promise<number> {
    const row = await this.sql.get<{ slot: number }>(
      `INSERT INTO send_slots (bucket, next_at) VALUES (?, ?)
       ON CONFLICT (bucket) DO UPDATE SET next_at = GREATEST(send_slots.next_at, ?) + ?
       RETURNING next_at - ? AS slot`,
      [bucket, now + gapMs, now, gapMs, gapMs],
    );
    return row!.slot;
  }
}
