/**
 * A house's city and region from the extract's own boundaries and settlement areas
 * (server/address-data/osm/area-finder.ts): on a hand-made extract for each rule, and on a real
 * one — Liechtenstein (ODbL, ATTRIBUTION.md), whose eleven municipalities are complete — where
 * the addr:city of the houses that have one is hidden and must come back from the boundaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/store/database.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { PlacesRepository, type PlaceRow } from '../../server/store/places-repository.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { hasRealdata, realFile, REALDATA } from '../realdata.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords, type ImportResult } from '../../server/address-data/osm/import-addresses.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import { AreaFinder, type AreaShape } from '../../server/address-data/osm/area-finder.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';

let db: Db;
let index: LocalIndex;

async function read(path: string): Promise<AddressRecord[]> {
  const out: AddressRecord[] = [];
  for await (const r of readerFor(path)!(path)) out.push(r);
  return out;
}

const house = (street: string, number: string, source: string) =>
  db.prepare("SELECT * FROM places WHERE kind = 'house' AND street = ? AND house = ? AND source = ?").get(street, number, source) as PlaceRow;

beforeAll(() => {
  db = openIndexDatabase(':memory:');
  index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
});
afterAll(() => db.close());

describe('boundaries of the extract', () => {
  let result: ImportResult;
  beforeAll(async () => {
    result = await importRecords(index, await read('test/fixtures/boundaries.osm'), 'import:boundaries');
  });

  it('a house without addr:city takes the settlement boundary it lies in, and the region boundary', () => {
    expect(house('Лесная улица', '1', 'import:boundaries')).toMatchObject({ city: 'Берёзовка', region: 'Тестовая область' });
    expect(index.search('берёзовка лесная 1', { count: 1 })[0]).toMatchObject({ street: 'Лесная улица', house: '1' });
  });

  it('its own addr:city still wins, and still gets the region', () => {
    expect(house('Лесная улица', '3', 'import:boundaries')).toMatchObject({ city: 'Заречье', region: 'Тестовая область' });
  });

  it('a settlement mapped as a closed way counts too', () => {
    expect(house('Полевая улица', '7', 'import:boundaries')).toMatchObject({ city: 'Сосновка' });
  });

  it('a boundary no settlement of its name lies in (a city district) is not a city', () => {
    expect(house('Северная улица', '2', 'import:boundaries')).toMatchObject({ region: 'Тестовая область' });
    expect(house('Северная улица', '2', 'import:boundaries').city).not.toBe('район Северный');
  });

  it('a boundary the extract cuts through is skipped and counted, never guessed', () => {
    expect(result.areas).toBe(3);
    expect(result.skipped.incompleteArea).toBe(1);
  });
});

describe('the area test', () => {
  // [lat, lon] corners → a closed polyline in 1e-7 degrees
  const ring = (...corners: Array<[number, number]>) => Int32Array.from([...corners, corners[0]].flatMap(([lat, lon]) => [lat * 1e7, lon * 1e7]));
  const area = (name: string, adminLevel: number | null, place: string | null, ...ways: Int32Array[]): AreaShape => ({ name, adminLevel, place, ways, complete: true });

  it('a hole (inner ring) is outside, and the smallest containing settlement wins', () => {
    const municipality = area('Gemeinde', 8, null, ring([0, 0], [0, 10], [10, 10], [10, 0]), ring([4, 4], [4, 6], [6, 6], [6, 4]));
    const village = area('Dorf', null, 'village', ring([1, 1], [1, 2], [2, 2], [2, 1]));
    const finder = new AreaFinder([municipality, village], [{ name: 'Gemeinde', lat: 8, lon: 8 }]);
    expect(finder.find(8, 8).city).toBe('Gemeinde');
    expect(finder.find(5, 5).city).toBeNull();
    expect(finder.find(1.5, 1.5).city).toBe('Dorf');
    expect(finder.find(11, 5).city).toBeNull();
  });

  it('a settlement far bigger than a grid cell and small ones inside it: the smallest still wins', () => {
    const big = area('Big city', null, 'city', ring([50, 30], [50, 33], [53, 33], [53, 30])); // 900 cells of 0.1°
    const villages = Array.from({ length: 30 }, (_, i) => area(`Village ${i}`, null, 'village', ring([51 + i * 0.05, 31], [51 + i * 0.05, 31.04], [51.04 + i * 0.05, 31.04], [51.04 + i * 0.05, 31])));
    const finder = new AreaFinder([big, ...villages], []);
    expect(finder.find(51.02, 31.02).city).toBe('Village 0');
    expect(finder.find(52.47, 31.02).city).toBe('Village 29');
    expect(finder.find(52.47, 32.5).city).toBe('Big city');
    expect(finder.find(49.9, 31).city).toBeNull();
  });

  it('holds for an outline of thousands of segments, whatever way they are split and drawn', () => {
    // A 2,000-gon circle of radius 1° cut into 7 ways, every other one drawn backwards.
    const points = Array.from({ length: 2001 }, (_, i) => [Math.sin((2 * Math.PI * i) / 2000), Math.cos((2 * Math.PI * i) / 2000)] as [number, number]);
    const ways = Array.from({ length: 7 }, (_, k) => {
      const part = points.slice(Math.floor((k * 2000) / 7), Math.floor(((k + 1) * 2000) / 7) + 1);
      return Int32Array.from((k % 2 ? part.reverse() : part).flatMap(([lat, lon]) => [Math.round(lat * 1e7), Math.round(lon * 1e7)]));
    });
    const finder = new AreaFinder([area('Circle', 4, null, ...ways)], []);
    for (let i = 0; i < 200; i++) {
      const [lat, lon] = [Math.sin(i * 7.3) * 1.2, Math.cos(i * 3.1) * 1.2];
      const r = Math.hypot(lat, lon);
      if (Math.abs(r - 1) < 0.01) continue;
      expect(finder.find(lat, lon).region).toBe(r < 1 ? 'Circle' : null);
    }
  });
});

if (!hasRealdata) console.warn(`skipped: no real extracts at ${REALDATA}`);

describe.skipIf(!hasRealdata)('Liechtenstein: addr:city hidden, found again from the municipal boundaries', () => {
  const FILE = realFile('valhalla-liechtenstein.osm.pbf');

  async function agreement(withAreas: boolean, source: string): Promise<{ right: number; of: number; result: ImportResult }> {
    const records = await read(FILE);
    const municipalities = new Set(records.filter((r) => r.area?.complete && r.area.adminLevel === 8).map((r) => r.area!.name));
    const truth = new Map<string, string>();
    const hidden = records
      .filter((r) => withAreas || !r.area)
      .map((r) => {
        if (!r.city || !r.street || !r.house) return r;
        if (municipalities.has(r.city)) truth.set(`${r.street}|${r.house}`, r.city);
        return { ...r, city: null };
      });
    const result = await importRecords(index, hidden, source);
    let right = 0;
    for (const [key, city] of truth) {
      const [street, number] = key.split('|');
      if (house(street, number, source)?.city === city) right++;
    }
    return { right, of: truth.size, result };
  }

  it('gives back the municipality of 99% of the houses inside them, where the nearest village does worse', async () => {
    const withAreas = await agreement(true, 'import:li-areas');
    const nearestOnly = await agreement(false, 'import:li-nearest');
    expect(withAreas.of).toBeGreaterThan(150);
    expect(withAreas.result.areas).toBe(11);
    expect(withAreas.result.skipped.incompleteArea).toBeGreaterThan(10); // Swiss and Austrian neighbours cut by the extract
    expect(withAreas.right / withAreas.of).toBeGreaterThanOrEqual(0.99);
    expect(nearestOnly.right).toBeLessThan(withAreas.right - 10);
  });
});
