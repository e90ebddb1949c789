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
import { splitDetails } from '../geocoding/address-details.js';
import { isWeakVerdict, type Verdict } from '../../contract/delivery.js';

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];
const PARTS = ['postalCode', 'city', 'coordinates'] as const;
/** The courier's details, each to its own field when mapped, else kept in the address line. */
export const DETAIL_PARTS = ['flat', 'entrance', 'floor', 'intercom', 'courierComment'] as const;
export type DetailPart = (typeof DETAIL_PARTS)[number];
const DETAIL_TYPES = new Set(['text', 'textarea', 'numeric']);
const VERDICT_TYPES = new Set(['text', 'textarea']);

/** Why a field cannot take a detail or the verdict, in words; null when it can. */
export function detailFieldProblem(field: CustomField, part: DetailPart | 'verdict'): string | null {
  const ok = part === 'verdict' ? VERDICT_TYPES.has(field.type) : part === 'courierComment' ? VERDICT_TYPES.has(field.type) : DETAIL_TYPES.has(field.type);
  if (ok) return null;
  return `field ${field.id} “${field.name}” is of type ${field.type}; choose a ${part === 'verdict' || part === 'courierComment' ? 'text or textarea' : 'text, textarea or number'} field`;
}

/** The verdict as the lead's field reads it (the account's managers read Russian amoCRM fields). */
export const VERDICT_WORDS: Record<Verdict, string> = {
  house: 'дом найден, точка дома',
  house_approximate: 'дом найден, точка по улице или населённому пункту',
  street: 'найдена только улица',
  settlement: 'найден только населённый пункт',
  not_found: 'адрес не найден',
  ambiguous: 'адрес неоднозначен',
};
export const DEFAULT_UNCHECKED_TAG = 'адрес не проверен';

export interface AddressTarget {
  address: CustomField;
  parts: Partial<Record<(typeof PARTS)[number], CustomField>>;
  /** Leads only: where the delivery zone's name, price and distance go. */
  zone: Partial<Record<ZonePart, CustomField>>;
  /** Where flat, entrance, floor, intercom and the courier's comment go. */
  details: Partial<Record<DetailPart, CustomField>>;
  verdict?: CustomField;
  /** The tag for an address weaker than a house with its own point, or null. */
  uncheckedTag: string | null;
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

type Details = Pick<AddressData, 'flat_type' | 'flat' | 'entrance' | 'floor' | 'intercom'> & { courier_comment?: string | null };

/** Each detail's text in DaData's style, as the address line carries it. */
const DETAIL_TEXT: Record<DetailPart, (d: Details) => string | null> = {
  flat: (d) => (d.flat ? `${d.flat_type ?? 'кв'} ${d.flat}` : null),
  entrance: (d) => (d.entrance ? `подъезд ${d.entrance}` : null),
  floor: (d) => (d.floor ? `этаж ${d.floor}` : null),
  intercom: (d) => (d.intercom ? `домофон ${d.intercom}` : null),
  courierComment: (d) => (d.courier_comment ? `комментарий: ${d.courier_comment}` : null),
};
/** The value a detail's own field gets: a number field only a whole number (else the detail stays in the line). */
const DETAIL_VALUE: Record<DetailPart, (d: Details) => string | null> = {
  flat: (d) => (d.flat ? (d.flat_type && d.flat_type !== 'кв' ? `${d.flat_type} ${d.flat}` : d.flat) : null),
  entrance: (d) => d.entrance ?? null,
  floor: (d) => d.floor ?? null,
  intercom: (d) => d.intercom ?? null,
  courierComment: (d) => d.courier_comment ?? null,
};

/**
 * The address line and the detail fields. With no detail mapped, the line is the value as given
 * (the card rewrites it itself when a detail is edited), plus a courier's comment it lacks. With
 * some mapped, each mapped detail goes to its field and the rest are written after the address in
 * DaData's style ("…, д 18, кв 5, подъезд 2, этаж 3, домофон 12К"). A detail is the data's when the
 * data names it (null: none), else the one typed in the value.
 */
export function withDetails(target: AddressTarget, value: string, data: Partial<AddressData> | null | undefined): { line: string; fields: FieldValue[] } {
  const given = (data ?? {}) as Details;
  const limit = valueLimit(target.address);
  const comment = given.courier_comment ? `комментарий: ${given.courier_comment}` : null;
  const fit = (line: string) => (limit !== null && line.length > limit && comment && !target.details.courierComment ? `${line.slice(0, limit - 1)}…` : line);
  const withoutComment = value.replace(/,\s*комментарий:.*$/su, '');
  if (!Object.keys(target.details).length) return { line: fit(comment ? `${withoutComment}, ${comment}` : value), fields: [] };
  const split = splitDetails(withoutComment);
  const typed = (split.details ?? {}) as Partial<Details>;
  const has = (key: keyof Details) => data !== null && data !== undefined && key in data;
  const d: Details = {
    flat_type: has('flat') ? (given.flat_type ?? null) : (typed.flat_type ?? null),
    flat: has('flat') ? (given.flat ?? null) : (typed.flat ?? null),
    entrance: has('entrance') ? (given.entrance ?? null) : (typed.entrance ?? null),
    floor: has('floor') ? (given.floor ?? null) : (typed.floor ?? null),
    intercom: has('intercom') ? (given.intercom ?? null) : (typed.intercom ?? null),
    courier_comment: given.courier_comment ?? null,
  };
  const base = split.address.replace(/[\s,]+$/u, '');
  const fields: FieldValue[] = [];
  const inLine: string[] = [];
  for (const part of DETAIL_PARTS) {
    const field = target.details[part];
    const own = DETAIL_VALUE[part](d);
    if (field && own !== null && (field.type !== 'numeric' || /^\d{1,9}$/u.test(own))) {
      fields.push({ field_id: field.id, values: [{ value: field.type === 'numeric' ? Number(own) : own }] });
      continue;
    }
    if (field) fields.push({ field_id: field.id, values: null }); // nothing (or nothing it can hold): the previous address's detail goes
    const text = DETAIL_TEXT[part](d);
    if (text) inLine.push(text);
  }
  return { line: fit([base, ...inLine].join(', ')), fields };
}

/** The verdict's field and the tag change for an address (the tag only when the account chose one). */
export function verdictValues(target: AddressTarget, verdict: Verdict): { fields: FieldValue[]; tags: { add?: string[]; remove?: string[] } } {
  const fields: FieldValue[] = target.verdict ? [{ field_id: target.verdict.id, values: [{ value: VERDICT_WORDS[verdict] }] }] : [];
  const tag = target.uncheckedTag;
  return { fields, tags: tag ? (isWeakVerdict(verdict) ? { add: [tag] } : { remove: [tag] }) : {} };
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
