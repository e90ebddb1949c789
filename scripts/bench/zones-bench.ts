/**
 * Delivery-zone lookups at the size: 500 zones of 1,000 vertices each over one city,
 * overlapping, in one account. Prints the time to read the file (all checks included), to
 * compile it, and per lookup (the zone of one point) and per answer (7 suggestions placed),
 * each as p50/p95/p99 over 100,000 points spread over the city and beyond it.
 */
import { addressData } from '../../server/geocoding/answer-builder.js';
import { verdictOf } from '../../server/geocoding/verdict.js';
import { rateOf } from '../../server/delivery/delivery-rate.js';
import { answerOf } from '../../server/delivery/zone-answer.js';
import { quoteDelivery, type DistancePricing } from '../../contract/delivery.js';
import { readZoneFile } from '../../server/delivery/zone-file.js';
import { ZoneIndex } from '../../server/delivery/zone-index.js';
import type { StoredZone } from '../../server/store/delivery-zones-repository.js';
import { percentiles } from './http-load.js';

const CITY = { lon: 37.62, lat: 55.75 }; // Moscow: zones spread ±0.3° around it

/** A seeded generator: the same zones and points every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * `count` star-shaped zones of `vertices` vertices each (angles in order, radii noisy: never
 * self-crossing), as a GeoJSON FeatureCollection the way the constructor writes it.
 */
export function generatedZones(count = 500, vertices = 1000, seed = 1): string {
  const next = random(seed);
  const features = Array.from({ length: count }, (_, z) => {
    const cx = CITY.lon + (next() - 0.5) * 0.6;
    const cy = CITY.lat + (next() - 0.5) * 0.35;
    const r = 0.01 + next() * 0.05;
    const ring = Array.from({ length: vertices }, (_, i) => {
      const a = (2 * Math.PI * i) / vertices;
      const k = r * (0.7 + 0.3 * next());
      return [Number((cx + (k * Math.cos(a)) / 0.56).toFixed(6)), Number((cy + k * Math.sin(a)).toFixed(6))];
    });
    ring.push(ring[0]);
    return { type: 'Feature', id: z, geometry: { type: 'Polygon', coordinates: [ring] }, properties: { description: `Зона ${z + 1} - ${100 + (z % 10) * 50} рублей.`, fill: '#1e98ff' } };
  });
  return JSON.stringify({ type: 'FeatureCollection', metadata: { name: 'bench', creator: 'Yandex Map Constructor' }, features });
}

export async function benchZones(): Promise<{ lookup: ReturnType<typeof percentiles>; answer: ReturnType<typeof percentiles>; priced: ReturnType<typeof percentiles>; readMs: number; compileMs: number; inside: number; bytes: number }> {
  const file = Buffer.from(generatedZones());
  const read0 = performance.now();
  const read = await readZoneFile(file, { area: { warehouses: [] } });
  const readMs = performance.now() - read0;
  const zones: StoredZone[] = read.zones.map((z, i) => ({ id: i + 1, name: z.name ?? '', price: z.price, min_order: z.minOrder, free_from: z.freeFrom, time: z.time, color: z.color ?? '#000000', no_delivery: false, note: null, polygons: z.polygons }));
  const compile0 = performance.now();
  const index = new ZoneIndex(zones, [{ id: 1, address: 'склад', lon: CITY.lon, lat: CITY.lat }]);
  const compileMs = performance.now() - compile0;

  const next = random(99);
  const points = Array.from({ length: 100_000 }, () => [CITY.lon + (next() - 0.5) * 0.8, CITY.lat + (next() - 0.5) * 0.5] as const);
  // Warm the JIT as a running server is warm.
  for (const [x, y] of points.slice(0, 5000)) index.locate(x, y);
  const lookups: number[] = [];
  let inside = 0;
  for (const [x, y] of points) {
    const t0 = process.hrtime.bigint();
    const zone = index.locate(x, y);
    lookups.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (zone) inside++;
  }
  // An answer: 7 suggestions, each placed and measured to the warehouse.
  const answers: number[] = [];
  for (let i = 0; i + 7 <= 70_000; i += 7) {
    const t0 = process.hrtime.bigint();
    for (let j = i; j < i + 7; j++) {
      index.locate(points[j][0], points[j][1]);
      index.distanceKm(points[j][0], points[j][1]);
    }
    answers.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  // The verdict and the price for an order, per answer of 7: what each suggestion gains beyond the
  // zone lookup (verdict from the parts, the rate from the zone or the distance bands, the quote).
  const pricing: DistancePricing = { mode: 'beyond_zones', bands: [{ up_to_km: 5, price: 300 }, { up_to_km: 10, price: 500 }], per_km_beyond: 50, min_order: 1000, free_from: 5000 };
  const parts = Array.from({ length: 7 }, (_, i) => addressData({ country: 'Россия', region: 'Москва', city: 'Москва', street: 'ул Тверская', house: String(i + 1), flat: i % 2 ? '5' : null, lat: CITY.lat, lon: CITY.lon, qc_geo: i % 3 ? '0' : '2' }));
  const priced: number[] = [];
  let sink = 0;
  for (let i = 0; i + 7 <= 70_000; i += 7) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < 7; j++) {
      const [x, y] = points[i + j];
      const zone = index.locate(x, y);
      const km = index.distanceKm(x, y);
      const verdict = verdictOf(parts[j]);
      const quote = quoteDelivery(rateOf(zone ? answerOf(zone) : null, km, pricing), (i % 9000) + 500);
      sink += verdict.length + (quote.price ?? 0);
    }
    priced.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (sink < 0) console.log(sink);
  return { lookup: percentiles(lookups), answer: percentiles(answers), priced: percentiles(priced), readMs, compileMs, inside: inside / points.length, bytes: file.length };
}
