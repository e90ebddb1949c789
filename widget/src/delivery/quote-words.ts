/**
 * A delivery's terms in words, one way for the card's chip and the console's check (so the
 * console never says "0 ₽" where the card says "бесплатно"). Sums keep their unit: Intl puts a
 * no-break space between a number and "₽", and inside "3 500".
 */
import { quoteDelivery, type DeliveryRate } from '../../../contract/delivery.js';
import type { DeliveryZone } from '../../../contract/api.js';
import { fill, type Translate } from '../i18n.js';

/** Rubles (amoCRM accounts here keep budgets in them); whole sums without kopecks. */
export function money(locale: string, n: number): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'RUB', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(n);
}

export function km(locale: string, n: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
}

/**
 * The parts said about a delivery, in order: where (the zone, or outside), what it costs for this
 * order, the terms that apply, the time. `rate` undefined: the account prices nothing (only zones'
 * names and the distance are known).
 */
export function deliveryWords(t: Translate, locale: string, found: { zone: DeliveryZone | null | undefined; rate: DeliveryRate | null | undefined; priced: boolean }, budget: number | null): { parts: string[]; warning: boolean } {
  const { zone, rate, priced } = found;
  const m = (n: number) => money(locale, n);
  const parts: string[] = [];
  if (zone) parts.push(zone.no_delivery ? fill(t('delivery.no_delivery'), { name: zone.name }) : zone.name);
  else if (zone === null && !(priced && rate)) parts.push(t('delivery.outside'));
  if (!priced) return { parts, warning: !zone || zone.no_delivery };
  if (!rate) {
    if (!parts.length) parts.push(t('delivery.too_far'));
    return { parts, warning: true };
  }
  if (rate.basis === 'distance' && !zone) parts.push(t('delivery.by_distance'));
  const quote = quoteDelivery(rate, budget);
  if (quote.kind === 'below_minimum') parts.push(fill(t('delivery.below_minimum'), { threshold: m(quote.threshold!), shortfall: m(quote.shortfall!) }));
  else if (quote.kind === 'free') parts.push(quote.threshold !== null ? fill(t('delivery.free_for_order'), { budget: m(budget!), threshold: m(quote.threshold) }) : t('delivery.free'));
  else if (quote.kind === 'unpriced') parts.push(t('delivery.unpriced'));
  else {
    parts.push(fill(t('delivery.paid'), { price: m(quote.price!) }));
    if (rate.free_from !== null) parts.push(fill(t('delivery.free_from'), { amount: m(rate.free_from) }));
  }
  // Without a budget the minimum is a term to know; with one that meets it, nothing to say.
  if (budget === null && rate.min_order !== null) parts.push(fill(t('delivery.min_order'), { amount: m(rate.min_order) }));
  if (rate.time) parts.push(rate.time);
  return { parts, warning: quote.kind === 'below_minimum' };
}
