/**
 * Clean jobs and their rows (cleaning/base-cleaner.ts): each check page lands with the job's
 * next page in one transaction, and each written batch with its rows' new state in another, so a
 * step killed halfway is repeated from the last thing that landed and nothing lands twice.
 */
import type { Sql } from './sql.js';
import { CLEAN_CLASSES, type CleanClass, type CleanEntity, type CleanFilter, type CleanRowState, type CleanStatus } from '../../contract/cleaning.js';
import type { Verdict } from '../../contract/delivery.js';

export const RUNNING: CleanStatus[] = ['checking', 'applying', 'undoing'];

export interface CleanJobRow {
  id: number;
  accountId: number;
  entity: CleanEntity;
  filter: CleanFilter;
  status: CleanStatus;
  nextPage: number;
  readCount: number;
  toDo: number;
  done: number;
  phaseStartedAt: number | null;
  cancel: boolean;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One entity's address as the check found it, and what the apply did with it. */
export interface StoredCleanRow {
  entityId: number;
  class: CleanClass;
  oldValue: string;
  newValue: string | null;
  verdict: Verdict | null;
  zone: string | null;
  price: number | null;
  budget: number | null;
  /** The match's address data (JSON), written as the report showed it. */
  data: string | null;
  state: CleanRowState;
  reason: string | null;
  /** The fields and tags the apply changed, as they were before it (JSON): what the undo writes back. */
  oldFields: string | null;
  /** What the apply wrote (JSON): the undo writes back only where amoCRM still holds it. */
  newFields: string | null;
}

interface JobRecord {
  id: number;
  account_id: number;
  entity: string;
  filter: string;
  status: string;
  next_page: number;
  read_count: number;
  to_do: number;
  done: number;
  phase_started_at: number | null;
  cancel: number;
  error: string | null;
  created_at: number;
  updated_at: number;
}

interface RowRecord {
  entity_id: number;
  class: string;
  old_value: string;
  new_value: string | null;
  verdict: string | null;
  zone: string | null;
  price: number | null;
  budget: number | null;
  data: string | null;
  state: string;
  reason: string | null;
  old_fields: string | null;
  new_fields: string | null;
}

export class ActiveCleanJobError extends Error {
  constructor(readonly jobId: number) {
    super(`clean job ${jobId} is running`);
  }
}

export class CleanJobsRepository {
  constructor(private readonly sql: Sql) {}

