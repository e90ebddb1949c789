/**
 * The lead fields a delivery zone is written to (the admin maps them in the console): the zone's
 * name (a text field, or a list whose options are the zone names), its price and the distance
 * to the nearest warehouse (a number or text field). amoCRM's value shapes: reference §6
 * (text/numeric `{value}`, a select's option by `enum_id`).
 */
import type { CustomField, FieldValue } from '../amo/crm.js';
import type { ZoneLookup } from './zone-answer.js';
import { quoteDelivery } from '../../contract/delivery.js';

export const ZONE_PARTS = ['zoneName', 'zonePrice', 'zoneDistance'] as const;
export type ZonePart = (typeof ZONE_PARTS)[number];

/** What a lead outside every zone (or in a "no delivery" zone) is marked with, and its name field says. */
export const OUTSIDE_TAG = 'вне зоны доставки';

const NAME_TYPES = new Set(['text', 'textarea', 'select', 'radiobutton']);
const NUMBER_TYPES = new Set(['numeric', 'text', 'textarea']);

/** Why the field cannot take this part, in words; null when it can. */
export function zoneFieldProblem(field: CustomField, part: ZonePart): string | null {
  const ok = part === 'zoneName' ? NAME_TYPES.has(field.type) : NUMBER_TYPES.has(field.type);
  if (ok) return null;
  const allowed = part === 'zoneName' ? 'a text, textarea or list (select) field' : 'a number, text or textarea field';
  return `field ${field.id} “${field.name}” is of type ${field.type}; choose ${allowed}`;
}

const same = (a: string, b: string) => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

/** The zone names a list field has no option for (every name fits a text field). */
export function missingOptions(field: CustomField, names: string[]): string[] {
  if (field.type !== 'select' && field.type !== 'radiobutton') return [];
  const options = field.enums ?? [];
  return [...new Set(names)].filter((n) => !options.some((o) => same(o.value, n)));
}

/**
 * Field values for the zone parts the mapping has a field for. The price is the delivery's for
 * this order (the lead's budget): 0 when it is free from the budget, the zone's or distance's price
 * otherwise, empty when nothing is delivered there (contract/delivery.ts, quoteDelivery).
 */
export function zoneFieldValues(fields: Partial<Record<ZonePart, CustomField>>, found: ZoneLookup, budget: number | null = null): FieldValue[] {
  const out: FieldValue[] = [];
  const zone = found.delivery_zone;
  const served = zone !== null && !zone.no_delivery;
  const name = fields.zoneName;
  if (name) {
    const text = zone ? zone.name : OUTSIDE_TAG;
    if (name.type === 'select' || name.type === 'radiobutton') {
      const option = (name.enums ?? []).find((o) => same(o.value, text));
      // No option for it: the field is cleared rather than left naming the previous address's zone.
      out.push({ field_id: name.id, values: option ? [{ value: option.value, enum_id: option.id }] : null });
    } else out.push({ field_id: name.id, values: [{ value: text }] });
  }
  const number = (field: CustomField | undefined, value: number | null) => {
    if (!field) return;
    out.push({ field_id: field.id, values: value === null ? null : [{ value: field.type === 'numeric' ? value : String(value) }] });
  };
  number(fields.zonePrice, quoteDelivery(found.delivery_rate, budget).price);
  number(fields.zoneDistance, found.delivery_distance_km);
  return out;
}
