/**
 * The point test every suggestion runs: banded even–odd, checked against the plain ray-casting
 * test (every edge, no bands) on the real zone files' polygons, their holes and the order that
 * decides between overlapping zones.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BandedPolygon, bboxOf, haversineKm, selfCrossing, type Polygon } from '../../server/delivery/geometry.js';
import { readZoneFile } from '../../server/delivery/zone-file.js';
import { ZoneIndex } from '../../server/delivery/zone-index.js';
import type { StoredZone } from '../../server/store/delivery-zones-repository.js';

const ZONES = resolve(import.meta.dirname, '../../../shared/zones');
const hasZones = existsSync(resolve(ZONES, 'SOURCES.md'));

/** The textbook test: count crossings of a ray to the right over every edge of every ring. */
function plainContains(polygon: Polygon, x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** A seeded generator: the same points every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

const stored = (id: number, polygons: Polygon[], extra: Partial<StoredZone> = {}): StoredZone => ({ id, name: `z${id}`, price: null, min_order: null, free_from: null, time: null, color: "#000000", no_delivery: false, note: null, polygons, ...extra });
const square = (lon: number, lat: number, d: number): Polygon => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];

describe.skipIf(!hasZones)('on the real exports', () => {
  it.each(['menland_ekaterinburg_zones.geojson', 'nastart-tma_spb-lo_delivery.geojson', 'freshbox_ontario_saturday_group.geojson', 'udemy-js-courses_kyiv_mymaps.kml'])('%s: the banded test agrees with the plain one on 20,000 points', async (name) => {
    const file = await readZoneFile(readFileSync(resolve(ZONES, name)), { area: { warehouses: [] }, allowSelfCrossing: true });
    const polygons = file.zones.flatMap((z) => z.polygons);
    const box = bboxOf(polygons.flat());
    const next = random(42);
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const polygon = polygons[i % polygons.length];
      // Half the points near this polygon (where the edges are), half anywhere in the file's extent.
      const b = i % 2 ? bboxOf(polygon) : box;
      const x = b.minX + next() * (b.maxX - b.minX);
      const y = b.minY + next() * (b.maxY - b.minY);
      const want = plainContains(polygon, x, y);
      expect(new BandedPolygon(polygon).contains(x, y), `${name} polygon ${i % polygons.length} at ${x},${y}`).toBe(want);
      if (want) inside++;
    }
    expect(inside).toBeGreaterThan(1000); // the sample really tests insides too
  });

  it('the Yekaterinburg donut answers for its ring, not for its hole; the inner zones answer there', async () => {
    const file = await readZoneFile(readFileSync(resolve(ZONES, 'menland_ekaterinburg_zones.geojson')), { area: { warehouses: [] }, allowSelfCrossing: true });
    const index = new ZoneIndex(file.zones.map((z, i) => stored(i + 1, z.polygons, { price: z.price })), []);
    const donut = file.zones.findIndex((z) => z.price === 5000);
    const [outer, hole] = file.zones[donut].polygons[0];
    // A point inside the hole: the centre of the hole's box, checked to be inside the hole ring.
    const hb = bboxOf([hole]);
    const inHole: [number, number] = [(hb.minX + hb.maxX) / 2, (hb.minY + hb.maxY) / 2];
    expect(plainContains([hole], ...inHole)).toBe(true);
    expect(index.locate(...inHole)?.price).not.toBe(5000);
    // A point in the ring between the hole and the outer edge.
    const ob = bboxOf([outer]);
    const next = random(7);
    let found = false;
    for (let i = 0; i < 5000 && !found; i++) {
      const p: [number, number] = [ob.minX + next() * (ob.maxX - ob.minX), ob.minY + next() * (ob.maxY - ob.minY)];
      if (plainContains([outer], ...p) && !plainContains([hole], ...p) && !file.zones.some((z, j) => j < donut && z.polygons.some((poly) => plainContains(poly, ...p)))) {
        expect(index.locate(...p)?.price).toBe(5000);
        found = true;
      }
    }
    expect(found).toBe(true);
  });
});

describe('order, holes and distance', () => {
  it('the first zone in the order that holds the point answers; outside every zone is null', () => {
    const inner = stored(1, [square(50, 53, 0.01)], { name: 'inner' });
    const outer = stored(2, [square(49.9, 52.9, 0.3)], { name: 'outer' });
    expect(new ZoneIndex([inner, outer], []).locate(50.005, 53.005)?.name).toBe('inner');
    expect(new ZoneIndex([outer, inner], []).locate(50.005, 53.005)?.name).toBe('outer');
    expect(new ZoneIndex([inner, outer], []).locate(50.15, 53.1)?.name).toBe('outer');
    expect(new ZoneIndex([inner, outer], []).locate(51, 53)).toBeNull();
  });

  it('a hole is outside its zone; a self-crossing bow-tie is inside in both loops (even–odd)', () => {
    const withHole: Polygon = [square(50, 53, 1)[0], square(50.25, 53.25, 0.5)[0]];
    const p = new BandedPolygon(withHole);
    expect(p.contains(50.1, 53.1)).toBe(true);
    expect(p.contains(50.5, 53.5)).toBe(false);
    const bowTie: Polygon = [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]];
    expect(selfCrossing(bowTie[0])).toEqual([1, 1]);
    const tie = new BandedPolygon(bowTie);
    expect([tie.contains(0.2, 1), tie.contains(1.8, 1), tie.contains(1, 0.2)]).toEqual([true, true, false]);
  });

  it('a point on a band boundary and at the extreme latitudes of a ring is still answered right', () => {
    const ring: Polygon = [Array.from({ length: 801 }, (_, i) => [Math.cos((2 * Math.PI * i) / 800), Math.sin((2 * Math.PI * i) / 800)] as [number, number])];
    ring[0][800] = ring[0][0];
    const p = new BandedPolygon(ring);
    for (const y of [-0.999, -0.5, 0, 0.25, 0.5, 0.999]) {
      expect(p.contains(0, y)).toBe(true);
      expect(p.contains(1.01, y)).toBe(false);
    }
  });

  it('distance is the great circle to the nearest warehouse, one decimal', () => {
    const index = new ZoneIndex([], [{ id: 1, address: 'A', lon: 37.6176, lat: 55.7558 }, { id: 2, address: 'B', lon: 30.3141, lat: 59.9386 }]);
    expect(index.distanceKm(30.3141, 59.9386)).toBe(0);
    expect(haversineKm(37.6176, 55.7558, 30.3141, 59.9386)).toBeCloseTo(634, -1); // Moscow–St Petersburg
    expect(index.distanceKm(37.5, 55.7)).toBe(Math.round(haversineKm(37.5, 55.7, 37.6176, 55.7558) * 10) / 10);
    expect(new ZoneIndex([], []).distanceKm(37.5, 55.7)).toBeNull();
  });
});