  /** A new job checking the account's entities; refused while another of its jobs runs (one at a time per account). */
  create(accountId: number, entity: CleanEntity, filter: CleanFilter, now: number): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const running = await tx.get<{ id: number }>(`SELECT id FROM clean_jobs WHERE account_id = ? AND status IN (${RUNNING.map(() => '?').join(', ')}) ORDER BY id LIMIT 1`, [accountId, ...RUNNING]);
      if (running) throw new ActiveCleanJobError(Number(running.id));
      const row = await tx.get<{ id: number }>(
        "INSERT INTO clean_jobs (account_id, entity, filter, status, phase_started_at, created_at, updated_at) VALUES (?, ?, ?, 'checking', ?, ?, ?) RETURNING id",
        [accountId, entity, JSON.stringify(filter), now, now, now],
      );
      return Number(row!.id);
    });
  }

  async find(accountId: number, id: number): Promise<CleanJobRow | null> {
    const row = await this.sql.get<JobRecord>('SELECT * FROM clean_jobs WHERE id = ? AND account_id = ?', [id, accountId]);
    return row ? toJob(row) : null;
  }

  async latest(accountId: number): Promise<CleanJobRow | null> {
    const row = await this.sql.get<JobRecord>('SELECT * FROM clean_jobs WHERE account_id = ? ORDER BY id DESC LIMIT 1', [accountId]);
    return row ? toJob(row) : null;
  }

  /** A check page's rows and the page to read next, together; a page read again after a crash adds nothing twice. */
  addPage(job: CleanJobRow, rows: StoredCleanRow[], nextPage: number, now: number): Promise<void> {
    return this.sql.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          `INSERT INTO clean_rows (job_id, account_id, entity_id, class, old_value, new_value, verdict, zone, price, budget, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id, entity_id) DO NOTHING`,
          [job.id, job.accountId, r.entityId, r.class, r.oldValue, r.newValue, r.verdict, r.zone, r.price, r.budget, r.data],
        );
      }
      await tx.run('UPDATE clean_jobs SET next_page = ?, read_count = (SELECT COUNT(*) FROM clean_rows WHERE job_id = ?), updated_at = ? WHERE id = ?', [nextPage, job.id, now, job.id]);
    });
  }

  /** The job moves to `status`; a phase that starts counts its rows to do from zero. */
  async setStatus(id: number, status: CleanStatus, now: number, extra: { toDo?: number; error?: string | null } = {}): Promise<void> {
    const phase = extra.toDo !== undefined;
    await this.sql.run(
      `UPDATE clean_jobs SET status = ?, error = ?, updated_at = ?, cancel = 0${phase ? ', to_do = ?, done = 0, phase_started_at = ?' : ''} WHERE id = ?`,
      [status, extra.error ?? null, now, ...(phase ? [extra.toDo, now] : []), id],
    );
  }

  /** The last failure of a running job's turn (it is tried again), or null once a turn went through. */
  async noteError(id: number, error: string | null, now: number): Promise<void> {
    await this.sql.run('UPDATE clean_jobs SET error = ?, updated_at = ? WHERE id = ?', [error, now, id]);
  }

  async requestCancel(id: number, now: number): Promise<void> {
    await this.sql.run('UPDATE clean_jobs SET cancel = 1, updated_at = ? WHERE id = ?', [now, id]);
  }

  /**
   * Chooses the rows to write: every `normalise` row not yet chosen, or only those of `ids`.
   * Returns how many rows are chosen in all.
   */
  select(jobId: number, ids: number[] | null): Promise<number> {
    return this.sql.transaction(async (tx) => {
      if (ids === null) {
        await tx.run("UPDATE clean_rows SET state = 'selected' WHERE job_id = ? AND class = 'normalise' AND state = 'none'", [jobId]);
      } else {
        for (let i = 0; i < ids.length; i += 500) {
          const part = ids.slice(i, i + 500);
          await tx.run(`UPDATE clean_rows SET state = 'selected' WHERE job_id = ? AND class = 'normalise' AND state = 'none' AND entity_id IN (${part.map(() => '?').join(', ')})`, [jobId, ...part]);
        }
      }
      return Number((await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM clean_rows WHERE job_id = ? AND state = 'selected'", [jobId]))!.n);
    });
  }

  /** Rows in `state`, lowest entity id first (the order the phase writes them in). */
  async inState(jobId: number, state: CleanRowState, limit: number): Promise<StoredCleanRow[]> {
    const rows = await this.sql.all<RowRecord>('SELECT * FROM clean_rows WHERE job_id = ? AND state = ? ORDER BY entity_id LIMIT ?', [jobId, state, limit]);
    return rows.map(toRow);
  }

  /** What a batch's rows held and will hold, stored before the batch is sent (the undo's values survive a kill during the PATCH). */
  remember(jobId: number, rows: Array<{ entityId: number; oldFields: string; newFields: string }>): Promise<void> {
    return this.sql.transaction(async (tx) => {
      for (const r of rows) await tx.run('UPDATE clean_rows SET old_fields = ?, new_fields = ? WHERE job_id = ? AND entity_id = ?', [r.oldFields, r.newFields, jobId, r.entityId]);
    });
  }

  /** A written batch: each row's new state (and what the undo needs), and the phase's count, together. */
  settle(jobId: number, updates: Array<{ entityId: number; state: CleanRowState; reason?: string | null; oldFields?: string | null; newFields?: string | null }>, now: number): Promise<void> {
    return this.sql.transaction(async (tx) => {
      for (const u of updates) {
        await tx.run(
          'UPDATE clean_rows SET state = ?, reason = ?, old_fields = COALESCE(?, old_fields), new_fields = COALESCE(?, new_fields) WHERE job_id = ? AND entity_id = ?',
          [u.state, u.reason ?? null, u.oldFields ?? null, u.newFields ?? null, jobId, u.entityId],
        );
      }
      await tx.run('UPDATE clean_jobs SET done = done + ?, updated_at = ? WHERE id = ?', [updates.length, now, jobId]);
    });
  }

  /** Rows by class and by state. */
  async counts(jobId: number): Promise<{ classes: Record<CleanClass, number>; states: Record<CleanRowState, number> }> {
    const classes = Object.fromEntries(CLEAN_CLASSES.map((c) => [c, 0])) as Record<CleanClass, number>;
    const states: Record<CleanRowState, number> = { none: 0, selected: 0, applied: 0, skipped: 0, parked: 0, undone: 0 };
    for (const r of await this.sql.all<{ class: CleanClass; state: CleanRowState; n: number }>('SELECT class, state, COUNT(*) AS n FROM clean_rows WHERE job_id = ? GROUP BY class, state', [jobId])) {
      classes[r.class] += Number(r.n);
      states[r.state] += Number(r.n);
    }
    return { classes, states };
  }

  /** A page of the report, by entity id; one class only when given. */
  async rows(jobId: number, options: { class?: CleanClass; afterId?: number; offset?: number; limit: number }): Promise<{ rows: StoredCleanRow[]; total: number }> {
    const where = `job_id = ?${options.class ? ' AND class = ?' : ''}`;
    const params: unknown[] = [jobId, ...(options.class ? [options.class] : [])];
    const total = Number((await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM clean_rows WHERE ${where}`, params))!.n);
    const after = options.afterId !== undefined ? ' AND entity_id > ?' : '';
    const rows = await this.sql.all<RowRecord>(`SELECT * FROM clean_rows WHERE ${where}${after} ORDER BY entity_id LIMIT ? OFFSET ?`, [...params, ...(options.afterId !== undefined ? [options.afterId] : []), options.limit, options.offset ?? 0]);
    return { rows: rows.map(toRow), total };
  }
}

function toJob(r: JobRecord): CleanJobRow {
  return {
    id: Number(r.id),
    accountId: Number(r.account_id),
    entity: r.entity as CleanEntity,
    filter: JSON.parse(r.filter) as CleanFilter,
    status: r.status as CleanStatus,
    nextPage: Number(r.next_page),
    readCount: Number(r.read_count),
    toDo: Number(r.to_do),
    done: Number(r.done),
    phaseStartedAt: r.phase_started_at === null ? null : Number(r.phase_started_at),
    cancel: Number(r.cancel) === 1,
    error: r.error,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRow(r: RowRecord): StoredCleanRow {
  return {
    entityId: Number(r.entity_id),
    class: r.class as CleanClass,
    oldValue: r.old_value,
    newValue: r.new_value,
    verdict: r.verdict as Verdict | null,
    zone: r.zone,
    price: r.price === null ? null : Number(r.price),
    budget: r.budget === null ? null : Number(r.budget),
    data: r.data,
    state: r.state as CleanRowState,
    reason: r.reason,
    oldFields: r.old_fields,
    newFields: r.new_fields,
  };
}
