/**
 * The PBF reader (server/address-data/osm/pbf/): a small extract written here with the benchmark's
 * PBF writer (scripts/bench/pbf-writer.ts, osmformat.proto) holding each kind of address object,
 * and the real extracts in ../shared/realdata. Positions are kept for the nodes addresses need, not
 * for every node; a damaged file is said in words.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pbfRecords } from '../../server/address-data/osm/pbf/pbf-records.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { PbfWriter } from '../../scripts/bench/pbf-writer.js';
import { tempDir } from '../helpers.js';
import { hasRealdata, realFile } from '../realdata.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function read(path: string) {
  const records: AddressRecord[] = [];
  let stats = { nodes: 0, kept: 0 };
  for await (const r of pbfRecords(path, undefined, (s) => (stats = s))) records.push(r);
  return { records, stats };
}

/** A town's boundary (a relation of one way), its place node, a building way, a building relation, an address node, a half address and 20,000 road nodes. */
async function smallExtract(path: string): Promise<void> {
  const pbf = new PbfWriter(path);
  await pbf.start();
  const square = (first: number, lat: number, lon: number, size: number) =>
    [[0, 0], [0, size], [size, size], [size, 0]].map(([a, b], i) => ({ id: first + i, lat: lat + a, lon: lon + b }));
  for (const n of square(1, 55.7, 37.5, 0.2)) await pbf.node(n); // 1–4: the town's outline
  await pbf.node({ id: 5, lat: 55.8, lon: 37.6, tags: { place: 'town', name: 'Примерск' } });
  for (const n of square(10, 55.75, 37.55, 0.001)) await pbf.node(n); // 10–13: a building
  for (const n of square(20, 55.76, 37.56, 0.002)) await pbf.node(n); // 20–23: a building mapped as a relation
  await pbf.node({ id: 30, lat: 55.77, lon: 37.57, tags: { 'addr:street': 'Лесная улица', 'addr:housenumber': '7' } });
  await pbf.node({ id: 31, lat: 55.78, lon: 37.58, tags: { 'addr:street': 'Лесная улица' } });
  for (let id = 1000; id < 21_000; id++) await pbf.node({ id, lat: 55.7 + (id % 100) / 1000, lon: 37.5 + (id % 77) / 1000 });
  await pbf.way({ id: 1, refs: [10, 11, 12, 13, 10], tags: { building: 'yes', 'addr:street': 'Садовая улица', 'addr:housenumber': '1к2' } });
  await pbf.way({ id: 2, refs: [20, 21, 22, 23, 20], tags: { building: 'yes' } });
  await pbf.way({ id: 3, refs: [1, 2, 3, 4, 1] });
  for (let w = 0; w < 2000; w++) await pbf.way({ id: 100 + w, refs: Array.from({ length: 10 }, (_, k) => 1000 + w * 10 + k), tags: { highway: 'residential' } });
  await pbf.relation({ id: 1, members: [{ type: 'way', ref: 3, role: 'outer' }], tags: { type: 'boundary', boundary: 'administrative', admin_level: '8', name: 'Примерск' } });
  await pbf.relation({ id: 2, members: [{ type: 'way', ref: 2, role: 'outer' }], tags: { type: 'multipolygon', building: 'yes', 'addr:street': 'Садовая улица', 'addr:housenumber': '3' } });
  await pbf.end();
}

describe('the PBF reader', () => {
  it('reads every kind of address object, each where it lies, keeping positions only for the nodes they need', async () => {
    const file = join(tmp.dir, 'small.osm.pbf');
    await smallExtract(file);
    const { records, stats } = await read(file);
    const houses = records.filter((r) => r.house).map((r) => [r.street, r.house, r.lat, r.lon]);
    expect(houses).toEqual(
      expect.arrayContaining([
        ['Лесная улица', '7', 55.77, 37.57],
        ['Садовая улица', '1к2', 55.7504, 37.5504], // the mean of its way's nodes (the first counted twice, as a closed way lists it)
        ['Садовая улица', '3', 55.7608, 37.5608], // its relation's outer way's centre
      ]),
    );
    expect(houses).toHaveLength(3);
    expect(records.filter((r) => r.street === 'Лесная улица' && !r.house)).toHaveLength(1); // counted as skipped by the import
    expect(records.find((r) => r.place)).toMatchObject({ lat: 55.8, lon: 37.6, place: { name: 'Примерск' } });
    const area = records.find((r) => r.area)!.area!;
    expect(area).toMatchObject({ name: 'Примерск', adminLevel: 8, complete: true });
    expect(Array.from(area.ways[0])).toEqual([557000000, 375000000, 557000000, 377000000, 559000000, 377000000, 559000000, 375000000, 557000000, 375000000]);
    // 20,000 road nodes are read and given no position: 12 are kept (3 ways of 4 distinct nodes).
    expect(stats).toEqual({ nodes: 20_015, kept: 12 });
  });

  it.skipIf(!hasRealdata)('reads a real extract: its houses with their positions', async () => {
    const { records } = await read(realFile('gh-moscow.osm.pbf'));
    const houses = records.filter((r) => r.house && r.street);
    expect(houses.length).toBeGreaterThan(300);
    expect(houses.every((h) => h.lat! > 55.5 && h.lat! < 56 && h.lon! > 37.3 && h.lon! < 37.9)).toBe(true);
  });

  it('says in words what is wrong with a file that is cut short or is not a PBF', async () => {
    const file = join(tmp.dir, 'small.osm.pbf');
    await smallExtract(file);
    const whole = readFileSync(file);
    writeFileSync(join(tmp.dir, 'cut.osm.pbf'), whole.subarray(0, whole.length - 100));
    await expect(read(join(tmp.dir, 'cut.osm.pbf'))).rejects.toThrow(/the file ends inside a block: cut short/);
    writeFileSync(join(tmp.dir, 'html.osm.pbf'), '<!DOCTYPE html><html>502 Bad Gateway</html>');
    await expect(read(join(tmp.dir, 'html.osm.pbf'))).rejects.toThrow(/not an OpenStreetMap PBF file/);
  });
});
