/**
 * Runs a clean job's phases as outbox items (kind `clean`), a bounded part per turn (then
 * ContinueLater puts the item back in the account's line, so its write-backs go between parts):
 *
 * - **check**: reads the entities page by page (250 a request, with the job's filter), classifies
 *   each address (classify-address.ts) and stores the rows with the next page in one transaction;
 * - **apply**: writes the chosen rows 50 an amoCRM request (a batch PATCH), after reading them
 *   again: a row changed in amoCRM since the check is left alone, one that already holds what we
 *   write (a batch repeated after a kill) is only marked; what the fields held before is stored
 *   before the PATCH, so every written row can be undone;
 * - **undo**: writes the old values back where amoCRM still holds what the apply wrote.
 *
 * Every request goes through the account's rate window (AmoApi), shared with its outbox items.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AmoCrm, FieldValue, CrmEntity } from '../amo/crm.js';
import { AmoApiError } from '../amo/api-errors.js';
import { readAddress } from '../amo/address-fields.js';
import type { FieldMapping, AddressTarget } from '../outbox/field-mapping.js';
import type { AddressWriter } from '../outbox/handlers/writeback-handler.js';
import type { WritebacksRepository } from '../store/writebacks-repository.js';
import type { CleanJobRow, CleanJobsRepository, StoredCleanRow } from '../store/clean-jobs-repository.js';
import { ContinueLater, type CleanPayload, type JobHandler } from '../outbox/jobs.js';
import { classifyAddress, type ClassifyDeps } from './classify-address.js';
import { AppError } from '../errors.js';
import type { AddressData } from '../geocoding/types.js';
import { budgetOf, type Verdict } from '../../contract/delivery.js';
import type { CleanFilter, CleanRowState } from '../../contract/cleaning.js';

/** amoCRM's largest page (reference §6). */
export const PAGE_SIZE = 250;
/** Entities a PATCH carries: amoCRM takes 250 and advises 50 (reference §6); docs/cleaning.md has the measurement. */
export const WRITE_BATCH = 50;

export interface CleanerDeps extends ClassifyDeps {
  jobs: CleanJobsRepository;
  crm: AmoCrm;
  mapping: FieldMapping;
  writer: AddressWriter;
  writebacks: WritebacksRepository;
  now: () => number;
  /** Pages (check) or batches (apply, undo) in one turn. */
  perTurn?: number;
  writeBatch?: number;
}

type Tagged = CrmEntity & { _embedded?: { tags?: Array<{ name: string }> } };

/** What the apply changed, as it was before: the undo writes these back. */
interface OldFields {
  fields: FieldValue[];
  /** Tags the apply added that the entity did not have (the undo takes them off)… */
  addedTags: string[];
  /** …and tags it took off that the entity had (the undo puts them back). */
  removedTags: string[];
}

/** The filter in amoCRM's list parameters (amoCRM docs leads-api "filter"; examples: filter[statuses][0][pipeline_id] with [status_id]). */
export function listFilter(entity: CleanJobRow['entity'], filter: CleanFilter): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  if (entity === 'leads' && filter.statusId !== undefined && filter.pipelineId !== undefined) {
    query['filter[statuses][0][pipeline_id]'] = filter.pipelineId;
    query['filter[statuses][0][status_id]'] = filter.statusId;
  } else if (entity === 'leads' && filter.pipelineId !== undefined) {
    query['filter[pipeline_id]'] = filter.pipelineId;
  }
  // Unix seconds; the dates are whole days in UTC, both ends included.
  if (filter.createdFrom) query['filter[created_at][from]'] = Math.floor(Date.parse(`${filter.createdFrom}T00:00:00Z`) / 1000);
  if (filter.createdTo) query['filter[created_at][to]'] = Math.floor(Date.parse(`${filter.createdTo}T23:59:59Z`) / 1000);
  return query;
}

export class BaseCleaner {
  private readonly perTurn: number;
  private readonly batch: number;

  constructor(private readonly deps: CleanerDeps) {
    this.perTurn = deps.perTurn ?? 4;
    this.batch = deps.writeBatch ?? WRITE_BATCH;
  }

  /** One turn of the job's phase; ContinueLater when there is more. */
  async run(accountId: number, payload: CleanPayload): Promise<void> {
    const job = await this.deps.jobs.find(accountId, payload.jobId);
    const expected = { check: 'checking', apply: 'applying', undo: 'undoing' }[payload.phase];
    if (!job || job.status !== expected) return; // cancelled, or a phase already over
    const target = await this.deps.mapping.forEntity(accountId, job.entity);
    if (!target) {
      await this.deps.jobs.setStatus(job.id, 'failed', this.deps.now(), { error: `No address field is chosen for ${job.entity} in the console's settings.` });
      return;
    }
    try {
      const more = payload.phase === 'check' ? await this.check(job, target) : await this.write(job, target, payload.phase);
      if (job.error) await this.deps.jobs.noteError(job.id, null, this.deps.now()); // a turn went through again
      if (more) throw new ContinueLater();
    } catch (error) {
      if (error instanceof ContinueLater) throw error;
      // Refused for good (the outbox parks the item): the job says why. Anything else is retried,
      // and the console shows the failure meanwhile (if the retries run out, the item is parked
      // in the console's writes, where Retry goes on from here).
      const final = error instanceof AmoApiError ? error.kind === 'final' || error.kind === 'rights' || error.kind === 'auth' : error instanceof AppError;
      if (final) {
        await this.deps.jobs.setStatus(job.id, 'failed', this.deps.now(), { error: (error as Error).message });
      } else {
        await this.deps.jobs.noteError(job.id, (error as Error)?.message ?? String(error), this.deps.now()).catch(() => {});
      }
      throw error;
    }
  }

