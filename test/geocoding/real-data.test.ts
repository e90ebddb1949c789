/**
 * Imports of real OpenStreetMap extracts (../shared/realdata, ODbL — ATTRIBUTION.md), as a
 * regional extract would come: XML, gzipped XML and PBF; houses without addr:city; buildings whose
 * address sits on a multipolygon relation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Db } from '../../server/store/database.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords, type ImportResult } from '../../server/address-data/osm/import-addresses.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { bzip2Copy, hasRealdata, REALDATA } from '../realdata.js';

const DIR = REALDATA;
let db: Db;
let index: LocalIndex;
const results: Record<string, ImportResult> = {};

async function records(file: string): Promise<AddressRecord[]> {
  const path = file.startsWith('/') ? file : `${DIR}/${file}`;
  const out: AddressRecord[] = [];
  for await (const r of readerFor(path)!(path)) out.push(r);
  return out;
}

beforeAll(async () => {
  if (!hasRealdata) return;
  db = openIndexDatabase(':memory:');
  index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
  for (const file of ['kursovaya-moscow.osm', 'gh-moscow.osm.pbf', 'valhalla-london.osm.pbf']) results[file] = await importRecords(index, await records(file), `import:${file}`);
});
afterAll(() => db?.close());

if (!hasRealdata) console.warn(`skipped: no real extracts at ${REALDATA}`);

describe.skipIf(!hasRealdata)('real extracts', () => {
  it('a .osm.gz reads exactly as the same area’s .osm.pbf', async () => {
    const gz = (await records('gh-moscow.osm.gz')).filter((r) => !r.place);
    const pbf = (await records('gh-moscow.osm.pbf')).filter((r) => !r.place);
    expect(gz.length).toBeGreaterThan(300);
    const key = (r: AddressRecord) => `${r.street}|${r.house}`;
    // The .gz is the same repository's newer file: the same streets and houses, give or take an edit.
    const shared = new Set(pbf.map(key));
    expect(gz.filter((r) => shared.has(key(r))).length / gz.length).toBeGreaterThan(0.9);
  });

  it('a .osm.bz2 and a gzipped CSV read exactly as their plain files', async () => {
    const plain = await records('kakadu-spb.osm');
    const packed = bzip2Copy('kakadu-spb.osm');
    if (packed) expect(await records(packed)).toEqual(plain);
    else console.warn('no bzip2 on this machine: the .osm.bz2 read is not checked');
    const dir = mkdtempSync(join(tmpdir(), 'amo-address-gz-'));
    try {
      writeFileSync(join(dir, 'samara.csv.gz'), gzipSync(readFileSync('test/fixtures/samara-sample.csv')));
      const read = async (path: string) => { const out = []; for await (const r of readerFor(path)!(path)) out.push(r); return out; };
      expect(await read(join(dir, 'samara.csv.gz'))).toEqual(await read('test/fixtures/samara-sample.csv'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('houses without addr:city get the city they are in, so a city typed first finds them', () => {
    const moscow = index.search('москва ленинградский проспект', { count: 5 });
    expect(moscow.length).toBeGreaterThan(0);
    expect(moscow.every((r) => r.city === 'Москва')).toBe(true);
    const house = index.search('москва, звёздный бульвар 38к2', { count: 1 })[0];
    expect(house).toMatchObject({ city: 'Москва', street: 'Звёздный бульвар', kind: 'house' });
  });

  it('an address on a multipolygon relation is imported with a position', async () => {
    const fromRelations = (await records('valhalla-london.osm.pbf')).filter((r) => r.street && r.house && r.lat !== null);
    expect(fromRelations.length).toBeGreaterThan(1400);
    const relationHouses = db.prepare("SELECT COUNT(*) AS n FROM places WHERE source = 'import:valhalla-london.osm.pbf' AND kind = 'house' AND lat IS NULL").get() as { n: number };
    expect(relationHouses.n).toBe(0);
  });

  it('the import summary says what it skipped and why', () => {
    for (const result of Object.values(results)) {
      expect(Object.keys(result.skipped).sort()).toEqual(['duplicate', 'incompleteArea', 'noHouseNumber', 'noStreet']);
    }
    expect(results['valhalla-london.osm.pbf'].skipped.noHouseNumber).toBeGreaterThan(0);
    // Moscow's district boundaries reach far beyond a few streets' extract: counted, not used.
    expect(results['kursovaya-moscow.osm'].skipped.incompleteArea).toBe(5);
    expect(results['kursovaya-moscow.osm'].areas).toBe(0);
  });
});

describe('houses kept in columns until each gets its city', () => {
  it('gives every house back as it came, texts and positions, past any growth', async () => {
    const { HouseColumns } = await import('../../server/address-data/osm/house-columns.js');
    const houses = new HouseColumns();
    const made = Array.from({ length: 5000 }, (_, i) => ({
      street: `улица ${i % 37}`,
      city: i % 3 ? 'Москва' : null,
      house: String(1 + (i % 300)),
      block: i % 7 ? null : '1',
      region: i % 5 ? null : 'Московская область',
      postcode: i % 2 ? '125040' : null,
      lat: i % 11 ? 55.7 + i / 1e6 : null,
      lon: i % 11 ? 37.6 + i / 1e6 : null,
    }));
    made.forEach((r) => houses.push(r));
    expect(houses.length).toBe(5000);
    const back = [...houses.records()];
    expect(back.map((r) => ({ ...r, lat: r.lat === null ? null : Math.round(r.lat * 1e7), lon: r.lon === null ? null : Math.round(r.lon * 1e7) }))).toEqual(
      made.map((r) => ({ ...r, lat: r.lat === null ? null : Math.round(r.lat * 1e7), lon: r.lon === null ? null : Math.round(r.lon * 1e7) })),
    );
    houses.clear();
    expect([...houses.records()]).toEqual([]);
  });
});

describe('positions kept while an extract streams', () => {
  it('finds every position by id, in order or not, at OpenStreetMap’s precision', async () => {
    const { PositionStore } = await import('../../server/address-data/osm/position-store.js');
    const store = new PositionStore();
    for (let id = 1; id <= 200_000; id++) store.set(id * 3, 55 + id / 1e5, 37 + id / 1e5); // several chunks
    store.set(7, 59.9386292, 30.3141308); // out of order: kept on the side
    store.set(12_000_000_000, 43.1, 131.9); // a gap wider than a chunk's 32-bit offsets
    store.set(12_000_000_005, 43.2, 132.0);
    expect(store.count).toBe(200_003);
    expect(store.get(3000)).toEqual([55.01, 37.01]);
    expect(store.get(3 * 65_537)).toEqual([55.65537, 37.65537]);
    expect(store.get(600_000)).toEqual([57, 39]);
    expect(store.get(7)).toEqual([59.9386292, 30.3141308]);
    expect(store.get(12_000_000_005)).toEqual([43.2, 132]);
    expect(store.get(3001)).toBeUndefined();
    expect(store.get(12_000_000_001)).toBeUndefined();
    store.clear(); // at the end of a read: nothing is kept for the index build
    expect(store.count).toBe(0);
    expect(store.get(3000)).toBeUndefined();
  });
});
