/**
 * Website leads we accepted: which site posted each and which outbox item sends it. The record
 * and its outbox item are written in one transaction, so a lead is never answered "queued"
 * without the work that sends it.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface IntakeRecord {
  id: string;
  outboxId: number;
  createdAt: number;
}

export class IntakeLeadsRepository {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO intake_leads (id, site_key_id, account_id, outbox_id, created_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** Stores a new lead of `site`; `enqueue(id)` queues its outbox item inside the same transaction. */
  create(site: { id: number; accountId: number }, now: number, enqueue: (intakeId: string) => number): string {
    return this.db.transaction(() => {
      const id = `ld_${randomBytes(8).toString('hex')}`;
      this.insert.run(id, site.id, site.accountId, enqueue(id), now);
      return id;
    })();
  }

  /** The lead, only when asked by the site that posted it. */
  find(id: string, siteKeyId: number): IntakeRecord | null {
    const row = this.db.prepare('SELECT outbox_id, created_at FROM intake_leads WHERE id = ? AND site_key_id = ?').get(id, siteKeyId) as { outbox_id: number; created_at: number } | undefined;
    return row ? { id, outboxId: row.outbox_id, createdAt: row.created_at } : null;
  }
}
