/**
 * npm run bench — prints the figures docs/benchmarks.md quotes. Everything runs on this machine, on
 * loopback, with bounded request counts.
 *  1. local geocoder: index build time and size on disk (gazetteer + generated streets/houses —
 *     BENCH_ENTRIES=2000000 for a real size — or a real extract: npm run bench -- --extract
 *     file.csv|file.osm|file.osm.pbf), with objects/s, then the server started as
 *     its own process and typing replayed over HTTP: every prefix (3+ characters) of 500
 *     addresses drawn from the index. Latency p50/p95/p99 for cache misses and hits, requests/s.
 *  2. widget: script.js and console.js sizes, and in the browser on /demo the time from the debounce firing to
 *     the suggestions being rendered, minus the backend's own time.
 *  3. writes (writes-bench.ts): intake accepted/s and time-to-202, webhook time-to-200, outbox
 *     drain rate against amoCRM's 7/s.
 *  4. typing (typing-bench.ts): the built widget in Chromium typing real addresses at human
 *     speed against a backend answering in 60 ms, on the demo's real index and on a generated one:
 *     requests per address, last key → the backend's list, and lists that are not the backend's.
 *  5. delivery zones (zones-bench.ts): 500 zones × 1,000 vertices in one account, the zone of a
 *     point and of a 7-suggestion answer, and the suggestion latency with those zones on.
 *  6. cleaning the base (clean-bench.ts): the check, apply and undo of 10,000 leads of real houses
 *     typed by hand, amoCRM's busiest second, and another account's write-backs meanwhile.
 * BENCH_ONLY=typing runs 4 alone and ends with its one-line summary; BENCH_ONLY=zones runs 5's
 * lookups alone; BENCH_ONLY=clean runs 6 alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { pointCurrentAt } from '../../server/store/index-files.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import { buildWidget } from '../build-widget.js';
import { generatedAddresses } from './generate-addresses.js';
import { fmt, freePort, get, percentiles, throughput, waitForHealth } from './http-load.js';
import { measureWidgetRender } from './widget-render.js';
import { benchWrites } from './writes-bench.js';
import { benchWebhookForm } from './webhook-form-bench.js';
import { benchTyping } from './typing-bench.js';
import { benchZones, generatedZones } from './zones-bench.js';
import { benchClean } from './clean-bench.js';

if (process.env.BENCH_ONLY === 'typing') {
  await typingSummary();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'zones') {
  await zonesSummary();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'clean') {
  console.log(await benchClean());
  process.exit(0);
}

async function zonesSummary(): Promise<void> {
  const z = await benchZones();
  console.log(`\n== delivery zones ==`);
  console.log(`500 zones × 1,000 vertices (${(z.bytes / 1048576).toFixed(1)} MB GeoJSON): read and checked in ${z.readMs.toFixed(0)} ms, compiled in ${z.compileMs.toFixed(0)} ms; ${(z.inside * 100).toFixed(0)} % of the 100,000 points fall in a zone`);
  console.log(`bench:zones: lookup p50 ${z.lookup.p50.toFixed(4)} ms p95 ${z.lookup.p95.toFixed(4)} ms p99 ${z.lookup.p99.toFixed(4)} ms per point; an answer of 7 suggestions p95 ${z.answer.p95.toFixed(4)} ms   (target p95 <= 0.1 ms per answer)`);
  console.log(`bench:delivery-price: zone, distance, verdict, rate and the quote for an order, an answer of 7 suggestions p50 ${z.priced.p50.toFixed(4)} ms p95 ${z.priced.p95.toFixed(4)} ms p99 ${z.priced.p99.toFixed(4)} ms   (target p95 <= 0.1 ms per answer)`);
}

/**
 * The typing figures on both data sets, each address, then the summary lines (their wording is
 * what a reader greps for): one `bench:typing` line per data set, then `bench:typing-lists`.
 */
