/**
 * What delivery to a point costs before the order is known (contract/delivery.ts): the zone's
 * terms, or the account's price by distance beyond the zones or instead of them. The order's own
 * sum is applied later, by `quoteDelivery`, in the card, the console and the lead's price field alike.
 */
import { distancePrice, type DeliveryRate, type DistancePricing } from '../../contract/delivery.js';
import type { DeliveryZone } from '../../contract/api.js';

/** The rate, or null when nothing is delivered here (a "no delivery" zone, outside every zone with no price by distance, past the last band). */
export function rateOf(zone: DeliveryZone | null, distanceKm: number | null, pricing: DistancePricing | null): DeliveryRate | null {
  if (zone?.no_delivery) return null;
  const byDistance = pricing && distanceKm !== null && (pricing.mode === 'instead_of_zones' || !zone);
  if (byDistance) {
    const price = distancePrice(pricing, distanceKm);
    return price === null ? null : { basis: 'distance', price, min_order: pricing.min_order, free_from: pricing.free_from, time: zone?.time ?? null };
  }
  if (!zone) return null;
  return { basis: 'zone', price: zone.price, min_order: zone.min_order ?? null, free_from: zone.free_from, time: zone.time };
}