  /** Reads and classifies up to `perTurn` pages; true while pages remain. */
  private async check(job: CleanJobRow, target: AddressTarget): Promise<boolean> {
    const query = listFilter(job.entity, job.filter);
    let current = job;
    for (let turn = 0; turn < this.perTurn; turn++) {
      if (current.cancel) {
        await this.deps.jobs.setStatus(current.id, 'cancelled', this.deps.now());
        return false;
      }
      const page = await this.deps.crm.page(current.accountId, current.entity, current.nextPage, PAGE_SIZE, query);
      const rows: StoredCleanRow[] = [];
      for (const entity of page.items) {
        rows.push(await classifyAddress(this.deps, current.accountId, target, entity));
        // A match is synchronous work on this thread: other accounts' requests go between two.
        await nextTurn();
      }
      await this.deps.jobs.addPage(current, rows, current.nextPage + 1, this.deps.now());
      if (!page.hasNext) {
        await this.deps.jobs.setStatus(current.id, 'checked', this.deps.now());
        return false;
      }
      current = (await this.deps.jobs.find(current.accountId, current.id))!;
    }
    return true;
  }

  /** Writes up to `perTurn` batches of the phase's rows; true while rows remain. */
  private async write(job: CleanJobRow, target: AddressTarget, phase: 'apply' | 'undo'): Promise<boolean> {
    for (let turn = 0; turn < this.perTurn; turn++) {
      const current = (await this.deps.jobs.find(job.accountId, job.id))!;
      if (current.cancel) {
        await this.deps.jobs.setStatus(job.id, 'cancelled', this.deps.now());
        return false;
      }
      const rows = await this.deps.jobs.inState(job.id, phase === 'apply' ? 'selected' : 'applied', this.batch);
      if (!rows.length) {
        await this.deps.jobs.setStatus(job.id, phase === 'apply' ? 'applied' : 'undone', this.deps.now());
        return false;
      }
      const entities = new Map((await this.deps.crm.entities(job.accountId, job.entity, rows.map((r) => r.entityId))).map((e) => [e.id, e as Tagged]));
      if (phase === 'apply') await this.applyBatch(job, target, rows, entities);
      else await this.undoBatch(job, target, rows, entities);
    }
    return true;
  }

