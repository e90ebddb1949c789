/**
 * The durable queue behind every write to amoCRM. An item is claimed with a lease (so a crashed
 * worker's items come back), keeps its progress in `state` after every step, and is parked with
 * its last error after too many failed attempts.
 *
 * Generic over the job map (outbox/jobs.ts): the store knows rows, the jobs know their payloads.
 */
import type { Db } from './database.js';

export type OutboxStatus = 'pending' | 'done' | 'parked';

/** Each kind of job: what it is asked to do (`payload`) and the progress it saves (`state`). */
export type JobMap = Record<string, { payload: unknown; state: object }>;

export interface OutboxItemOf<Kind extends string, Payload, State> {
  id: number;
  accountId: number;
  kind: Kind;
  payload: Payload;
  state: State;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An item of any kind of `Jobs`, discriminated by `kind`. */
export type OutboxItem<Jobs extends JobMap> = { [K in keyof Jobs & string]: OutboxItemOf<K, Jobs[K]['payload'], Jobs[K]['state']> }[keyof Jobs & string];

interface Row {
  id: number;
  account_id: number;
  kind: string;
  payload: string;
  state: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export class OutboxRepository<Jobs extends JobMap> {
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
  enqueue<K extends keyof Jobs & string>(accountId: number, kind: K, payload: Jobs[K]['payload'], now: number, dedupeKey: string | null = null): { id: number; duplicate: boolean } {
    const result = this.insert.run({ accountId, kind, payload: JSON.stringify(payload), dedupeKey, now });
    if (result.changes === 1) return { id: Number(result.lastInsertRowid), duplicate: false };
    const existing = this.db.prepare('SELECT id FROM outbox WHERE dedupe_key = ?').get(dedupeKey) as { id: number };
    return { id: existing.id, duplicate: true };
  }

  claim(now: number, leaseMs: number, limit: number): Array<OutboxItem<Jobs>> {
    return this.claimStmt.all({ now, leaseUntil: now + leaseMs, limit }).map((row) => this.toItem(row));
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

  find(id: number): OutboxItem<Jobs> | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? this.toItem(row) : null;
  }

  /** Items by status, newest first; with `accountId`, only that account's. */
  list(status: OutboxStatus, limit = 100, accountId?: number): Array<OutboxItem<Jobs>> {
    const rows = accountId === undefined
      ? this.db.prepare('SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?').all(status, limit)
      : this.db.prepare('SELECT * FROM outbox WHERE status = ? AND account_id = ? ORDER BY id DESC LIMIT ?').all(status, accountId, limit);
    return (rows as Row[]).map((row) => this.toItem(row));
  }

  /** The account's newest item of a kind (an import's progress). */
  latest(accountId: number, kind: string): OutboxItem<Jobs> | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE account_id = ? AND kind = ? ORDER BY id DESC LIMIT 1').get(accountId, kind) as Row | undefined;
    return row ? this.toItem(row) : null;
  }

  /** An admin's retry: parked items go back to the queue with fresh attempts; with `accountId`, only that account's. */
  retry(id: number | 'all-parked', now: number, accountId?: number): number {
    let sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE status = 'parked'";
    const params: number[] = [now, now];
    if (id !== 'all-parked') (sql += ' AND id = ?'), params.push(id);
    if (accountId !== undefined) (sql += ' AND account_id = ?'), params.push(accountId);
    return this.db.prepare(sql).run(...params).changes;
  }

  /** Forgets finished work after `doneMs`, except intake items (websites may still ask for their status). */
  purgeDone(now: number, doneMs: number): number {
    return this.db.prepare("DELETE FROM outbox WHERE status = 'done' AND kind != 'intake' AND updated_at < ?").run(now - doneMs).changes;
  }

  /** Items per status; with `accountId`, that account's. */
  counts(accountId?: number): Record<OutboxStatus, number> {
    const rows = (accountId === undefined
      ? this.db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all()
      : this.db.prepare('SELECT status, COUNT(*) AS n FROM outbox WHERE account_id = ? GROUP BY status').all(accountId)) as Array<{ status: OutboxStatus; n: number }>;
    return { pending: 0, done: 0, parked: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  private toItem(row: Row): OutboxItem<Jobs> {
    return {
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
    } as OutboxItem<Jobs>;
  }
}
