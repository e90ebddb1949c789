/**
 * Website leads: stored locally first (one transaction: the intake record and its outbox item),
 * answered at once, sent to amoCRM by the outbox worker whatever amoCRM is doing.
 */
import type { Clock } from '../clock.js';
import type { Outbox } from '../outbox/jobs.js';
import type { IntakeLeadsRepository } from '../store/intake-leads-repository.js';
import type { SiteKey } from '../store/site-keys-repository.js';
import type { IntakeLead } from '../intake/intake-schema.js';
import { AppError } from '../errors.js';

/** How long a site's Idempotency-Key stands for its first lead (a retry comes within seconds or hours). */
const IDEMPOTENCY_MS = 24 * 3600 * 1000;

export type IntakeStatus = 'queued' | 'retrying' | 'sent' | 'failed';

export interface IntakeView {
  id: string;
  status: IntakeStatus;
  attempts: number;
  createdAt: string;
  amocrm: { leadId: number | null; contactId: number | null; noteId: number | null };
  error: string | null;
}

export class IntakeService {
  constructor(
    private readonly deps: { leads: IntakeLeadsRepository; outbox: Outbox; clock: Clock; wake(): void; maxPending: number },
  ) {}

  /**
   * Stores the lead with its outbox item (one transaction) and answers at once. An account with
   * `maxPending` items waiting takes no more until they drain: a site flooding it would otherwise
   * grow the queue without end (the worker sends each account's items at amoCRM's rate).
   */
  async accept(site: SiteKey, lead: IntakeLead, idempotencyKey: string | null = null): Promise<{ id: string; replayed: boolean }> {
    const { leads, outbox, clock } = this.deps;
    if ((await outbox.pendingCount(site.accountId)) >= this.deps.maxPending) {
      throw new AppError('rate_limited', `This account has ${this.deps.maxPending} leads waiting to reach amoCRM; send again in a minute.`, { retryAfterSeconds: 60 });
    }
    const now = clock.now();
    const created = await leads.create(site, now, async (intakeId, tx) => (await outbox.in(tx).enqueue(site.accountId, 'intake', { intakeId, lead }, now)).id, idempotencyKey ? { key: idempotencyKey, replayMs: IDEMPOTENCY_MS } : undefined);
    if (!created.replayed) this.deps.wake();
    return created;
  }

  /** Where a lead stands; only the site that posted it may ask. */
  async view(site: SiteKey, id: string): Promise<IntakeView | null> {
    const record = await this.deps.leads.find(id, site.id);
    const item = record ? await this.deps.outbox.find(record.outboxId) : null;
    if (!record || item?.kind !== 'intake') return null;
    const { state } = item;
    const status: IntakeStatus = item.status === 'done' ? 'sent' : item.status === 'parked' ? 'failed' : item.lastError ? 'retrying' : 'queued';
    return {
      id,
      status,
      attempts: item.attempts,
      createdAt: new Date(record.createdAt).toISOString(),
      amocrm: { leadId: state.leadId ?? null, contactId: state.contactId ?? null, noteId: state.noteId ?? null },
      error: item.status === 'done' ? null : item.lastError,
    };
  }
}
