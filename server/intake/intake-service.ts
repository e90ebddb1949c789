/**
 * Website leads: stored locally first (one transaction: the intake record and its outbox item),
 * answered at once, sent to amoCRM by the outbox worker whatever amoCRM is doing.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { IntakeState } from '../outbox/handlers/intake-handler.js';
import type { SiteKey } from './site-keys-repository.js';
import type { IntakeLead } from './intake-schema.js';

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
  private readonly storeInTransaction;

  constructor(
    private readonly db: Db,
    private readonly outbox: OutboxRepository,
    private readonly onQueued: () => void,
  ) {
    const insert = db.prepare('INSERT INTO intake_leads (id, site_key_id, account_id, outbox_id, created_at) VALUES (?, ?, ?, ?, ?)');
    this.storeInTransaction = db.transaction((site: SiteKey, lead: IntakeLead, now: number) => {
      const id = `ld_${randomBytes(8).toString('hex')}`;
      const { id: outboxId } = this.outbox.enqueue(site.accountId, 'intake', { intakeId: id, lead }, now);
      insert.run(id, site.id, site.accountId, outboxId, now);
      return id;
    });
  }

  accept(site: SiteKey, lead: IntakeLead, now: number): string {
    const id = this.storeInTransaction(site, lead, now) as string;
    this.onQueued();
    return id;
  }

  /** Where a lead stands; only the site that posted it may ask. */
  view(site: SiteKey, id: string): IntakeView | null {
    const row = this.db.prepare('SELECT outbox_id, created_at FROM intake_leads WHERE id = ? AND site_key_id = ?').get(id, site.id) as { outbox_id: number; created_at: number } | undefined;
    const item = row ? this.outbox.find(row.outbox_id) : null;
    if (!row || !item) return null;
    const state = item.state as IntakeState;
    const status: IntakeStatus = item.status === 'done' ? 'sent' : item.status === 'parked' ? 'failed' : item.lastError ? 'retrying' : 'queued';
    return {
      id,
      status,
      attempts: item.attempts,
      createdAt: new Date(row.created_at).toISOString(),
      amocrm: { leadId: state.leadId ?? null, contactId: state.contactId ?? null, noteId: state.noteId ?? null },
      error: item.status === 'done' ? null : item.lastError,
    };
  }
}
