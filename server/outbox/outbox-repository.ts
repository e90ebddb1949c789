/**
 * The durable queue behind every write to amoCRM. An item is claimed with a lease (so a crashed
 * worker's items come back), keeps its progress in `state` after every step, and is parked with
 * its last error after too many failed attempts.
 */
import type { Db } from '../store/database.js';

export type OutboxKind = 'intake' | 'writeback' | 'webhook' | 'subscribe' | 'import_addresses';
export type OutboxStatus = 'pending' | 'done' | 'parked';

export interface OutboxItem<P = unknown, S = Record<string, unknown>> {
  id: number;
  accountId: number;
  kind: OutboxKind;
  payload: P;
  state: S;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  account_id: number;
  kind: OutboxKind;
  payload: string;
  state: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const toItem = (row: Row): OutboxItem => ({
  id: row.id,
  accountId: row.account_id,
  kind: row.kind,
  payload: JSON.parse(row.payload),
  state: JSON.parse(row.state),
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class OutboxRepository {
  private readonly insert;
  private readonly claimStmt;
  private readonly stateStmt;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO outbox (account_id, kind, payload, status, dedupe_key, next_attempt_at, created_at, updated_at)
       VALUES (@accountId, @kind, @payload, 'pending', @dedupeKey, @now, @now, @now)
       ON CONFLICT (dedupe_key) DO NOTHING`,
    );
    // Due, not leased by a live worker, and only for connected accounts that amoCRM has not
    // blocked: items of an account that is not connected (yet, or any more) or paused wait.
    this.claimStmt = db.prepare<{ now: number; leaseUntil: number; limit: number }, Row>(
      `UPDATE outbox SET lease_until = @leaseUntil, attempts = attempts + 1, updated_at = @now
       WHERE id IN (
         SELECT o.id FROM outbox o JOIN accounts a ON a.account_id = o.account_id AND a.status = 'connected'
           AND (a.blocked_until IS NULL OR a.blocked_until <= @now)
         WHERE o.status = 'pending' AND o.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until < @now)
         ORDER BY o.next_attempt_at, o.id LIMIT @limit)
       RETURNING *`,
    );
    this.stateStmt = db.prepare('UPDATE outbox SET state = ?, updated_at = ? WHERE id = ?');
  }

  /** Returns the item's id, or the existing one's when `dedupeKey` was seen before. */
  enqueue(accountId: number, kind: OutboxKind, payload: unknown, now: number, dedupeKey: string | null = null): { id: number; duplicate: boolean } {
    const result = this.insert.run({ accountId, kind, payload: JSON.stringify(payload), dedupeKey, now });
    if (result.changes === 1) return { id: Number(result.lastInsertRowid), duplicate: false };
    const existing = this.db.prepare('SELECT id FROM outbox WHERE dedupe_key = ?').get(dedupeKey) as { id: number };
    return { id: existing.id, duplicate: true };
  }

  claim(now: number, leaseMs: number, limit: number): OutboxItem[] {
    return this.claimStmt.all({ now, leaseUntil: now + leaseMs, limit }).map(toItem);
  }

  /** Progress of a multi-step item, written before the next step starts. */
  saveState(id: number, state: object, now: number): void {
    this.stateStmt.run(JSON.stringify(state), now, id);
  }

  complete(id: number, state: object, now: number): void {
    this.db.prepare("UPDATE outbox SET status = 'done', state = ?, lease_until = NULL, last_error = NULL, updated_at = ? WHERE id = ?").run(JSON.stringify(state), now, id);
  }

  /** A failed attempt: back off, or park it when attempts are used up (or the error is final). */
  fail(id: number, error: string, now: number, retryAt: number | null): void {
    if (retryAt === null) {
      this.db.prepare("UPDATE outbox SET status = 'parked', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?").run(error, now, id);
    } else {
      this.db.prepare('UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?').run(retryAt, error, now, id);
    }
  }

  /** Not a failure: the item waits until `until` (the account's block pause) and keeps its attempts. */
  postpone(id: number, reason: string, now: number, until: number): void {
    this.db.prepare('UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, attempts = MAX(attempts - 1, 0), last_error = ?, updated_at = ? WHERE id = ?').run(until, reason, now, id);
  }

  find(id: number): OutboxItem | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toItem(row) : null;
  }

  list(status: OutboxStatus, limit = 100): OutboxItem[] {
    return (this.db.prepare('SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?').all(status, limit) as Row[]).map(toItem);
  }

  /** An admin's retry: parked items go back to the queue with fresh attempts. */
  retry(id: number | 'all-parked', now: number): number {
    const sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE status = 'parked'";
    return id === 'all-parked' ? this.db.prepare(sql).run(now, now).changes : this.db.prepare(`${sql} AND id = ?`).run(now, now, id).changes;
  }

  /**
   * Forgets finished work: done items other than intake (whose status websites may still ask
   * for) after `doneMs`, and webhook event hashes after `eventsMs` (amoCRM retries within hours).
   */
  purge(now: number, doneMs: number, eventsMs: number): { items: number; events: number } {
    const items = this.db.prepare("DELETE FROM outbox WHERE status = 'done' AND kind != 'intake' AND updated_at < ?").run(now - doneMs).changes;
    const events = this.db.prepare('DELETE FROM webhook_events WHERE received_at < ?').run(now - eventsMs).changes;
    return { items, events };
  }

  counts(): Record<OutboxStatus, number> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Array<{ status: OutboxStatus; n: number }>;
    return { pending: 0, done: 0, parked: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }
}
