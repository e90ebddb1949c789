/**
 * Website leads we accepted: which site posted each and which outbox item sends it. The record
 * and its outbox item are written in one transaction, so a lead is never answered "queued"
 * without the work that sends it.
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from './sql.js';

export interface IntakeRecord {
  id: string;
  outboxId: number;
  createdAt: number;
}

export class IntakeLeadsRepository {
  constructor(private readonly sql: Sql) {}

  /** Stores a new lead of `site`; `enqueue(id, tx)` queues its outbox item inside the same transaction. */
  create(site: { id: number; accountId: number }, now: number, enqueue: (intakeId: string, tx: Sql) => Promise<number>): Promise<string> {
    return this.sql.transaction(async (tx) => {
      const id = `ld_${randomBytes(8).toString('hex')}`;
      const outboxId = await enqueue(id, tx);
      await tx.run('INSERT INTO intake_leads (id, site_key_id, account_id, outbox_id, created_at) VALUES (?, ?, ?, ?, ?)', [id, site.id, site.accountId, outboxId, now]);
      return id;
    });
  }

  /** The lead, only when asked by the site that posted it. */
  async find(id: string, siteKeyId: number): Promise<IntakeRecord | null> {
    const row = await this.sql.get<{ outbox_id: number; created_at: number }>('SELECT outbox_id, created_at FROM intake_leads WHERE id = ? AND site_key_id = ?', [id, siteKeyId]);
    return row ? { id, outboxId: row.outbox_id, createdAt: row.created_at } : null;
  }
}
