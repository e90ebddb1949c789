/**
 * What the console's "Проверка адресов в базе" does for an admin: start a check, read its report,
 * apply the chosen rows, undo an apply, cancel. The work itself runs as outbox items
 * (base-cleaner.ts), so it survives a restart and is shared between instances.
 */
import type { AccountsRepository } from '../store/accounts-repository.js';
import { ActiveCleanJobError, RUNNING, type CleanJobRow, type CleanJobsRepository, type StoredCleanRow } from '../store/clean-jobs-repository.js';
import type { Outbox } from '../outbox/jobs.js';
import type { FieldMapping } from '../outbox/field-mapping.js';
import { AppError } from '../errors.js';
import type { CleanClass, CleanEntity, CleanFilter, CleanJob, CleanRow, CleanRowsPage } from '../../contract/cleaning.js';

export interface CleanConsoleDeps {
  jobs: CleanJobsRepository;
  accounts: AccountsRepository;
  outbox: Outbox;
  mapping: FieldMapping;
  now: () => number;
  wake(): void;
}

/** The card's page in amoCRM (`/leads/detail/ID`, `/contacts/detail/ID`, `/companies/detail/ID`). */
export const cardLink = (host: string, entity: CleanEntity, id: number) => `https://${host}/${entity}/detail/${id}`;

export class CleanConsole {
  constructor(private readonly deps: CleanConsoleDeps) {}

  async start(accountId: number, entity: CleanEntity, filter: CleanFilter): Promise<CleanJob> {
    if (!(await this.deps.mapping.forEntity(accountId, entity))) {
      throw new AppError('invalid_body', `Choose the address field of ${entity} in the settings first: the check reads that field.`, { field: 'entity' });
    }
    let id: number;
    try {
      id = await this.deps.jobs.create(accountId, entity, filter, this.deps.now());
    } catch (error) {
      if (error instanceof ActiveCleanJobError) throw new AppError('clean_job_conflict', 'A check of this account is running; wait for it or cancel it first.', { jobId: error.jobId });
      throw error;
    }
    await this.deps.outbox.enqueue(accountId, 'clean', { jobId: id, phase: 'check' }, this.deps.now());
    this.deps.wake();
    return this.view((await this.deps.jobs.find(accountId, id))!);
  }

  async latest(accountId: number): Promise<CleanJob | null> {
    const job = await this.deps.jobs.latest(accountId);
    return job ? this.view(job) : null;
  }

  async job(accountId: number, id: number): Promise<CleanJob> {
    return this.view(await this.own(accountId, id));
  }

  /** The chosen rows (every `normalise` row when `ids` is null) are written to amoCRM. */
  async apply(accountId: number, id: number, ids: number[] | null): Promise<CleanJob> {
    const job = await this.own(accountId, id);
    if (!['checked', 'applied', 'cancelled'].includes(job.status)) throw new AppError('clean_job_conflict', `The job is ${job.status}: apply after its check is done.`);
    const chosen = await this.deps.jobs.select(id, ids);
    if (chosen === 0) throw new AppError('invalid_body', 'Nothing to apply: no row that will be normalised is chosen (or all are written already).', { field: 'ids' });
    await this.deps.jobs.setStatus(id, 'applying', this.deps.now(), { toDo: chosen });
    await this.deps.outbox.enqueue(accountId, 'clean', { jobId: id, phase: 'apply' }, this.deps.now());
    this.deps.wake();
    return this.job(accountId, id);
  }

  /** Every row the apply wrote gets its old values back (where amoCRM still holds what was written). */
  async undo(accountId: number, id: number): Promise<CleanJob> {
    const job = await this.own(accountId, id);
    const { states } = await this.deps.jobs.counts(id);
    if (RUNNING.includes(job.status)) throw new AppError('clean_job_conflict', `The job is ${job.status}; cancel it or wait before undoing.`);
    if (states.applied === 0) throw new AppError('clean_job_conflict', 'Nothing to undo: this job wrote no address.');
    await this.deps.jobs.setStatus(id, 'undoing', this.deps.now(), { toDo: states.applied });
    await this.deps.outbox.enqueue(accountId, 'clean', { jobId: id, phase: 'undo' }, this.deps.now());
    this.deps.wake();
    return this.job(accountId, id);
  }

