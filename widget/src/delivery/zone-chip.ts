/**
 * The delivery chip under an address field after a pick: the zone's name in its colour and what
 * delivery costs for this lead's budget ("бесплатно (заказ 3 500 ₽ ≥ 3 000 ₽)", "минимальный
 * заказ 2 000 ₽ — не хватает 500 ₽"), the time, the distance; a warning when nothing is delivered
 * there or the order is below the minimum. Nothing when the account has neither zones nor
 * warehouses. A narrow field wraps between words, never inside a sum: Intl joins "3 000 ₽" with
 * no-break spaces (the chip's parts are spans, so a reader still hears them as one line).
 */
import type { AddressData } from '../suggest.js';
import type { Translate } from '../i18n.js';
import { fill } from '../i18n.js';
import { deliveryWords, km } from './quote-words.js';

export const CHIP_CLASS = 'amo-address__zone';

export function zoneChip(doc: Document, t: Translate, data: Partial<AddressData> | undefined, budget: number | null = null): HTMLElement | null {
  if (!data || !('delivery_zone' in data || 'delivery_rate' in data || typeof data.delivery_distance_km === 'number')) return null;
  const locale = t('address.plural_locale');
  const zone = data.delivery_zone;
  const { parts, warning } = deliveryWords(t, locale, { zone, rate: data.delivery_rate, priced: 'delivery_rate' in data }, budget);
  if (typeof data.delivery_distance_km === 'number') parts.push(fill(t('delivery.distance'), { km: km(locale, data.delivery_distance_km) }));
  if (zone?.approximate) parts.push(t('delivery.approximate'));
  if (!parts.length) return null;
  const chip = doc.createElement('div');
  chip.className = CHIP_CLASS;
  chip.setAttribute('aria-label', t('address.zone_label'));
  if (warning || (zone === null && !data.delivery_rate) || zone?.no_delivery) chip.classList.add(`${CHIP_CLASS}--outside`);
  else if (zone && /^#[0-9a-f]{6}$/i.test(zone.color)) chip.style.setProperty('--zone-color', zone.color);
  for (const [i, part] of parts.entries()) {
    const span = doc.createElement('span');
    span.className = `${CHIP_CLASS}-part`;
    span.textContent = i < parts.length - 1 ? `${part} ·` : part;
    chip.append(span, i < parts.length - 1 ? ' ' : '');
  }
  return chip;
}
