/**
 * Which custom fields an address goes into, per account and entity: the admin's mapping, or the
 * entity's first "short address" field from /custom_fields when no address field was chosen.
 */
import type { EntityType } from '../amo/api-client.js';
import type { AmoCrm, FieldValue } from '../amo/crm.js';
import type { AccountSettingsRepository, EntityFields } from '../store/account-settings-repository.js';
import type { AddressData } from '../geocoding/types.js';

export class FieldMapping {
  constructor(
    private readonly settings: AccountSettingsRepository,
    private readonly crm: AmoCrm,
  ) {}

  async forEntity(accountId: number, entity: EntityType): Promise<EntityFields> {
    const chosen = this.settings.get(accountId).fields[entity] ?? {};
    if (chosen.address) return chosen;
    const fields = await this.crm.customFields(accountId, entity);
    const address = fields.find((f) => f.type === 'streetaddress')?.id;
    return { ...chosen, ...(address ? { address } : {}) };
  }
}

/** The field values for an address and whichever parts the mapping has a field for. */
export function addressFieldValues(mapping: EntityFields, addressFieldId: number, value: string, data: Partial<AddressData> | null | undefined): FieldValue[] {
  const out: FieldValue[] = [{ field_id: addressFieldId, values: [{ value }] }];
  const add = (id: number | undefined, v: string | null | undefined) => id && v && out.push({ field_id: id, values: [{ value: v }] });
  add(mapping.postalCode, data?.postal_code);
  add(mapping.city, data?.city ?? data?.settlement);
  add(mapping.coordinates, data?.lat != null && data?.lon != null ? `${data.lat},${data.lon}` : null);
  return out;
}
