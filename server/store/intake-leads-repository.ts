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

  /**
   * Stores a new lead of `site`; `enqueue(id, tx)` queues its outbox item inside the same
   * transaction. With an idempotency key the site used within `replayMs`, nothing is stored and
   * the first lead's id comes back (`replayed`); an older use of the key is forgotten.
   */
  async create(site: { id: number; accountId: number }, now: number, enqueue: (intakeId: string, tx: Sql) => Promise<number>, idempotency?: { key: string; replayMs: number }): Promise<{ id: string; replayed: boolean }> {
    const attempt = () =>
      this.sql.transaction(async (tx) => {
        if (idempotency) {
          const first = await tx.get<{ id: string; created_at: number }>('SELECT id, created_at FROM intake_leads WHERE site_key_id = ? AND idempotency_key = ?', [site.id, idempotency.key]);
          if (first && first.created_at > now - idempotency.replayMs) return { id: first.id, replayed: true };
          if (first) await tx.run('UPDATE intake_leads SET idempotency_key = NULL WHERE id = ?', [first.id]);
        }
        const id = `ld_${randomBytes(8).toString('hex')}`;
        const outboxId = await enqueue(id, tx);
        await tx.run('INSERT INTO intake_leads (id, site_key_id, account_id, outbox_id, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)', [id, site.id, site.accountId, outboxId, now, idempotency?.key ?? null]);
        return { id, replayed: false };
      });
    try {
      return await attempt();
    } catch (error) {
      // The same key sent twice at once (two instances): the one that lost the unique index answers as a replay.
      if (idempotency && /unique|duplicate key/i.test((error as Error).message)) return attempt();
      throw error;
    }
  }

  /** The lead, only when asked by the site that posted it. */
  async find(id: string, siteKeyId: number): Promise<IntakeRecord | null> {
    const row = await this.sql.get<{ outbox_id: number; created_at: number }>('SELECT outbox_id, created_at FROM intake_leads WHERE id = ? AND site_key_id = ?', [id, siteKeyId]);
    return row ? { id, outboxId: row.outbox_id, createdAt: row.created_at } : null;
  }
}
