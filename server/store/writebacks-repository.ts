/**
 * The last value we wrote into each (entity, field). It makes a repeated write-back a no-op and
 * lets the webhook handler recognise the update event our own write caused.
 */
import type { Db } from './database.js';

export interface WrittenField {
  accountId: number;
  entity: string;
  entityId: number;
  fieldId: number;
}

export class WritebacksRepository {
  constructor(private readonly db: Db) {}

  last(key: WrittenField): { value: string; writtenAt: number } | null {
    const row = this.db
      .prepare('SELECT value, written_at FROM writebacks WHERE account_id = ? AND entity = ? AND entity_id = ? AND field_id = ?')
      .get(key.accountId, key.entity, key.entityId, key.fieldId) as { value: string; written_at: number } | undefined;
    return row ? { value: row.value, writtenAt: row.written_at } : null;
  }

  record(key: WrittenField, value: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO writebacks (account_id, entity, entity_id, field_id, value, written_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, entity, entity_id, field_id) DO UPDATE SET value = excluded.value, written_at = excluded.written_at`,
      )
      .run(key.accountId, key.entity, key.entityId, key.fieldId, value, now);
  }
}