async function typingSummary(): Promise<void> {
  let wrong = 0;
  let pauses = 0;
  const lines: string[] = [];
  // BENCH_TYPING_DATASETS=generated runs one of them.
  const datasets = (process.env.BENCH_TYPING_DATASETS ?? 'demo,generated').split(',') as Array<'demo' | 'generated'>;
  for (const dataset of datasets) {
    const typing = await benchTyping({ dataset });
    console.log(`\n== typing (${dataset === 'demo' ? "the demo's real index: Moscow from OpenStreetMap, г Байконур from the registry" : 'generated: common street names in 300 settlements, 120 houses a street'}) ==`);
    for (const a of typing.perAddress) console.log(`  ${a.text.padEnd(40)} ${String(a.requests).padStart(2)} requests (DaData's plugin ${String(a.dadata).padStart(2)}), last key → the backend's list ${a.lastKeyToListMs === null ? 'NEVER' : `${a.lastKeyToListMs.toFixed(0)} ms`}`);
    console.log(`  lists laid out while typing that were not the backend's answer for their text: ${typing.wrongWhileTyping} of ${typing.listsWhileTyping}`);
    console.log(`  lists at 1.2 s pauses (word by word) that differ from the backend's: ${typing.wrongAtPauses} of ${typing.pauses}`);
    for (const e of typing.examples) console.log(`    ${e}`);
    console.log(`  typed prefixes that match 20 places or more: ${(typing.crowdedPrefixes * 100).toFixed(0)}%`);
    console.log(`  DaData's default plugin on the same keys: ${typing.dadataRequestsPerAddress.toFixed(1)} requests per address (target: at most half)`);
    // The issue's template, word for word: `bench:typing: <n> requests per address, last key to list p50 <ms> p95 <ms> at a 60 ms backend`.
    lines.push(`bench:typing: ${typing.requestsPerAddress.toFixed(1)} requests per address, last key to list p50 ${typing.lastKeyToList.p50.toFixed(0)} p95 ${typing.lastKeyToList.p95.toFixed(0)} at a 60 ms backend`);
    console.log(`  (${dataset}) ${lines.at(-1)}`);
    wrong += typing.wrongAtPauses + typing.wrongWhileTyping;
    pauses += typing.pauses + typing.listsWhileTyping;
  }
  for (const line of lines) console.log(line);
  console.log(`bench:typing-lists: ${wrong} of ${pauses} lists differ from the backend`);
}

const dir = mkdtempSync(join(tmpdir(), 'amo-address-bench-'));
// The index file the server serves: built here directly, then named in CURRENT (store/index-files.ts).
const indexDir = join(dir, 'index');
const dbPath = join(indexDir, 'addresses-bench.db');
const extractArg = process.argv.indexOf('--extract');
const extract = extractArg > 0 ? process.argv[extractArg + 1] : null;

