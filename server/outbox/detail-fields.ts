/**
 * What the courier needs beyond the address, and the verdict, in amoCRM's fields: flat, entrance,
 * floor, intercom and a comment each to the field the admin mapped (the rest stay in the address
 * line, DaData's style), the verdict in words, and the tag on an address that needs a call.
 */
import type { CustomField, FieldValue } from '../amo/crm.js';
import type { AddressData } from '../geocoding/types.js';
import { valueLimit } from '../amo/address-fields.js';
import { splitDetails } from '../geocoding/address-details.js';
import { isWeakVerdict, type Verdict } from '../../contract/delivery.js';

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

/** Where an entity's details and verdict go (the detail half of field-mapping.ts's AddressTarget). */
export interface DetailTarget {
  address: CustomField;
  /** Where flat, entrance, floor, intercom and the courier's comment go. */
  details: Partial<Record<DetailPart, CustomField>>;
  verdict?: CustomField;
  /** The tag for an address weaker than a house with its own point, or null. */
  uncheckedTag: string | null;
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
export function withDetails(target: DetailTarget, value: string, data: Partial<AddressData> | null | undefined): { line: string; fields: FieldValue[] } {
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
export function verdictValues(target: DetailTarget, verdict: Verdict): { fields: FieldValue[]; tags: { add?: string[]; remove?: string[] } } {
  const fields: FieldValue[] = target.verdict ? [{ field_id: target.verdict.id, values: [{ value: VERDICT_WORDS[verdict] }] }] : [];
  const tag = target.uncheckedTag;
  return { fields, tags: tag ? (isWeakVerdict(verdict) ? { add: [tag] } : { remove: [tag] }) : {} };
}
