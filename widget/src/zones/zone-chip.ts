/**
 * The delivery chip under an address field after a pick: the zone's name, price, free-delivery
 * threshold, time and distance in the zone's colour, or a warning when the address is outside
 * every zone (or in one marked "no delivery"). Nothing when the account has no zones: the
 * answer then carries no `delivery_zone` at all. Built into zones.js, which script.js loads only
 * for an account whose answers carry zones (entry.ts), so cards of other accounts never pay for it.
 */
import type { AddressData } from '../suggest.js';
import { fill, type Translate } from '../i18n.js';

const STYLE_ID = 'amo-address-zone-style';
const CSS = `.amo-address__zone{display:inline-flex;align-items:center;gap:6px;max-width:100%;margin-top:4px;padding:2px 8px;border-radius:10px;font-size:12px;line-height:18px;color:#1f2a37;background:#f3f5f7;border:1px solid var(--zone-color,#c9d1d9);box-sizing:border-box;overflow-wrap:anywhere}
.amo-address__zone::before{content:"";flex:none;width:8px;height:8px;border-radius:50%;background:var(--zone-color,#c9d1d9)}
.amo-address__zone--outside{color:#8a1c1c;background:#fdecec;border-color:#e5a3a3}
.amo-address__zone--outside::before{background:#c62828}`;

/** The chip's styles, once per page (they hold nothing of an instance, so they are never removed). */
function injectZoneStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

export const CHIP_CLASS = 'amo-address__zone';

export function zoneChip(doc: Document, t: Translate, data: Partial<AddressData> | undefined): HTMLElement | null {
  if (!data || !('delivery_zone' in data)) return null;
  injectZoneStyles(doc);
  const zone = data.delivery_zone ?? null;
  const chip = doc.createElement('div');
  chip.className = CHIP_CLASS;
  chip.setAttribute('role', 'status'); // read out once, after the pick
  chip.setAttribute('aria-label', t('address.zone_label'));
  const locale = t('address.plural_locale');
  const money = (n: number) => new Intl.NumberFormat(locale).format(n);
  const parts: string[] = [];
  if (!zone || zone.no_delivery) {
    chip.classList.add(`${CHIP_CLASS}--outside`);
    parts.push(zone ? fill(t('address.zone_no_delivery'), { name: zone.name }) : t('address.zone_outside'));
  } else {
    chip.style.setProperty('--zone-color', /^#[0-9a-f]{6}$/i.test(zone.color) ? zone.color : '#1e98ff');
    parts.push(zone.name);
    if (zone.price !== null) parts.push(zone.price === 0 ? t('address.zone_free') : fill(t('address.zone_price'), { price: money(zone.price) }));
    if (zone.free_from !== null && zone.price !== 0) parts.push(fill(t('address.zone_free_from'), { amount: money(zone.free_from) }));
    if (zone.time) parts.push(zone.time);
  }
  if (typeof data.delivery_distance_km === 'number') parts.push(fill(t('address.zone_distance'), { km: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(data.delivery_distance_km) }));
  if (zone?.approximate) parts.push(t('address.zone_approximate'));
  const text = doc.createElement('span');
  text.textContent = parts.join(' · ');
  chip.append(text);
  return chip;
}
