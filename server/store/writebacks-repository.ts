/**
 * The last value we wrote into each (entity, field). It makes a repeated write-back a no-op and
 * lets the webhook handler recognise the update event our own write caused.
 */
import type { Sql } from './sql.js';

export interface WrittenField {
  accountId: number;
  entity: string;
  entityId: number;
  fieldId: number;
}

export class WritebacksRepository {
  constructor(private readonly sql: Sql) {}

  async last(key: WrittenField): Promise<{ value: string; writtenAt: number } | null> {
    const row = await this.sql.get<{ value: string; written_at: number }>(
      'SELECT value, written_at FROM writebacks WHERE account_id = ? AND entity = ? AND entity_id = ? AND field_id = ?',
      [key.accountId, key.entity, key.entityId, key.fieldId],
    );
    return row ? { value: row.value, writtenAt: row.written_at } : null;
  }

  async record(key: WrittenField, value: string, now: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO writebacks (account_id, entity, entity_id, field_id, value, written_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, entity, entity_id, field_id) DO UPDATE SET value = excluded.value, written_at = excluded.written_at`,
      [key.accountId, key.entity, key.entityId, key.fieldId, value, now],
    );
  }
}
