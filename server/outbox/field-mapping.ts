/**
 * Which custom fields an address goes into, per account and entity: the admin's mapping, or the
 * entity's first "short address" field from /custom_fields when no address field was chosen.
 * It is also the gate for the widget's write-back: only an address field of that very entity.
 */
import type { EntityType } from '../amo/api-client.js';
import type { AmoCrm, CustomField, FieldValue } from '../amo/crm.js';
import type { AccountSettings, AccountSettingsRepository } from '../store/account-settings-repository.js';
import type { AddressData } from '../geocoding/types.js';
import { addressValue, isAddressByNature, unwritableReason, valueLimit } from '../amo/address-fields.js';
import { AppError } from '../errors.js';
import { ZONE_PARTS, zoneFieldProblem, type ZonePart } from '../delivery/zone-fields.js';
import { DETAIL_PARTS, detailFieldProblem, type DetailTarget } from './detail-fields.js';

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];
const PARTS = ['postalCode', 'city', 'coordinates'] as const;
export interface AddressTarget extends DetailTarget {
  address: CustomField;
  parts: Partial<Record<(typeof PARTS)[number], CustomField>>;
  /** Leads only: where the delivery zone's name, price and distance go. */
  zone: Partial<Record<ZonePart, CustomField>>;
}

export class FieldMapping {
  constructor(
    private readonly settings: AccountSettingsRepository,
    private readonly crm: AmoCrm,
  ) {}

  /** Where an address for `entity` goes, or null when the entity has no address field at all. */
  async forEntity(accountId: number, entity: EntityType): Promise<AddressTarget | null> {
    const fields = await this.crm.customFields(accountId, entity);
    const settings = await this.settings.get(accountId);
    const chosen = settings.fields[entity]?.address;
    const address = chosen ? fields.find((f) => f.id === chosen) : fields.find((f) => f.type === 'streetaddress');
    return address ? this.target(address, settings, entity, fields) : null;
  }

  /**
   * The widget asks to write `fieldId` of `entity`: allowed only for the admin's address field of
   * that entity or a field that is an address by its type (short address, address, the company's
   * ADDRESS), checked against amoCRM's own /custom_fields. Refusals are 400s that say what to do.
   */
  async authorize(accountId: number, entity: EntityType, fieldId: number): Promise<AddressTarget> {
    const fields = await this.crm.customFields(accountId, entity);
    const field = fields.find((f) => f.id === fieldId);
    if (!field) {
      for (const other of ENTITIES.filter((e) => e !== entity)) {
        if ((await this.crm.customFields(accountId, other)).some((f) => f.id === fieldId)) {
          throw new AppError('field_of_other_entity', `Field ${fieldId} belongs to ${other}, not ${entity}: write it to that ${other.replace(/s$/, '').replace('companie', 'company')} (its own id), not to this ${entity.replace(/s$/, '')}.`, { field: 'fieldId' });
        }
      }
      throw new AppError('unknown_field', `amoCRM has no ${entity} field ${fieldId}: check the field ids in the widget settings.`, { field: 'fieldId' });
    }
    const settings = await this.settings.get(accountId);
    const mapped = settings.fields[entity]?.address;
    if (field.id !== mapped && !isAddressByNature(field)) {
      throw new AppError('field_not_allowed', `Field ${field.id} “${field.name}” (${field.type}) is not an address field of this account's ${entity}: an admin chooses it as the address field in the widget's settings first.`, { field: 'fieldId' });
    }
    const reason = unwritableReason(field, 'address');
    if (reason) throw new AppError('field_not_writable', `${reason}.`, { field: 'fieldId' });
    return this.target(field, settings, entity, fields);
  }

  private target(address: CustomField, settings: AccountSettings, entity: EntityType, fields: CustomField[]): AddressTarget {
    const chosen = settings.fields[entity] ?? {};
    const details: AddressTarget['details'] = {};
    for (const part of DETAIL_PARTS) {
      const field = fields.find((f) => f.id === chosen[part]);
      if (field && !detailFieldProblem(field, part)) details[part] = field;
    }
    const verdict = fields.find((f) => f.id === chosen.verdict);
    return {
      address,
      parts: this.parts(settings, entity, fields),
      zone: this.zoneParts(settings, entity, fields),
      details,
      ...(verdict && !detailFieldProblem(verdict, 'verdict') ? { verdict } : {}),
      uncheckedTag: settings.uncheckedTag ?? null,
    };
  }

  private zoneParts(settings: AccountSettings, entity: EntityType, fields: CustomField[]): AddressTarget['zone'] {
    if (entity !== 'leads') return {};
    const chosen = settings.fields.leads ?? {};
    const zone: AddressTarget['zone'] = {};
    for (const part of ZONE_PARTS) {
      const field = fields.find((f) => f.id === chosen[part]);
      if (field && !zoneFieldProblem(field, part)) zone[part] = field;
    }
    return zone;
  }

  private parts(settings: AccountSettings, entity: EntityType, fields: CustomField[]): AddressTarget['parts'] {
    const chosen = settings.fields[entity] ?? {};
    const parts: AddressTarget['parts'] = {};
    for (const part of PARTS) {
      const field = fields.find((f) => f.id === chosen[part]);
      if (field && !unwritableReason(field, 'part')) parts[part] = field;
    }
    return parts;
  }
}

/** Whether `value` fits the target field (a `text` field takes at most 256 characters). */
export function fitsTarget(target: AddressTarget, value: string): boolean {
  const limit = valueLimit(target.address);
  return limit === null || value.length <= limit;
}

/** The field values for an address and whichever parts the mapping has a field for, each in its field's shape. */
export function addressFieldValues(target: AddressTarget, value: string, data: Partial<AddressData> | null | undefined): FieldValue[] {
  const out: FieldValue[] = [addressValue(target.address, value, data)];
  const add = (field: CustomField | undefined, v: string | null | undefined) => {
    const limit = field ? valueLimit(field) : null;
    if (field && v && (limit === null || v.length <= limit)) out.push({ field_id: field.id, values: [{ value: v }] });
  };
  add(target.parts.postalCode, data?.postal_code);
  add(target.parts.city, data?.city ?? data?.settlement);
  add(target.parts.coordinates, data?.lat != null && data?.lon != null ? `${data.lat},${data.lon}` : null);
  return out;
}
