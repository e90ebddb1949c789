/**
 * The durable queue behind every write to amoCRM. An item is claimed with a lease (so a crashed
 * worker's items come back), keeps its progress in `state` after every step, and is parked with
 * its last error after too many failed attempts.
 *
 * Generic over the job map (outbox/jobs.ts): the store knows rows, the jobs know their payloads.
 * With several instances on one PostgreSQL, a claim locks its rows with FOR UPDATE SKIP LOCKED:
 * two workers never win the same item, and neither waits for the other.
 */
import type { Sql } from './sql.js';

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
  constructor(private readonly sql: Sql) {}

  /** The same repository inside a transaction another repository opened (an intake lead, a webhook event). */
  in(tx: Sql): OutboxRepository<Jobs> {
    return new OutboxRepository<Jobs>(tx);
  }

  /** Returns the item's id, or the existing one's when `dedupeKey` was seen before. */
  async enqueue<K extends keyof Jobs & string>(accountId: number, kind: K, payload: Jobs[K]['payload'], now: number, dedupeKey: string | null = null): Promise<{ id: number; duplicate: boolean }> {
    const inserted = await this.sql.get<{ id: number }>(
      `INSERT INTO outbox (account_id, kind, payload, status, dedupe_key, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [accountId, kind, JSON.stringify(payload), dedupeKey, now, now, now],
    );
    if (inserted) return { id: inserted.id, duplicate: false };
    const existing = await this.sql.get<{ id: number }>('SELECT id FROM outbox WHERE dedupe_key = ?', [dedupeKey]);
    return { id: existing!.id, duplicate: true };
  }

  /**
   * Like enqueue, but an item of the same kind for the account that is still waiting (never
   * tried, not leased) takes the new payload instead: the last of many clicks is the one that
   * runs, as one job. Once an item has started, a new one is queued after it.
   */
  async coalesce<K extends keyof Jobs & string>(accountId: number, kind: K, payload: Jobs[K]['payload'], now: number): Promise<{ id: number; coalesced: boolean }> {
    const updated = await this.sql.get<{ id: number }>(
      `UPDATE outbox SET payload = ?, updated_at = ?
       WHERE id = (SELECT id FROM outbox WHERE account_id = ? AND kind = ? AND status = 'pending' AND attempts = 0 AND lease_until IS NULL ORDER BY id DESC LIMIT 1)
         AND attempts = 0 AND lease_until IS NULL
       RETURNING id`,
      [JSON.stringify(payload), now, accountId, kind],
    );
    if (updated) return { id: updated.id, coalesced: true };
    return { id: (await this.enqueue(accountId, kind, payload, now)).id, coalesced: false };
  }

  /**
   * Due, not leased by a live worker, and only for connected accounts that amoCRM has not
   * blocked: items of an account that is not connected (yet, or any more) or paused wait.
   *
   * Fair between accounts: each account's due items are numbered in their order (its turn), at
   * most `perAccount` of an account are in flight at once (items already leased count), and the
   * claim goes round the accounts — every ready account's first item before any account's
   * second. One account's burst never queues another account's lead behind it, and an account
   * waiting on its own rate limit holds at most `perAccount` of the worker's slots.
   */
  async claim(now: number, leaseMs: number, limit: number, perAccount = Number.MAX_SAFE_INTEGER): Promise<Array<OutboxItem<Jobs>>> {
    const skipLocked = this.sql.dialect === 'postgres' ? 'FOR UPDATE OF o SKIP LOCKED' : '';
    const rows = await this.sql.all<Row>(
      `WITH busy AS (
         SELECT account_id, COUNT(*) AS n FROM outbox WHERE status = 'pending' AND lease_until >= ? GROUP BY account_id
       ), ranked AS (
         SELECT r.id, r.next_attempt_at, COALESCE(b.n, 0) AS in_flight,
           ROW_NUMBER() OVER (PARTITION BY r.account_id ORDER BY r.next_attempt_at, r.id) AS turn
         FROM outbox r JOIN accounts a ON a.account_id = r.account_id AND a.status = 'connected'
           AND (a.blocked_until IS NULL OR a.blocked_until <= ?)
           LEFT JOIN busy b ON b.account_id = r.account_id
         WHERE r.status = 'pending' AND r.next_attempt_at <= ? AND (r.lease_until IS NULL OR r.lease_until < ?)
       )
       UPDATE outbox SET lease_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (
         SELECT o.id FROM outbox o JOIN ranked k ON k.id = o.id
         -- Checked again on the row itself: PostgreSQL re-reads a row another claim just took
         -- (lease set) before locking it, and these conditions then leave it out.
         WHERE k.turn + k.in_flight <= ? AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < ?)
         ORDER BY k.turn, k.next_attempt_at, k.id LIMIT ? ${skipLocked})
       RETURNING *`,
      [now, now, now, now, now + leaseMs, now, Math.min(perAccount, 1_000_000_000), now, limit],
    );
    const items: Array<OutboxItem<Jobs>> = [];
    for (const row of rows.sort((a, b) => a.id - b.id)) {
      const unreadable = unreadableItem(row);
      if (unreadable === null) items.push(this.toItem(row));
      // An item nobody can read would be claimed, fail and be claimed again for ever: parked, named.
      else await this.sql.run("UPDATE outbox SET status = 'parked', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?", [`This item cannot be read (${unreadable}); it was parked and will not be sent.`, now, row.id]);
    }
    return items;
  }

  /** Items of the account waiting to be sent (the intake's cap), or of one kind. */
  async pendingCount(accountId: number, kind?: keyof Jobs & string): Promise<number> {
    const sql = kind ? "SELECT COUNT(*) AS n FROM outbox WHERE account_id = ? AND status = 'pending' AND kind = ?" : "SELECT COUNT(*) AS n FROM outbox WHERE account_id = ? AND status = 'pending'";
    return (await this.sql.get<{ n: number }>(sql, kind ? [accountId, kind] : [accountId]))!.n;
  }

  /**
   * Changes the payload of the account's newest waiting item of `kind` that no worker has taken
   * yet (never attempted, no lease): true when it did, false when there is none or `amend` says
   * no (null). The update is conditional on the item still being untaken: a claim in between wins.
   */
  async amendWaiting<K extends keyof Jobs & string>(accountId: number, kind: K, now: number, amend: (payload: Jobs[K]['payload']) => Jobs[K]['payload'] | null): Promise<boolean> {
    const row = await this.sql.get<{ id: number; payload: string }>(
      "SELECT id, payload FROM outbox WHERE account_id = ? AND kind = ? AND status = 'pending' AND attempts = 0 AND lease_until IS NULL ORDER BY id DESC LIMIT 1",
      [accountId, kind],
    );
    if (!row) return false;
    const next = amend(JSON.parse(row.payload) as Jobs[K]['payload']);
    if (next === null) return false;
    const changed = await this.sql.run("UPDATE outbox SET payload = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND attempts = 0 AND lease_until IS NULL", [JSON.stringify(next), now, row.id]);
    return changed === 1;
  }

  /**
   * The worker's writes to an item it claimed carry the claim's attempt number: once the lease
   * ran out and another worker claimed the item again (attempts went up), they change nothing
   * and answer false, so the first worker stops instead of repeating a step.
   */
  private fenced(sql: string, params: unknown[], attempt?: number): Promise<boolean> {
    return attempt === undefined ? this.sql.run(sql, params).then((n) => n === 1) : this.sql.run(`${sql} AND attempts = ?`, [...params, attempt]).then((n) => n === 1);
  }

  /** The worker still holds the item: its lease is pushed out to `leaseUntil`. */
  renew(id: number, attempt: number, leaseUntil: number): Promise<boolean> {
    return this.fenced("UPDATE outbox SET lease_until = ? WHERE id = ? AND status = 'pending'", [leaseUntil, id], attempt);
  }

  /** Progress of a multi-step item, written before the next step starts. */
  saveState(id: number, state: object, now: number, attempt?: number): Promise<boolean> {
    return this.fenced('UPDATE outbox SET state = ?, updated_at = ? WHERE id = ?', [JSON.stringify(state), now, id], attempt);
  }

  complete(id: number, state: object, now: number, attempt?: number): Promise<boolean> {
    return this.fenced("UPDATE outbox SET status = 'done', state = ?, lease_until = NULL, last_error = NULL, updated_at = ? WHERE id = ?", [JSON.stringify(state), now, id], attempt);
  }

  /** A failed attempt: back off, or park it when attempts are used up (or the error is final). */
  fail(id: number, error: string, now: number, retryAt: number | null, attempt?: number): Promise<boolean> {
    if (retryAt === null) return this.fenced("UPDATE outbox SET status = 'parked', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?", [error, now, id], attempt);
    return this.fenced('UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?', [Math.round(retryAt), error, now, id], attempt);
  }

  /** Not a failure: the item waits until `until` (the account's block pause) and keeps its attempts. */
  postpone(id: number, reason: string, now: number, until: number, attempt?: number): Promise<boolean> {
    return this.fenced('UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, last_error = ?, updated_at = ? WHERE id = ?', [until, reason, now, id], attempt);
  }

  async find(id: number): Promise<OutboxItem<Jobs> | null> {
    const row = await this.sql.get<Row>('SELECT * FROM outbox WHERE id = ?', [id]);
    return row ? this.toItem(row) : null;
  }

  /** Items by status, newest first; with `accountId`, only that account's. */
  async list(status: OutboxStatus, limit = 100, accountId?: number): Promise<Array<OutboxItem<Jobs>>> {
    const rows = accountId === undefined
      ? await this.sql.all<Row>('SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?', [status, limit])
      : await this.sql.all<Row>('SELECT * FROM outbox WHERE status = ? AND account_id = ? ORDER BY id DESC LIMIT ?', [status, accountId, limit]);
    return rows.map((row) => this.toItem(row));
  }

  /** The account's newest item of a kind (an import's progress). */
  async latest(accountId: number, kind: string): Promise<OutboxItem<Jobs> | null> {
    const row = await this.sql.get<Row>('SELECT * FROM outbox WHERE account_id = ? AND kind = ? ORDER BY id DESC LIMIT 1', [accountId, kind]);
    return row ? this.toItem(row) : null;
  }

  /** An admin's retry: parked items go back to the queue with fresh attempts; with `accountId`, only that account's. */
  retry(id: number | 'all-parked', now: number, accountId?: number): Promise<number> {
    let sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE status = 'parked'";
    const params: number[] = [now, now];
    if (id !== 'all-parked') (sql += ' AND id = ?'), params.push(id);
    if (accountId !== undefined) (sql += ' AND account_id = ?'), params.push(accountId);
    return this.sql.run(sql, params);
  }

  /** Forgets finished work after `doneMs`, except intake items (websites may still ask for their status). */
  purgeDone(now: number, doneMs: number): Promise<number> {
    return this.sql.run("DELETE FROM outbox WHERE status = 'done' AND kind != 'intake' AND updated_at < ?", [now - doneMs]);
  }

  /**
   * A website lead sent to amoCRM more than `afterMs` ago keeps only what its status answer needs
   * (the amoCRM ids): the customer's name, phone, e-mail, address and message are dropped here,
   * as amoCRM holds them now (docs/security.md, "Personal data"). Returns how many were emptied.
   */
  async forgetSentLeadContents(now: number, afterMs: number): Promise<number> {
    const rows = await this.sql.all<{ id: number; payload: string; state: string }>(
      "SELECT id, payload, state FROM outbox WHERE kind = 'intake' AND status = 'done' AND updated_at < ? AND payload NOT LIKE '%\"forgotten\":true%'",
      [now - afterMs],
    );
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as { intakeId?: string };
      const state = JSON.parse(row.state) as { leadId?: number; contactId?: number; noteId?: number };
      await this.sql.run('UPDATE outbox SET payload = ?, state = ? WHERE id = ?', [
        JSON.stringify({ intakeId: payload.intakeId, lead: null, forgotten: true }),
        JSON.stringify({ leadId: state.leadId, contactId: state.contactId, noteId: state.noteId }),
        row.id,
      ]);
    }
    return rows.length;
  }

  /** When the oldest waiting item was made, or null when none waits (the metrics' queue age). */
  async oldestPendingAt(): Promise<number | null> {
    const row = await this.sql.get<{ at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE status = 'pending'");
    return row?.at == null ? null : Number(row.at);
  }

  /** Items per status; with `accountId`, that account's. */
  async counts(accountId?: number): Promise<Record<OutboxStatus, number>> {
    const rows = accountId === undefined
      ? await this.sql.all<{ status: OutboxStatus; n: number }>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status')
      : await this.sql.all<{ status: OutboxStatus; n: number }>('SELECT status, COUNT(*) AS n FROM outbox WHERE account_id = ? GROUP BY status', [accountId]);
    return { pending: 0, done: 0, parked: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  private toItem(row: Row): OutboxItem<Jobs> {
    return {
      id: row.id,
      accountId: row.account_id,
      kind: row.kind,
      // Lists show an unreadable item (parked by claim) with what could be read: never a crash.
      payload: parseOr(row.payload, {}),
      state: parseOr(row.state, {}),
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    } as OutboxItem<Jobs>;
  }
}

/** Why a stored item cannot be read (its payload or state is not a JSON object), or null. */
export function unreadableItem(row: { payload: string; state: string }): string | null {
  for (const [column, text] of [['payload', row.payload], ['state', row.state]] as const) {
    try {
      const value: unknown = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return `its ${column} is not a JSON object`;
    } catch {
      return `its ${column} is not JSON`;
    }
  }
  return null;
}

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) ?? fallback;
  } catch {
    return fallback;
  }
}