try {
  // 1. build the index
  const built = performance.now();
  const db = openIndexDatabase(dbPath);
  const index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
  const readExtract = extract ? readerFor(extract) : null;
  if (extract && !readExtract) throw new Error(`cannot read ${extract}: use .csv, .osm, .osm.gz/.bz2 or .osm.pbf`);
  // BENCH_ENTRIES=2000000: generated filler at a real index size (every Russian settlement, more houses a street).
  const wanted = Number(process.env.BENCH_ENTRIES ?? 0);
  const cities = wanted ? (db.prepare("SELECT COUNT(*) AS n FROM places WHERE kind = 'settlement' AND country_code = 'RU'").get() as { n: number }).n : 1000;
  const records = extract ? readExtract!(extract) : generatedAddresses(db, cities, wanted ? Math.ceil(wanted / (cities * 25)) : 8);
  const imported = await importRecords(index, records, extract ? 'import:bench' : 'generated');
  const buildSeconds = (performance.now() - built) / 1000;
  const entries = (db.prepare('SELECT COUNT(*) AS n FROM places').get() as { n: number }).n;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sample = db.prepare("SELECT value FROM places WHERE kind = 'house' ORDER BY random() LIMIT 500").all() as Array<{ value: string }>;
  const prefixes = [...new Set(sample.flatMap(({ value }) => Array.from({ length: value.length - 2 }, (_, i) => value.slice(0, i + 3))))];
  // The same prefixes in-process first, so that HTTP's own cost shows as the difference.
  const inProcess = prefixes.map((q) => {
    const started = performance.now();
    index.search(q, { count: 7 });
    return performance.now() - started;
  });
  db.pragma('journal_mode = DELETE');
  db.close();
  pointCurrentAt(indexDir, 'addresses-bench.db');
  const sizeMb = statSync(dbPath).size / 1024 / 1024;
  console.log(`\n== local index ==`);
  console.log(`entries: ${entries} (${extract ? `extract ${extract}` : 'gazetteer + generated streets/houses'}: ${imported.houses} houses, ${imported.streets} streets)`);
  console.log(`build time: ${buildSeconds.toFixed(1)} s (${Math.round((imported.houses + imported.streets) / buildSeconds).toLocaleString('en')} entries/s), size on disk: ${sizeMb.toFixed(1)} MB`);

  // 2. the server as its own process
  // Request logs stay on (info, as in production) and go nowhere.
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, INDEX_DIR: indexDir, DATABASE_PATH: join(dir, 'store.db'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000', SUGGEST_CACHE_MAX_MB: '1024', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHealth(`http://127.0.0.1:${port}/healthz`);
  const base = `http://127.0.0.1:${port}`;

  const urls = prefixes.map((q) => `${base}/api/address/suggest?q=${encodeURIComponent(q)}&count=7`);
  const misses: number[] = [];
  for (const url of urls) misses.push((await get(url)).ms);
  const hits: number[] = [];
  for (const url of urls) hits.push((await get(url)).ms);
  const rps = await throughput(urls.concat(urls), 8);
  const miss = percentiles(misses);
  const hit = percentiles(hits);
  console.log(`typing replay: ${sample.length} addresses, ${urls.length} distinct prefixes, sequential HTTP on loopback`);
  const local = percentiles(inProcess);
  console.log(`in-process search ms, same prefixes: p50 ${fmt(local.p50)}  p95 ${fmt(local.p95)}  p99 ${fmt(local.p99)}`);
  console.log(`cache miss latency ms: p50 ${fmt(miss.p50)}  p95 ${fmt(miss.p95)}  p99 ${fmt(miss.p99)}   (target p95 <= 5, within 1 ms of in-process)`);
  console.log(`cache hit  latency ms: p50 ${fmt(hit.p50)}  p95 ${fmt(hit.p95)}  p99 ${fmt(hit.p99)}   (target p99 <= 2)`);
  console.log(`throughput, cache hits, 8 in flight: ${rps.toFixed(0)} requests/s   (target >= 2000)`);
  // The same answers with 500 zones × 1,000 vertices on the account (the demo account here): each
  // suggestion is placed in its zone after the cache, so this is what zones cost a cached answer.
  const zonesPut = await fetch(`${base}/api/console/delivery-zones`, { method: 'PUT', headers: { 'content-type': 'application/geo+json' }, body: generatedZones() });
  if (!zonesPut.ok) throw new Error(`zones upload: ${zonesPut.status} ${await zonesPut.text()}`);
  const zoned: number[] = [];
  for (const url of urls) zoned.push((await get(url)).ms);
  const zonedHit = percentiles(zoned);
  console.log(`cache hit  latency ms with 500 zones × 1,000 vertices: p50 ${fmt(zonedHit.p50)}  p95 ${fmt(zonedHit.p95)}  p99 ${fmt(zonedHit.p99)}`);
  await fetch(`${base}/api/console/delivery-zones`, { method: 'DELETE' });

  // BENCH_ONLY=index: the geocoder figures alone (for a big BENCH_ENTRIES run).
  if (process.env.BENCH_ONLY === 'index') {
    server.kill('SIGTERM');
  } else {
    await benchTheRest(base, sample, server);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function benchTheRest(base: string, sample: Array<{ value: string }>, server: ReturnType<typeof spawn>): Promise<void> {
  // 3. widget
  const { dir: widgetDir } = await buildWidget({ backendUrl: base, development: true });
  const script = readFileSync(join(widgetDir, 'script.js'));
  console.log(`\n== widget ==`);
  console.log(`script.js: ${(script.length / 1024).toFixed(1)} KB minified, ${(gzipSync(script).length / 1024).toFixed(1)} KB gzip, jQuery excluded   (target <= 25 KB)`);
  const consoleJs = readFileSync(join(widgetDir, 'console.js'));
  console.log(`console.js (the admin console, loaded on the advanced settings page only): ${(consoleJs.length / 1024).toFixed(1)} KB minified, ${(gzipSync(consoleJs).length / 1024).toFixed(1)} KB gzip`);
  const render = await measureWidgetRender(base, sample.slice(0, 40).map((s) => s.value));
  console.log(`debounce fired -> list laid out, minus backend time, ms: p50 ${fmt(render.layout.p50)}  p95 ${fmt(render.layout.p95)}  p99 ${fmt(render.layout.p99)}  (n=${render.layout.n}; target p95 <= 16)`);
  console.log(`  ... -> next animation frame (adds the wait for vsync), ms: p50 ${fmt(render.frame.p50)}  p95 ${fmt(render.frame.p95)}  p99 ${fmt(render.frame.p99)}`);
  server.kill('SIGTERM');

  // 4. writes
  await benchWrites(dir, await freePort(), waitForHealth);

  // 5. reading one large webhook body
  const form = benchWebhookForm();
  console.log(`\n== webhook form ==\n${form.parameters} parameters (${(form.bytes / 1024).toFixed(0)} KB) read in p50 ${fmt(form.p50)} ms, p95 ${fmt(form.p95)} ms   (target well under 100 ms)`);

  // 6. delivery-zone lookups
  await zonesSummary();

  // 7. cleaning an account's base (10,000 leads of real houses typed by hand)
  console.log(await benchClean());

  // 8. typing in the browser
  await typingSummary();
}