  /** The running phase stops after the page or batch in hand; what it wrote stays written (and can be undone). */
  async cancel(accountId: number, id: number): Promise<CleanJob> {
    const job = await this.own(accountId, id);
    if (!RUNNING.includes(job.status)) throw new AppError('clean_job_conflict', `The job is ${job.status}: there is nothing to cancel.`);
    await this.deps.jobs.requestCancel(id, this.deps.now());
    return this.job(accountId, id);
  }

  async rows(accountId: number, id: number, options: { class?: CleanClass; offset: number; limit: number }): Promise<CleanRowsPage> {
    const { job, host } = await this.ownWithHost(accountId, id);
    const { rows, total } = await this.deps.jobs.rows(id, options);
    return { rows: rows.map((r) => this.row(host, job.entity, r)), total };
  }

  /** Every row of the report in entity order, a page at a time (the CSV is streamed from it). */
  async *allRows(accountId: number, id: number): AsyncGenerator<CleanRow[]> {
    const { job, host } = await this.ownWithHost(accountId, id);
    for await (const rows of this.pages(id)) yield rows.map((r) => this.row(host, job.entity, r));
  }

  /** What the apply changed, as it was before, per entity (the undo file). */
  async *undoRecords(accountId: number, id: number): AsyncGenerator<Array<{ entityId: number; link: string; oldValue: string; newValue: string | null; oldFields: unknown }>> {
    const { job, host } = await this.ownWithHost(accountId, id);
    for await (const rows of this.pages(id)) {
      yield rows.filter((r) => r.oldFields && (r.state === 'applied' || r.state === 'undone')).map((r) => ({ entityId: r.entityId, link: cardLink(host, job.entity, r.entityId), oldValue: r.oldValue, newValue: r.newValue, oldFields: JSON.parse(r.oldFields!) }));
    }
  }

  /** The job's rows, 1,000 at a time in entity order. */
  private async *pages(id: number): AsyncGenerator<StoredCleanRow[]> {
    for (let after = 0; ; ) {
      const { rows } = await this.deps.jobs.rows(id, { afterId: after, limit: 1000 });
      if (!rows.length) return;
      yield rows;
      after = rows.at(-1)!.entityId;
    }
  }

  private async ownWithHost(accountId: number, id: number): Promise<{ job: CleanJobRow; host: string }> {
    return { job: await this.own(accountId, id), host: await this.host(accountId) };
  }

  private async own(accountId: number, id: number): Promise<CleanJobRow> {
    const job = await this.deps.jobs.find(accountId, id);
    if (!job) throw new AppError('not_found', `This account has no check ${id}.`);
    return job;
  }

  private async host(accountId: number): Promise<string> {
    const account = await this.deps.accounts.find(accountId);
    return account ? `${account.subdomain}.${account.baseDomain}` : 'amocrm.ru';
  }

  private row(host: string, entity: CleanEntity, r: StoredCleanRow): CleanRow {
    return { entityId: r.entityId, link: cardLink(host, entity, r.entityId), class: r.class, oldValue: r.oldValue, newValue: r.newValue, verdict: r.verdict, zone: r.zone, price: r.price, state: r.state, reason: r.reason };
  }

  private async view(job: CleanJobRow): Promise<CleanJob> {
    const { classes, states } = await this.deps.jobs.counts(job.id);
    const running = RUNNING.includes(job.status);
    const elapsed = job.phaseStartedAt === null ? 0 : (this.deps.now() - job.phaseStartedAt) / 1000;
    // Apply and undo know their rows; a check does not know how many entities amoCRM holds.
    const eta = running && job.status !== 'checking' && job.done > 0 && elapsed > 0 ? Math.ceil(((job.toDo - job.done) * elapsed) / job.done) : null;
    return {
      id: job.id,
      entity: job.entity,
      filter: job.filter,
      status: job.status,
      read: job.readCount,
      counts: classes,
      toDo: job.toDo,
      done: Math.min(job.done, job.toDo),
      applied: states.applied,
      skipped: states.skipped,
      parked: states.parked,
      undone: states.undone,
      etaSeconds: eta === null ? null : Math.max(0, eta),
      error: job.error,
      createdAt: new Date(job.createdAt).toISOString(),
      updatedAt: new Date(job.updatedAt).toISOString(),
    };
  }
}
