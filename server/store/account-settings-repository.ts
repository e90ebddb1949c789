/**
 * Per-account choices an admin makes from what amoCRM's /custom_fields and /pipelines return:
 * which fields hold the address and its parts, and where website leads go. Never hard-coded.
 */
import { z } from 'zod';
import type { Sql } from './sql.js';

const fieldId = z.number().int().positive();
export const entityFieldsSchema = z
  .object({
    address: fieldId.optional(),
    postalCode: fieldId.optional(),
    city: fieldId.optional(),
    coordinates: fieldId.optional(),
    // Leads only: the delivery zone's name, price and the distance to the nearest warehouse.
    zoneName: fieldId.optional(),
    zonePrice: fieldId.optional(),
    zoneDistance: fieldId.optional(),
    // What the courier needs beyond the address (text or number fields); unmapped ones stay in the address line.
    flat: fieldId.optional(),
    entrance: fieldId.optional(),
    floor: fieldId.optional(),
    intercom: fieldId.optional(),
    courierComment: fieldId.optional(),
    // The verdict in words ("дом найден, точка по улице"): a text field.
    verdict: fieldId.optional(),
  })
  .strict();
export const accountSettingsSchema = z
  .object({
    pipelineId: z.number().int().positive().optional(),
    statusId: z.number().int().positive().optional(),
    // The tag put on an entity whose address is weaker than a house with its own point ("адрес не проверен"); absent: none.
    uncheckedTag: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters').optional(),
    // Required: a body without it (empty, or not JSON) must not erase a saved mapping; `{}` clears it.
    fields: z.object({ leads: entityFieldsSchema.optional(), contacts: entityFieldsSchema.optional(), companies: entityFieldsSchema.optional() }, { error: 'is required (an object per entity; {} clears the mapping)' }).strict(),
  })
  .strict();

export type AccountSettings = z.infer<typeof accountSettingsSchema>;
export type EntityFields = z.infer<typeof entityFieldsSchema>;

export class AccountSettingsRepository {
  constructor(private readonly sql: Sql) {}

  async get(accountId: number): Promise<AccountSettings> {
    const row = await this.sql.get<{ settings: string }>('SELECT settings FROM account_settings WHERE account_id = ?', [accountId]);
    return row ? accountSettingsSchema.parse(JSON.parse(row.settings)) : { fields: {} };
  }

  async save(accountId: number, settings: AccountSettings, now: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO account_settings (account_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
      [accountId, JSON.stringify(settings), now],
    );
  }
}
