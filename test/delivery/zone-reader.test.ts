/**
 * Zone files are read in worker threads (server/delivery/zone-reader.ts): a hostile file is
 * refused in words — inflated past its cap, nested too deep, too many vertices, a negative
 * price, more memory or time than a zone file may take — and the reader goes on for the next.
 * The self-crossing sweep agrees with the pair-by-pair check on random rings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import AdmZip from 'adm-zip';
import { comb } from './comb-zone.js';
import { ZoneReader, ZoneReaderBusy, ZONE_READER_LIMITS } from '../../server/delivery/zone-reader.js';
import { ZONE_LIMITS, ZoneFileError } from '../../server/delivery/zone-file.js';
import { selfCrossing, type Position } from '../../server/delivery/geometry.js';
import { unpackZones } from '../../server/store/delivery-zones-repository.js';
import { ZoneIndex } from '../../server/delivery/zone-index.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const NEAR = { area: { warehouses: [] as Array<[number, number]> } };
const ANYWAY = { ...NEAR, allowSelfCrossing: true };
const readers: ZoneReader[] = [];
const reader = (limits: Partial<typeof ZONE_READER_LIMITS> = {}) => {
  const r = new ZoneReader({ ...ZONE_READER_LIMITS, ...limits });
  readers.push(r);
  return r;
};
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.close()));
});

const square = (lon: number, lat: number, d: number) => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];
const collection = (features: unknown[]) => Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ZoneFileError);
  return error as ZoneFileError;
};

/** The reader's thread runs below the answering thread's priority: on a loaded machine its work takes longer. */
const HEAVY = { timeout: 180_000 };

