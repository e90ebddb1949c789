/**
 * The one arithmetic of a delivery price for an order (contract/delivery.ts) and its words in the
 * card and the console (widget/src/delivery/quote-words.ts), in Russian and English.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readZoneFile } from '../../server/delivery/zone-file.js';
import { ZoneIndex } from '../../server/delivery/zone-index.js';
import { answerOf } from '../../server/delivery/zone-answer.js';
import type { StoredZone } from '../../server/store/delivery-zones-repository.js';
import { budgetOf, distancePrice, quoteDelivery, type DeliveryRate, type DistancePricing } from '../../contract/delivery.js';
import { rateOf } from '../../server/delivery/delivery-rate.js';
import { deliveryWords, money } from '../../widget/src/delivery/quote-words.js';
import { translator } from '../../widget/src/i18n.js';
import ru from '../../widget/i18n/ru.json' with { type: 'json' };
import en from '../../widget/i18n/en.json' with { type: 'json' };

const zoneRate = (over: Partial<DeliveryRate> = {}): DeliveryRate => ({ basis: 'zone', price: 300, min_order: 2000, free_from: 3000, time: '60 минут', ...over });
const NBSP = '\u00a0';

describe('quoteDelivery: the price for this order', () => {
  it('is free from the threshold, the threshold itself included', () => {
    expect(quoteDelivery(zoneRate(), 3000)).toMatchObject({ kind: 'free', price: 0, threshold: 3000 });
    expect(quoteDelivery(zoneRate(), 3500)).toMatchObject({ kind: 'free', price: 0 });
    expect(quoteDelivery(zoneRate(), 2999.99)).toMatchObject({ kind: 'paid', price: 300 });
  });

  it('says how much is missing below the minimum order, the minimum itself being enough', () => {
    expect(quoteDelivery(zoneRate(), 1500)).toMatchObject({ kind: 'below_minimum', shortfall: 500, threshold: 2000, price: 300 });
    expect(quoteDelivery(zoneRate(), 2000)).toMatchObject({ kind: 'paid', price: 300 });
  });

  it('without a budget gives the zone price and no verdict on the minimum', () => {
    expect(quoteDelivery(zoneRate(), null)).toMatchObject({ kind: 'paid', price: 300, shortfall: null });
    expect(budgetOf(0)).toBeNull();
    expect(budgetOf(undefined)).toBeNull();
    expect(budgetOf(3500)).toBe(3500);
  });

  it('a zone priced 0 is free, one with no price is unpriced, no rate is not delivered', () => {
    expect(quoteDelivery(zoneRate({ price: 0, free_from: null }), null)).toMatchObject({ kind: 'free', price: 0 });
    expect(quoteDelivery(zoneRate({ price: null, free_from: null, min_order: null }), 100)).toMatchObject({ kind: 'unpriced', price: null });
    expect(quoteDelivery(null, 5000)).toMatchObject({ kind: 'not_delivered', price: null });
  });
});

describe('the price by distance', () => {
  const pricing: DistancePricing = { mode: 'beyond_zones', bands: [{ up_to_km: 10, price: 500 }, { up_to_km: 5, price: 300 }], per_km_beyond: 50, min_order: null, free_from: null };

  it('reads the bands in distance order, edges included, then charges each started km beyond', () => {
    expect(distancePrice(pricing, 0.4)).toBe(300);
    expect(distancePrice(pricing, 5)).toBe(300);
    expect(distancePrice(pricing, 5.1)).toBe(500);
    expect(distancePrice(pricing, 10)).toBe(500);
    expect(distancePrice(pricing, 10.2)).toBe(550);
    expect(distancePrice(pricing, 12)).toBe(600);
    expect(distancePrice({ ...pricing, per_km_beyond: null }, 12)).toBeNull();
  });

  it('prices outside the zones, or everywhere instead of them; a "no delivery" zone stays undelivered', () => {
    const zone = { id: 1, name: 'Центр', price: 200, min_order: null, free_from: null, time: null, color: '#000000', no_delivery: false };
    expect(rateOf(zone, 7, pricing)).toMatchObject({ basis: 'zone', price: 200 });
    expect(rateOf(null, 7, pricing)).toMatchObject({ basis: 'distance', price: 500 });
    expect(rateOf(zone, 7, { ...pricing, mode: 'instead_of_zones' })).toMatchObject({ basis: 'distance', price: 500 });
    expect(rateOf({ ...zone, no_delivery: true }, 7, { ...pricing, mode: 'instead_of_zones' })).toBeNull();
    expect(rateOf(null, 7, null)).toBeNull();
    expect(rateOf(null, 30, { ...pricing, per_km_beyond: null })).toBeNull();
  });
});

describe('the words of a quote', () => {
  const tRu = translator(ru);
  const tEn = translator(en);
  const zone = { id: 1, name: 'Центр', price: 300, min_order: 2000, free_from: 3000, time: '60 минут', color: '#1e98ff', no_delivery: false };

  it('keeps each sum whole with its unit (no-break spaces) in ru and en', () => {
    expect(money('ru', 3500)).toBe(`3${NBSP}500${NBSP}₽`);
    expect(money('en-GB', 3500)).toBe('₽3,500');
  });

  it('says free for an order at the threshold, with both sums', () => {
    expect(deliveryWords(tRu, 'ru', { zone, rate: zoneRate(), priced: true }, 3000).parts).toEqual(['Центр', `бесплатно (заказ 3${NBSP}000${NBSP}₽ ≥ 3${NBSP}000${NBSP}₽)`, '60 минут']);
    expect(deliveryWords(tEn, 'en-GB', { zone, rate: zoneRate(), priced: true }, 3500).parts).toEqual(['Центр', 'free (order ₽3,500 ≥ ₽3,000)', '60 минут']);
  });

  it('says what is missing below the minimum, as a warning', () => {
    const words = deliveryWords(tRu, 'ru', { zone, rate: zoneRate(), priced: true }, 1500);
    expect(words.parts).toContain(`минимальный заказ 2${NBSP}000${NBSP}₽ — не хватает 500${NBSP}₽`);
    expect(words.warning).toBe(true);
  });

  it('without a budget names the price and the terms; a free zone says "бесплатно", never "0 ₽"', () => {
    expect(deliveryWords(tRu, 'ru', { zone, rate: zoneRate(), priced: true }, null).parts).toEqual(['Центр', `доставка 300${NBSP}₽`, `бесплатно от 3${NBSP}000${NBSP}₽`, `мин. заказ 2${NBSP}000${NBSP}₽`, '60 минут']);
    const free = deliveryWords(tRu, 'ru', { zone, rate: zoneRate({ price: 0, free_from: null, min_order: null, time: null }), priced: true }, null).parts;
    expect(free).toEqual(['Центр', 'бесплатно']);
    expect(free.join(' ')).not.toMatch(/0\s*₽/);
  });

  it('outside every zone with no price by distance is a warning in words', () => {
    expect(deliveryWords(tRu, 'ru', { zone: null, rate: null, priced: true }, 1000)).toEqual({ parts: ['вне зоны доставки'], warning: true });
    expect(deliveryWords(tEn, 'en-GB', { zone: null, rate: null, priced: true }, 1000).parts).toEqual(['outside the delivery zones']);
  });
});

const ZONES = resolve(import.meta.dirname, '../../../shared/zones');

describe.skipIf(!existsSync(resolve(ZONES, 'SOURCES.md')))('on a real export (../shared/zones)', () => {
  it('Irkutsk\'s constructor file: "600 рублей, бесплатно при заказе от 7000": a point in the zone is free from 7 000 ₽, the threshold included', async () => {
    const file = await readZoneFile(readFileSync(resolve(ZONES, 'caweb-strlog_irkutsk_delivery.geojson')), { area: { warehouses: [] }, allowSelfCrossing: true });
    const zones: StoredZone[] = file.zones.map((z, i) => ({ id: i + 1, name: z.name ?? '', price: z.price, min_order: z.minOrder, free_from: z.freeFrom, time: z.time, color: z.color ?? '#000000', no_delivery: z.noDelivery, note: z.note, polygons: z.polygons }));
    const index = new ZoneIndex(zones, [{ id: 1, address: 'склад', lon: 104.28, lat: 52.29 }]);
    // A point inside the first zone: the first of a grid over its box that the index places there.
    const ring = zones[0].polygons[0][0];
    const [x0, x1, y0, y1] = [Math.min(...ring.map((p) => p[0])), Math.max(...ring.map((p) => p[0])), Math.min(...ring.map((p) => p[1])), Math.max(...ring.map((p) => p[1]))];
    const grid = Array.from({ length: 400 }, (_, k) => [x0 + ((k % 20) + 0.5) * ((x1 - x0) / 20), y0 + (Math.floor(k / 20) + 0.5) * ((y1 - y0) / 20)] as const);
    const [lon, lat] = grid.find(([x, y]) => index.locate(x, y)?.id === 1)!;
    const zone = index.locate(lon, lat);
    expect(zone).not.toBeNull();
    const rate = rateOf(answerOf(zone!), index.distanceKm(lon, lat), null);
    expect(rate).toMatchObject({ basis: 'zone', price: 600, free_from: 7000 });
    expect(quoteDelivery(rate, 7000)).toMatchObject({ kind: 'free', price: 0 });
    expect(quoteDelivery(rate, 6999)).toMatchObject({ kind: 'paid', price: 600 });
    expect(quoteDelivery(rate, null)).toMatchObject({ kind: 'paid', price: 600 });
  });
});