  private async applyBatch(job: CleanJobRow, target: AddressTarget, rows: StoredCleanRow[], entities: Map<number, Tagged>): Promise<void> {
    const settled: Array<{ entityId: number; state: CleanRowState; reason?: string; oldFields?: string; newFields?: string }> = [];
    const sends: Array<{ row: StoredCleanRow; id: number; fields: FieldValue[]; tags: { add?: string[]; remove?: string[] }; readBack: string; old: OldFields }> = [];
    for (const row of rows) {
      const entity = entities.get(row.entityId);
      if (!entity) {
        settled.push({ entityId: row.entityId, state: 'skipped', reason: 'deleted in amoCRM since the check' });
        continue;
      }
      const now = readAddress(target.address, entity.custom_fields_values)?.trim() ?? '';
      if (now === row.newValue && row.oldFields) {
        settled.push({ entityId: row.entityId, state: 'applied' }); // written by a turn that was cut before it could say so
        continue;
      }
      if (now !== row.oldValue) {
        settled.push({ entityId: row.entityId, state: 'skipped', reason: 'changed in amoCRM since the check' });
        continue;
      }
      const match = JSON.parse(row.data!) as { value: string; data: Partial<AddressData> };
      try {
        const planned = await this.deps.writer.plan(job.accountId, { entity: job.entity, entityId: row.entityId, fieldId: target.address.id, value: match.value, data: match.data, verdict: (row.verdict ?? undefined) as Verdict | undefined }, budgetOf(entity.price));
        sends.push({ row, id: row.entityId, fields: planned.fields, tags: planned.tags, readBack: planned.readBack, old: snapshot(entity, planned.fields, planned.tags) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        settled.push({ entityId: row.entityId, state: 'parked', reason: error.message });
      }
    }
    // What the fields held is stored before they change: a kill after the PATCH still leaves the undo its values.
    if (sends.length) await this.deps.jobs.remember(job.id, sends.map((s) => ({ entityId: s.id, oldFields: JSON.stringify(s.old), newFields: JSON.stringify({ fields: s.fields, tags: s.tags }) })));
    const refused = await this.patch(job, sends);
    for (const s of sends) {
      const reason = refused.get(s.id);
      settled.push(reason ? { entityId: s.id, state: 'parked', reason } : { entityId: s.id, state: 'applied' });
      if (!reason) await this.deps.writebacks.record({ accountId: job.accountId, entity: job.entity, entityId: s.id, fieldId: target.address.id }, s.readBack, this.deps.now());
    }
    await this.deps.jobs.settle(job.id, settled, this.deps.now());
  }

  private async undoBatch(job: CleanJobRow, target: AddressTarget, rows: StoredCleanRow[], entities: Map<number, Tagged>): Promise<void> {
    const settled: Array<{ entityId: number; state: CleanRowState; reason?: string }> = [];
    const sends: Array<{ id: number; fields: FieldValue[]; tags: { add?: string[]; remove?: string[] } }> = [];
    for (const row of rows) {
      const entity = entities.get(row.entityId);
      const now = entity ? (readAddress(target.address, entity.custom_fields_values)?.trim() ?? '') : null;
      if (now === row.oldValue) {
        settled.push({ entityId: row.entityId, state: 'undone' }); // already back (a repeated turn)
        continue;
      }
      if (now !== row.newValue || !row.oldFields) {
        settled.push({ entityId: row.entityId, state: 'skipped', reason: entity ? 'changed in amoCRM after the apply; left as it is' : 'deleted in amoCRM' });
        continue;
      }
      const old = JSON.parse(row.oldFields) as OldFields;
      sends.push({ id: row.entityId, fields: old.fields, tags: { ...(old.removedTags.length ? { add: old.removedTags } : {}), ...(old.addedTags.length ? { remove: old.addedTags } : {}) } });
    }
    const refused = await this.patch(job, sends);
    for (const s of sends) {
      const reason = refused.get(s.id);
      settled.push(reason ? { entityId: s.id, state: 'parked', reason } : { entityId: s.id, state: 'undone' });
      const row = rows.find((r) => r.entityId === s.id)!;
      if (!reason) await this.deps.writebacks.record({ accountId: job.accountId, entity: job.entity, entityId: s.id, fieldId: target.address.id }, row.oldValue, this.deps.now());
    }
    await this.deps.jobs.settle(job.id, settled, this.deps.now());
  }

  /**
   * One batch PATCH. When amoCRM refuses the batch as such (a validation error, or rights:
   * reference §8 "a 403 is not always a block"), each entity is sent alone to learn which; their
   * refusals come back by id. Other failures (5xx, network, a block) are thrown: the turn is
   * repeated later, and the re-read tells what landed.
   */
  private async patch(job: CleanJobRow, sends: Array<{ id: number; fields: FieldValue[]; tags: { add?: string[]; remove?: string[] } }>): Promise<Map<number, string>> {
    const refused = new Map<number, string>();
    if (!sends.length) return refused;
    try {
      await this.deps.crm.updateMany(job.accountId, job.entity, sends);
      return refused;
    } catch (error) {
      // A batch amoCRM could not finish in time: halves, each sent on its own (reference §6, "504 → smaller batch").
      if (error instanceof AmoApiError && error.amoStatus === 504 && sends.length > 1) {
        const half = Math.ceil(sends.length / 2);
        for (const part of [sends.slice(0, half), sends.slice(half)]) for (const [id, why] of await this.patch(job, part)) refused.set(id, why);
        return refused;
      }
      if (!isRefusal(error)) throw error;
    }
    for (const s of sends) {
      try {
        await this.deps.crm.updateFields(job.accountId, job.entity, s.id, s.fields, s.tags);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refused.set(s.id, (error as Error).message);
      }
    }
    return refused;
  }
}

const isRefusal = (error: unknown) => error instanceof AmoApiError && (error.kind === 'final' || error.kind === 'rights');

/** The entity's values of the fields a write changes (null where it had none) and the tags it had. */
function snapshot(entity: Tagged, fields: FieldValue[], tags: { add?: string[]; remove?: string[] }): OldFields {
  const had = new Set((entity._embedded?.tags ?? []).map((t) => t.name));
  const current = entity.custom_fields_values ?? [];
  return {
    fields: fields.map((f) => {
      const old = current.find((c) => c.field_id === f.field_id);
      return { field_id: f.field_id, values: old?.values?.length ? old.values.map(({ value, enum_code, enum_id }) => ({ value, ...(enum_code ? { enum_code } : {}), ...(enum_id ? { enum_id } : {}) })) : null };
    }),
    addedTags: (tags.add ?? []).filter((t) => !had.has(t)),
    removedTags: (tags.remove ?? []).filter((t) => had.has(t)),
  };
}

/** The outbox's handler for `clean` items: one turn of the job's phase (its progress is in the job's rows). */
export const cleanTurn = (cleaner: BaseCleaner): JobHandler<'clean'> => (item) => cleaner.run(item.accountId, item.payload);
