/**
 * npm run bench:import — a regional extract's import: objects/s and peak memory (the goal: tens
 * of millions of nodes within 1 GB). No regional extract is on this machine, so one is generated
 * in OpenStreetMap XML with a region's shape (labelled "generated", never shipped, never real
 * addresses): IMPORT_NODES nodes (default 20 M), of which a fifth outline addressed buildings
 * (closed ways of 5 nodes with addr:street + addr:housenumber, most without addr:city), a few
 * addressed multipolygon relations and address nodes, 60 settlements each with its place node
 * and admin_level 8 boundary inside one admin_level 4 region, and the rest road-like ways.
 * Then `npm run import:addresses` runs on it as its own process into a fresh database, and its
 * summary line (houses, streets, areas, objects/s, peak memory) is printed.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const NODES = Number(process.env.IMPORT_NODES ?? 20_000_000);
const TOWNS = 60;
const STREETS_PER_TOWN = 400;
const STREET_NAMES = ['улица Ленина', 'Советская улица', 'улица Мира', 'Садовая улица', 'Лесная улица', 'проспект Победы', 'Школьный переулок', 'Заводская улица'];

async function generate(path: string): Promise<void> {
  const out = createWriteStream(path);
  const lines: string[] = [];
  const write = async (line: string) => {
    lines.push(line);
    if (lines.length >= 10_000) {
      if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
      lines.length = 0;
    }
  };
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="amo-address bench (generated, not real data)">');
  let id = 0;
  const towns = Array.from({ length: TOWNS }, (_, t) => ({ name: `Генерированск-${t + 1}`, lat: 54 + Math.floor(t / 10) * 0.3, lon: 36 + (t % 10) * 0.3 }));
  const buildings = Math.floor(NODES / 5 / 5);
  const buildingNodes: number[] = [];
  // Nodes: the region's and towns' outlines, the place nodes, building corners, road nodes.
  const region = [[53.8, 35.8], [53.8, 39.2], [56.1, 39.2], [56.1, 35.8]].map(([lat, lon]) => ({ id: ++id, lat, lon }));
  for (const n of region) await write(`<node id="${n.id}" lat="${n.lat}" lon="${n.lon}"/>`);
  const townOutlines: number[][] = [];
  for (const town of towns) {
    const corners = [[-0.12, -0.12], [-0.12, 0.12], [0.12, 0.12], [0.12, -0.12]].map(([a, b]) => ({ id: ++id, lat: town.lat + a, lon: town.lon + b }));
    for (const n of corners) await write(`<node id="${n.id}" lat="${n.lat.toFixed(7)}" lon="${n.lon.toFixed(7)}"/>`);
    townOutlines.push(corners.map((n) => n.id));
    await write(`<node id="${++id}" lat="${town.lat}" lon="${town.lon}"><tag k="place" v="town"/><tag k="name" v="${town.name}"/></node>`);
  }
  for (let b = 0; b < buildings; b++) {
    const town = towns[b % TOWNS];
    const [lat, lon] = [town.lat - 0.1 + ((b * 7919) % 20000) / 100000, town.lon - 0.1 + ((b * 104729) % 20000) / 100000];
    buildingNodes.push(id + 1);
    for (const [a, c] of [[0, 0], [0, 0.0002], [0.0001, 0.0002], [0.0001, 0]]) await write(`<node id="${++id}" lat="${(lat + a).toFixed(7)}" lon="${(lon + c).toFixed(7)}"/>`);
  }
  const roadNodesFrom = id + 1;
  while (id < NODES) await write(`<node id="${++id}" lat="${(54 + (id % 1_000_000) / 500_000).toFixed(7)}" lon="${(36 + (id % 999_983) / 350_000).toFixed(7)}"/>`);
  // Ways: buildings (every 50th without an address of its own: its relation has it), roads, outlines.
  let wayId = 0;
  for (let b = 0; b < buildings; b++) {
    const first = buildingNodes[b];
    const refs = [first, first + 1, first + 2, first + 3, first].map((r) => `<nd ref="${r}"/>`).join('');
    const town = towns[b % TOWNS];
    const street = `${STREET_NAMES[Math.floor(b / TOWNS) % STREET_NAMES.length]} ${Math.floor(b / TOWNS / STREET_NAMES.length) % STREETS_PER_TOWN}`;
    const house = `${1 + (Math.floor(b / TOWNS / STREET_NAMES.length / STREETS_PER_TOWN) % 300)}${b % 7 === 0 ? 'к1' : ''}`;
    const city = b % 3 === 0 ? `<tag k="addr:city" v="${town.name}"/>` : '';
    const tags = b % 50 === 0 ? '<tag k="building" v="yes"/>' : `<tag k="building" v="yes"/><tag k="addr:street" v="${street}"/><tag k="addr:housenumber" v="${house}"/>${city}`;
    await write(`<way id="${++wayId}">${refs}${tags}</way>`);
  }
  for (let r = roadNodesFrom; r + 10 <= NODES; r += 10) {
    await write(`<way id="${++wayId}">${Array.from({ length: 10 }, (_, k) => `<nd ref="${r + k}"/>`).join('')}<tag k="highway" v="residential"/></way>`);
  }
  const regionWay = ++wayId;
  await write(`<way id="${regionWay}">${[...region, region[0]].map((n) => `<nd ref="${n.id}"/>`).join('')}</way>`);
  const townWays = townOutlines.map((corners) => ({ id: ++wayId, corners }));
  for (const w of townWays) await write(`<way id="${w.id}">${[...w.corners, w.corners[0]].map((r) => `<nd ref="${r}"/>`).join('')}</way>`);
  // Relations: the region, the towns, and the addressed multipolygon buildings.
  let relationId = 0;
  await write(`<relation id="${++relationId}"><member type="way" ref="${regionWay}" role="outer"/><tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="4"/><tag k="name" v="Генерированская область"/></relation>`);
  for (const [t, w] of townWays.entries()) {
    await write(`<relation id="${++relationId}"><member type="way" ref="${w.id}" role="outer"/><tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="8"/><tag k="name" v="${towns[t].name}"/></relation>`);
  }
  for (let b = 0; b < buildings; b += 50) {
    await write(`<relation id="${++relationId}"><member type="way" ref="${b + 1}" role="outer"/><tag k="type" v="multipolygon"/><tag k="building" v="yes"/><tag k="addr:street" v="Кольцевая улица"/><tag k="addr:housenumber" v="${b / 50 + 1}"/></relation>`);
  }
  await write('</osm>');
  out.end(lines.join('\n') + '\n');
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'amo-address-import-bench-'));
try {
  const file = join(dir, 'generated-region.osm');
  const started = performance.now();
  await generate(file);
  console.log(`generated ${NODES.toLocaleString('en')} nodes (${(statSync(file).size / 1e9).toFixed(2)} GB of XML) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const summary = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/import-addresses.ts', file, '--source', 'generated-region'], {
    env: { ...process.env, DATABASE_PATH: join(dir, 'bench.db'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  console.log(summary.trim());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
