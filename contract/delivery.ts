/**
 * What a delivery costs and whether a courier will find the address: the shapes both sides use
 * and the one arithmetic of a price for an order. The server puts a rate and a verdict into every
 * answer; the card's chip, the console's check and the lead's price field all quote the same way
 * from it, so "бесплатно" in the card is never "0 ₽" in the console. Pure and tiny: the card's
 * delivery module (zones.js) bundles it.
 */

/**
 * Will a courier find it, from what the index knows: a house with its own point; a house whose
 * point is its street's or settlement's (or none); only the street; only the settlement; nothing;
 * several places fit the text equally well. docs/api.md maps them to DaData's qc codes.
 */
export const VERDICTS = ['house', 'house_approximate', 'street', 'settlement', 'not_found', 'ambiguous'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Only a house with its own point is good enough to send a courier without a call. */
export const isWeakVerdict = (v: Verdict | null | undefined): boolean => v !== 'house';

/** One band of the price by distance: up to `up_to_km` (straight line from the nearest warehouse) costs `price`. */
export interface DistanceBand {
  up_to_km: number;
  price: number;
}

/**
 * An account's price by distance: for addresses outside every zone (`beyond_zones`), or for
 * every address (`instead_of_zones`: zones then only name areas and mark "no delivery" ones).
 * Past the last band, each started kilometre costs `per_km_beyond` on top of the last band's
 * price; without it, farther is not delivered.
 */
export interface DistancePricing {
  mode: 'beyond_zones' | 'instead_of_zones';
  bands: DistanceBand[];
  per_km_beyond: number | null;
  min_order: number | null;
  free_from: number | null;
}

/** What delivery to this address costs before the order is known: the zone's or the distance's terms. */
export interface DeliveryRate {
  basis: 'zone' | 'distance';
  /** null: the zone names no price. */
  price: number | null;
  min_order: number | null;
  free_from: number | null;
  time: string | null;
}

export type QuoteKind = 'free' | 'paid' | 'below_minimum' | 'unpriced' | 'not_delivered';

/** The rate applied to one order (the lead's budget). */
export interface DeliveryQuote {
  kind: QuoteKind;
  /** What the lead's delivery price field gets: 0 when free; the rate's price below the minimum (what it costs once the order is big enough); null when unpriced or not delivered. */
  price: number | null;
  /** The order's sum the quote used, or null without one. */
  budget: number | null;
  /** The order sum the free delivery or the minimum is compared with. */
  threshold: number | null;
  /** Below the minimum: how much the order lacks. */
  shortfall: number | null;
}

/** amoCRM's `price` of a lead: 0 or absent means nobody entered a budget. */
export const budgetOf = (price: unknown): number | null => (typeof price === 'number' && Number.isFinite(price) && price > 0 ? price : null);

/** The rate for this order. `null` rate: the address is not delivered to. */
export function quoteDelivery(rate: DeliveryRate | null | undefined, budget: number | null): DeliveryQuote {
  const base = { budget, threshold: null, shortfall: null };
  if (!rate) return { ...base, kind: 'not_delivered', price: null };
  if (budget !== null && rate.min_order !== null && budget < rate.min_order) return { ...base, kind: 'below_minimum', price: rate.price, threshold: rate.min_order, shortfall: round2(rate.min_order - budget) };
  if (budget !== null && rate.free_from !== null && budget >= rate.free_from) return { ...base, kind: 'free', price: 0, threshold: rate.free_from };
  if (rate.price === null) return { ...base, kind: 'unpriced', price: null };
  return { ...base, kind: rate.price === 0 ? 'free' : 'paid', price: rate.price };
}

/**
 * The price by distance for `km`, or null when the bands do not reach it and nothing is charged
 * per kilometre beyond them. Bands are read in order of their distance whatever order they were saved in.
 */
export function distancePrice(pricing: DistancePricing, km: number): number | null {
  const bands = [...pricing.bands].sort((a, b) => a.up_to_km - b.up_to_km);
  const band = bands.find((b) => km <= b.up_to_km);
  if (band) return band.price;
  if (pricing.per_km_beyond === null) return null;
  const last = bands[bands.length - 1];
  const from = last?.up_to_km ?? 0;
  // Couriers charge each started kilometre: 10.2 km past the last band is 11.
  return round2((last?.price ?? 0) + Math.ceil(round2(km - from)) * pricing.per_km_beyond);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