describe('the zone reader', () => {
  it('reads a good file in a worker, and a comb of 20 zones × 10,000 vertices with no crossing', HEAVY, async () => {
    const r = reader();
    const good = await r.read(collection([{ type: 'Feature', properties: { description: 'Центр\n300 ₽\nминимальный заказ 1500 ₽' }, geometry: { type: 'Polygon', coordinates: square(37.6, 55.7, 0.05) } }]), NEAR);
    expect(good.zones).toMatchObject([{ name: 'Центр', price: 300, minOrder: 1500 }]);
    const combs = collection(Array.from({ length: 20 }, (_, i) => ({ type: 'Feature', properties: { name: `Гребень ${i + 1}` }, geometry: { type: 'Polygon', coordinates: [comb(37 + i * 0.02, 55.5, 2499)] } })));
    const read = await r.read(combs, NEAR);
    expect(read.zones).toHaveLength(20);
    expect(read.warnings.filter((w) => w.code === 'self_crossing')).toEqual([]);
    // Prepared in the worker: the store's text (packed, a fraction of the JSON) and a listing without full outlines.
    const prepared = await r.prepare(combs, NEAR, 3001);
    expect(prepared.json.startsWith('gz1:')).toBe(true);
    const stored = JSON.parse(unpackZones(prepared.json));
    expect(prepared.json.length).toBeLessThan(JSON.stringify(stored).length / 2);
    expect(stored.map((z: { id: number }) => z.id)).toEqual(Array.from({ length: 20 }, (_, i) => 3001 + i));
    expect(stored[0].polygons[0][0]).toHaveLength(10_000); // 9,999 corners and the first again
    expect(prepared.listing[0]).toMatchObject({ id: 3001, name: 'Гребень 1', vertices: 9_999 });
    expect(prepared.listing[0].outline[0][0].length).toBeLessThanOrEqual(201);
    expect(unpackZones('[{"id":1}]')).toBe('[{"id":1}]'); // a column written by an older release reads as it is
    // An edit is applied in the worker too, in the edits' order; ids that no longer match change nothing.
    const edits = prepared.listing.map(({ id, name, price, min_order, free_from, time, color, no_delivery }) => ({ id, name: `${name}!`, price, min_order, free_from, time, color, no_delivery })).reverse();
    const edited = JSON.parse(unpackZones((await r.edit(prepared.json, edits))!));
    expect(edited.map((z: { id: number; name: string }) => [z.id, z.name])[0]).toEqual([3020, 'Гребень 20!']);
    expect(edited[0].polygons[0][0]).toHaveLength(10_000);
    expect(await r.edit(prepared.json, edits.slice(1))).toBeNull();
  });

  it('refuses in words: a KMZ inflating past its cap, deep nesting, too many vertices, a negative price', HEAVY, async () => {
    const r = reader();
    const zip = new AdmZip();
    zip.addFile('doc.kml', Buffer.alloc(ZONE_LIMITS.kmzUnpackedBytes + 28 * 1024 * 1024, 0x20)); // 60 MB of KML in a small KMZ
    const kmz = zip.toBuffer();
    expect(kmz.length).toBeLessThan(200 * 1024);
    expect((await refusal(r.read(kmz, NEAR))).reason).toBe('kmz_too_large');

    // 20,000 GeometryCollections one inside the other, written as text (JSON.stringify would overflow here).
    const polygon = JSON.stringify({ type: 'Polygon', coordinates: square(37.6, 55.7, 0.01) });
    const deep = `${'{"type":"GeometryCollection","geometries":['.repeat(20_000)}${polygon}${']}'.repeat(20_000)}`;
    const nested = await refusal(r.read(Buffer.from(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":${deep}}]}`), NEAR));
    expect(nested.reason).toBe('not_a_zone_file');
    expect(nested.message).toMatch(/nested more than 16 deep/);

    const many = collection(Array.from({ length: 101 }, (_, i) => ({ type: 'Feature', properties: { name: `z${i}` }, geometry: { type: 'Polygon', coordinates: [comb(30 + i * 0.02, 55, 2499)] } })));
    expect((await refusal(r.read(many, NEAR))).message).toMatch(/vertices together; at most 1000000/);

    const negative = await refusal(r.read(collection([{ type: 'Feature', properties: { name: 'Минус', price: -500 }, geometry: { type: 'Polygon', coordinates: square(37.6, 55.7, 0.05) } }]), NEAR));
    expect(negative).toMatchObject({ reason: 'bad_price', details: ['Минус'] });
    // The reader still reads the next file.
    expect((await r.read(collection([{ type: 'Feature', properties: { name: 'Ок' }, geometry: { type: 'Polygon', coordinates: square(37.6, 55.7, 0.05) } }]), NEAR)).zones).toHaveLength(1);
  });

  it('a file that needs more memory or time than allowed is refused, the worker replaced; a full queue says so', HEAVY, async () => {
    const big = collection(Array.from({ length: 20 }, (_, i) => ({ type: 'Feature', properties: { name: `z${i}` }, geometry: { type: 'Polygon', coordinates: [comb(30 + i * 0.02, 55, 2499)] } })));
    const small = reader({ memoryMb: 8 });
    const oom = await refusal(small.read(big, NEAR));
    expect(oom).toMatchObject({ reason: 'too_large' });
    expect(oom.message).toMatch(/more than 8 MB/);
    const slow = reader({ timeoutMs: 1 });
    expect((await refusal(slow.read(big, NEAR))).message).toMatch(/took longer than/);
    const full = reader({ workers: 1, queue: 1 });
    const first = full.read(big, NEAR);
    const second = full.read(big, NEAR);
    await expect(full.read(big, NEAR)).rejects.toBeInstanceOf(ZoneReaderBusy);
    expect((await first).zones).toHaveLength(20);
    expect((await second).zones).toHaveLength(20);
  });
});

const ZONES = resolve(import.meta.dirname, '../../../shared/zones');

describe.skipIf(!existsSync(resolve(ZONES, 'SOURCES.md')))('compiled in the worker (a real export, ../shared/zones)', () => {
  it('answers every point as the zones compiled here do', HEAVY, async () => {
    const r = reader();
    const file = readFileSync(resolve(ZONES, 'nastart-tma_spb-lo_delivery.geojson'));
    const prepared = await r.prepare(file, ANYWAY, 1);
    const here = await ZoneIndex.build(JSON.parse(unpackZones(prepared.json)), []);
    const there = ZoneIndex.fromParts((await r.compile(prepared.json)).parts, [], null);
    let seed = 5;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const [lon, lat] = [29.4 + rnd() * 1.4, 59.6 + rnd() * 0.6];
      const a = here.locate(lon, lat)?.id ?? null;
      expect(there.locate(lon, lat)?.id ?? null).toBe(a);
      if (a !== null) inside++;
    }
    expect(inside).toBeGreaterThan(1000);
  });
});

describe('the self-crossing sweep', () => {
  /** Every pair of non-adjacent edges, as the definition says. */
  function crossesPairwise(ring: Position[]): boolean {
    const n = ring.length - 1;
    const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    for (let i = 0; i < n; i++) {
      for (let j = i + 2; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        const [a, b, c, d] = [ring[i], ring[i + 1], ring[j], ring[j + 1]];
        const [d1, d2, d3, d4] = [cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)];
        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
      }
    }
    return false;
  }

  it('agrees with the pair-by-pair check on 5,000 random rings, on-grid ones (shared heights, upright edges) included', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let crossing = 0;
    for (let t = 0; t < 5000; t++) {
      const grid = t % 2 === 0;
      const points: Position[] = Array.from({ length: 4 + Math.floor(rnd() * 12) }, () => (grid ? [Math.floor(rnd() * 5), Math.floor(rnd() * 5)] : [rnd(), rnd()]));
      const closed = [...points, points[0]];
      const ring = closed.filter((p, i) => i === 0 || p[0] !== closed[i - 1][0] || p[1] !== closed[i - 1][1]); // as the reader drops repeats
      if (ring.length < 5) continue;
      const expected = crossesPairwise(ring);
      if (expected) crossing++;
      expect(selfCrossing(ring) !== null, JSON.stringify(ring)).toBe(expected);
    }
    expect(crossing).toBeGreaterThan(1000); // both kinds were tried
  });

  it('finds the one crossing tooth of a 10,000-vertex comb', () => {
    const ring = comb(37, 55, 2499);
    expect(selfCrossing(ring)).toBeNull();
    ring[401] = [ring[401][0] + 0.0001, ring[401][1]]; // one tooth's tip leans over its neighbour
    expect(selfCrossing(ring)).not.toBeNull();
  });
});
