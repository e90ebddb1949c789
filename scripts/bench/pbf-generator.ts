/**
 * A GENERATED country-shaped OpenStreetMap PBF for benchmarks (never real data, never shipped),
 * with the proportions of Russia's extract (about 500 M nodes and 12 M addressed objects: one
 * addressed building per 40 nodes): a tenth of the nodes are the corners of addressed buildings
 * (closed ways of 4 nodes with addr:street and addr:housenumber, every 50th as a multipolygon
 * relation instead), a fifth those of buildings with no address, the rest road nodes in named and
 * unnamed ways, plus address nodes, 60 towns with their place nodes and admin_level 8 boundaries
 * inside one admin_level 4 region. Each address is there once; the same size makes the same file.
 */
import { PbfWriter } from './pbf-writer.js';

const TOWNS = 60;
const STREETS_PER_TOWN = 400;
const STREET_NAMES = ['улица Ленина', 'Советская улица', 'улица Мира', 'Садовая улица', 'Лесная улица', 'проспект Победы', 'Школьный переулок', 'Заводская улица'];

/** Writes `NODES` nodes' worth of extract to `path`; returns how many addressed houses it holds. */
export async function generateCountryPbf(path: string, NODES: number): Promise<number> {
  const pbf = new PbfWriter(path);
  await pbf.start();
  let id = 0;
  const towns = Array.from({ length: TOWNS }, (_, t) => ({ name: `Генерированск-${t + 1}`, lat: 54 + Math.floor(t / 10) * 0.3, lon: 36 + (t % 10) * 0.3 }));
  const houses = Math.floor(NODES / 40);
  const plain = houses * 2;
  const region = [[53.8, 35.8], [53.8, 39.2], [56.1, 39.2], [56.1, 35.8]].map(([lat, lon]) => ({ id: ++id, lat, lon }));
  for (const n of region) await pbf.node(n);
  const townOutlines: number[][] = [];
  for (const town of towns) {
    const corners = [[-0.12, -0.12], [-0.12, 0.12], [0.12, 0.12], [0.12, -0.12]].map(([a, b]) => ({ id: ++id, lat: town.lat + a, lon: town.lon + b }));
    for (const n of corners) await pbf.node(n);
    townOutlines.push(corners.map((n) => n.id));
    await pbf.node({ id: ++id, lat: town.lat, lon: town.lon, tags: { place: 'town', name: town.name } });
  }
  // House h: in town h % 60, on street ⌊h / 60⌋ mod 3,200 of that town, number 1 + ⌊h / 192,000⌋: each address once.
  const street = (h: number) => `${STREET_NAMES[Math.floor(h / TOWNS) % STREET_NAMES.length]} ${Math.floor(h / TOWNS / STREET_NAMES.length) % STREETS_PER_TOWN}`;
  const houseNumber = (h: number) => `${1 + Math.floor(h / (TOWNS * STREET_NAMES.length * STREETS_PER_TOWN))}`;
  const random = lcg(7);
  const inTown = (t: number) => [towns[t % TOWNS].lat - 0.1 + random() * 0.2, towns[t % TOWNS].lon - 0.1 + random() * 0.2];
  // Building corners, interleaved as a real extract's ids are: one addressed, then two without an address.
  const firstCorner: number[] = [];
  for (let b = 0; b < houses + plain; b++) {
    const [lat, lon] = inTown(b % 3 === 0 ? b / 3 : b);
    firstCorner.push(id + 1);
    for (const [a, c] of [[0, 0], [0, 0.0002], [0.0001, 0.0002], [0.0001, 0]]) await pbf.node({ id: ++id, lat: lat + a, lon: lon + c });
  }
  // Address nodes (shops, entrances with an address of their own): one per 20 houses.
  for (let a = 0; a < houses / 20; a++) {
    const h = a * 20;
    const [lat, lon] = inTown(h);
    await pbf.node({ id: ++id, lat, lon, tags: { 'addr:street': street(h), 'addr:housenumber': `${houseNumber(h)}с${1 + (a % 5)}` } });
  }
  // Roads: random walks of 10 nodes, steps of up to ~50 m (a real extract's deltas are that small).
  const roadFrom = id + 1;
  let [lat, lon] = inTown(0);
  while (id < NODES) {
    id++;
    if (id % 10 === 0) [lat, lon] = inTown(id);
    lat += (random() - 0.5) * 0.0008;
    lon += (random() - 0.5) * 0.0008;
    await pbf.node({ id, lat, lon });
  }
  let wayId = 0;
  for (let b = 0; b < houses + plain; b++) {
    const first = firstCorner[b];
    const addressed = b % 3 === 0;
    const h = b / 3;
    const tags: Record<string, string> = { building: 'yes' };
    if (addressed && h % 50 !== 0) Object.assign(tags, { 'addr:street': street(h), 'addr:housenumber': houseNumber(h) }, h % 3 === 0 ? { 'addr:city': towns[h % TOWNS].name } : {});
    await pbf.way({ id: ++wayId, refs: [first, first + 1, first + 2, first + 3, first], tags });
  }
  for (let r = roadFrom, n = 0; r + 10 <= NODES; r += 10, n++) {
    await pbf.way({ id: ++wayId, refs: Array.from({ length: 10 }, (_, k) => r + k), tags: n % 4 === 0 ? { highway: 'residential', name: street(n) } : { highway: 'service' } });
  }
  const regionWay = ++wayId;
  await pbf.way({ id: regionWay, refs: [...region.map((n) => n.id), region[0].id] });
  const townWays = townOutlines.map((corners) => ({ id: ++wayId, corners }));
  for (const w of townWays) await pbf.way({ id: w.id, refs: [...w.corners, w.corners[0]] });
  let relationId = 0;
  await pbf.relation({ id: ++relationId, members: [{ type: 'way', ref: regionWay, role: 'outer' }], tags: { type: 'boundary', boundary: 'administrative', admin_level: '4', name: 'Генерированская область' } });
  for (const [t, w] of townWays.entries()) {
    await pbf.relation({ id: ++relationId, members: [{ type: 'way', ref: w.id, role: 'outer' }], tags: { type: 'boundary', boundary: 'administrative', admin_level: '8', name: towns[t].name } });
  }
  // Every 50th addressed building is a multipolygon relation around its (untagged-address) way.
  for (let h = 0; h < houses; h += 50) {
    await pbf.relation({ id: ++relationId, members: [{ type: 'way', ref: h * 3 + 1, role: 'outer' }], tags: { type: 'multipolygon', building: 'yes', 'addr:street': street(h), 'addr:housenumber': houseNumber(h) } });
  }
  await pbf.end();
  return houses;
}

/** A small deterministic generator (the same file for the same size). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

