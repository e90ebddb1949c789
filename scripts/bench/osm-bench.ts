/**
 * npm run bench:osm — an OpenStreetMap PBF import at country scale: nodes/s and peak memory.
 * No district or country extract is on this machine, so one is generated (pbf-generator.ts:
 * labelled "generated", never shipped, never real addresses, in the proportions of Russia's
 * extract) of BENCH_OSM_NODES nodes (default 10 M). `npm run import:addresses` runs on it as its
 * own process into a fresh index.
 *
 * Last line: `bench:osm: <nodes> nodes, <s> s, <nodes/s> nodes/s, peak <MB> MB, <houses> houses`.
 * BENCH_OSM_FILE keeps the generated file at that path (and reuses it when it is there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCountryPbf } from './pbf-generator.js';

const NODES = Number(process.env.BENCH_OSM_NODES ?? 10_000_000);
const keep = process.env.BENCH_OSM_FILE;
const dir = mkdtempSync(join(tmpdir(), 'amo-address-osm-bench-'));
try {
  const file = keep ?? join(dir, 'generated-country.osm.pbf');
  if (!keep || !existsSync(file)) {
    const started = performance.now();
    await generateCountryPbf(file, NODES);
    console.log(`generated ${NODES.toLocaleString('en')} nodes (${(statSync(file).size / 1e6).toFixed(0)} MB of PBF) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const started = performance.now();
  const summary = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/import-addresses.ts', file, '--source', 'generated-country'], {
    env: { ...process.env, DATABASE_PATH: join(dir, 'bench.db'), INDEX_DIR: join(dir, 'index'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(summary.trim());
  const houses = Number(/: (\d+) houses/.exec(summary)?.[1] ?? NaN);
  const peak = Number(/peak memory (\d+) MB/.exec(summary)?.[1] ?? NaN);
  console.log(`bench:osm: ${NODES} nodes, ${seconds.toFixed(1)} s, ${Math.round(NODES / seconds)} nodes/s, peak ${peak} MB, ${houses} houses`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
