/**
 * amoCRM's custom-field types an address can live in, and how each is written and read
 * (reference §6, amoCRM docs custom-fields):
 * - `streetaddress` ("short address", the default 762381), `text`, `textarea`: one value;
 *   a `text` value over 256 characters is refused by the API (amocrm-api-php issues 224, 400);
 * - `smart_address` ("address"): one value per part, each tagged with its `enum_code`;
 * - the company's predefined "Адрес" (code `ADDRESS`, a textarea).
 * Anything else (`legal_entity`, lists, numbers, dates…) cannot hold an address we write.
 */
import type { CustomField, FieldValue } from './crm.js';
import type { AddressData } from '../../contract/api.js';

export const TEXT_VALUE_MAX = 256;

/** Types that hold a whole address. */
const ADDRESS_TYPES = new Set(['streetaddress', 'smart_address', 'text', 'textarea']);
/** Types that hold one part (postal code, city, coordinates) as text. */
const PART_TYPES = new Set(['text', 'textarea', 'streetaddress']);
/** Types that are an address by their nature: the widget may write them without a mapping. */
const ADDRESS_BY_NATURE = new Set(['streetaddress', 'smart_address']);

const SMART_PARTS = ['address_line_1', 'address_line_2', 'city', 'state', 'zip', 'country'] as const;

export const canHoldAddress = (field: CustomField) => ADDRESS_TYPES.has(field.type);
export const canHoldPart = (field: CustomField) => PART_TYPES.has(field.type);
export const isAddressByNature = (field: CustomField) => ADDRESS_BY_NATURE.has(field.type) || field.code === 'ADDRESS';

/** Why a field cannot take what we would write, in words; null when it can. */
export function unwritableReason(field: CustomField, role: 'address' | 'part'): string | null {
  const ok = role === 'address' ? canHoldAddress(field) : canHoldPart(field);
  if (ok) return null;
  const allowed = role === 'address' ? 'a short address, address, text or textarea field' : 'a text, textarea or short address field';
  return `field ${field.id} “${field.name}” is of type ${field.type}, which cannot hold ${role === 'address' ? 'an address' : 'this part'}: choose ${allowed}`;
}

/** The longest value the field accepts, or null when amoCRM sets no limit we know of. */
export const valueLimit = (field: CustomField): number | null => (field.type === 'text' ? TEXT_VALUE_MAX : null);

/** The field's values for an address in the field's own shape. */
export function addressValue(field: CustomField, value: string, data: Partial<AddressData> | null | undefined): FieldValue {
  if (field.type !== 'smart_address') return { field_id: field.id, values: [{ value }] };
  // DaData's parts: "ул Авроры, д 110, к 2" (the street with its type; older answers carried it in `street`).
  const line1 = [data?.street_with_type ?? data?.street, data?.house && `${data.house_type ?? 'д'} ${data.house}`, data?.block && `${data.block_type ?? 'к'} ${data.block}`].filter(Boolean).join(', ');
  const parts: Record<(typeof SMART_PARTS)[number], string | null | undefined> = {
    // Without a parsed street the whole text is the first line: nothing typed is lost.
    address_line_1: line1 || value,
    address_line_2: data?.flat ? `${data.flat_type ?? 'кв'} ${data.flat}` : null,
    city: data?.city ?? data?.settlement,
    state: data?.region_with_type ?? data?.region,
    zip: data?.postal_code,
    country: data?.country,
  };
  return { field_id: field.id, values: SMART_PARTS.filter((code) => parts[code]).map((code) => ({ value: String(parts[code]), enum_code: code })) };
}

/** The address text an entity holds in this field (a smart_address's parts joined in order), or null. */
export function readAddress(field: CustomField, values: FieldValue[] | null | undefined): string | null {
  const own = (values ?? []).find((v) => v.field_id === field.id || (field.code !== null && v.field_code === field.code));
  const items = own?.values ?? [];
  if (field.type === 'smart_address') {
    const byCode = new Map(items.map((v) => [v.enum_code, String(v.value ?? '').trim()]));
    const text = SMART_PARTS.map((code) => byCode.get(code)).filter(Boolean).join(', ');
    return text || null;
  }
  const first = items[0]?.value;
  return typeof first === 'string' && first.trim() ? first.trim() : null;
}
