/**
 * npm run bench:gar            (BENCH_GAR_HOUSES, default 1,000,000; BENCH_GAR_REGIONS, default 85)
 * npm run bench:gar -- --generate <out.zip>   writes the generated archive and stops
 *
 * The registry at the scale of a country, on a GENERATED registry-shaped archive
 * (gar-generator.ts; cached in the temp folder by size): the import as an operator runs it
 * (its own process: houses/s, MB/s of XML, peak memory), the index's bytes per house (what the
 * registry adds to a gazetteer-only index), then real-looking typing over HTTP with the answer
 * cache off (a server as its own process). Then the ranking check: the real Байконур region
 * (../shared/gar) imported beside it, each of its houses typed without its city — first with
 * the widget's preferred city, and without any preference where its street's name is rare.
 * The LAST line is exactly:
 * bench:gar: <houses> houses, import <h/s> houses/s <MB/s> MB/s, peak <MB> MB, index <bytes> bytes/house, miss p50 <ms> p95 <ms> p99 <ms>
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureServedIndex } from '../../server/address-data/index-build.js';
import { currentIndexFile } from '../../server/store/index-files.js';
import { generateGarArchive, SHARED_STREET_NAMES, type GeneratedArchive } from './gar-generator.js';
import { fmt, freePort, get, percentiles, waitForHealth } from './http-load.js';

const houses = Number(process.env.BENCH_GAR_HOUSES ?? 1_000_000);
// BENCH_GAR_REGIONS=1: all the houses in one region, as the largest real regions hold millions.
const regionCount = Number(process.env.BENCH_GAR_REGIONS ?? 85);
const generateTo = process.argv.indexOf('--generate') > 0 ? process.argv[process.argv.indexOf('--generate') + 1] : null;
const BAIKONUR = resolve(import.meta.dirname, '../../../shared/gar/gar_xml_99_baikonur_20230626.zip');

async function archive(path: string): Promise<GeneratedArchive> {
  const samplePath = `${path}.sample.json`;
  if (existsSync(path) && existsSync(samplePath)) return JSON.parse(readFileSync(samplePath, 'utf8')) as GeneratedArchive;
  const started = performance.now();
  const generated = await generateGarArchive(path, houses, { regions: regionCount });
  writeFileSync(samplePath, JSON.stringify(generated));
  console.log(`generated ${houses.toLocaleString('en')} houses (GENERATED data, registry-shaped) in ${((performance.now() - started) / 1000).toFixed(0)} s: ${path}, ${(statSync(path).size / 1e6).toFixed(0)} MB zipped`);
  return generated;
}

if (generateTo) {
  await archive(generateTo);
  process.exit(0);
}

const zip = join(tmpdir(), `amo-address-bench-gar-${houses}-${regionCount}.zip`);
const generated = await archive(zip);
const dir = mkdtempSync(join(tmpdir(), 'amo-address-bench-gar-'));
const indexDir = join(dir, 'index');
try {
  ensureServedIndex(indexDir);
  const baseline = statSync(currentIndexFile(indexDir)!).size;
  const env = { ...process.env, INDEX_DIR: indexDir, DATABASE_PATH: join(dir, 'store.db') };
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/import-gar.ts', zip], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`import failed: ${run.stderr}`);
  const summary = run.stdout.trim().split('\n').at(-1)!;
  console.log(summary);
  const m = /([\d,]+) houses in ([\d.]+) s \(([\d,]+) houses\/s, [\d,]+ records\/s, ([\d.]+) MB\/s of XML, peak memory (\d+) MB\)/.exec(summary);
  if (!m) throw new Error(`no summary line in: ${summary}`);
  const imported = Number(m[1].replace(/,/g, ''));
  const bytesPerHouse = (statSync(currentIndexFile(indexDir)!).size - baseline) / imported;

  // Typing over HTTP, the answer cache off: every keystroke is a miss.
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', SUGGEST_CACHE_TTL_SECONDS: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/healthz`);
    const typed = generated.sample.slice(0, 300).map((h) => `${h.city} ${h.street} ${h.house}`);
    const misses: number[] = [];
    let first = 0;
    for (const text of typed) {
      for (let i = 3; i <= text.length; i++) {
        const res = await get(`${base}/api/address/suggest?q=${encodeURIComponent(text.slice(0, i))}&count=7`);
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        misses.push(res.ms);
        if (i === text.length && (JSON.parse(res.body) as { suggestions: Array<{ data: { house: string } }> }).suggestions[0]?.data.house === text.split(' ').at(-1)) first++;
      }
    }
    const p = percentiles(misses);
    console.log(`typing ${typed.length} generated addresses as "settlement street number", keystroke by keystroke (${p.n.toLocaleString('en')} requests, cache off): p50 ${fmt(p.p50)} p95 ${fmt(p.p95)} p99 ${fmt(p.p99)} ms; the right house first when typed in full: ${((100 * first) / typed.length).toFixed(1)}%`);

    // Ranking at the scale of a country: the real Байконур beside the generated houses.
    if (existsSync(BAIKONUR)) {
      const withBaikonur = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-gar.ts', BAIKONUR], { env, encoding: 'utf8' });
      if (withBaikonur.status !== 0) throw new Error(`Байконур import failed: ${withBaikonur.stderr}`);
      await new Promise((r) => setTimeout(r, 1500)); // the server switches to the new build within a second
      const { expectedHouses } = await import('../../test/address-data/gar-fixtures.js');
      const expected = expectedHouses(BAIKONUR);
      const common = new Set(SHARED_STREET_NAMES.map((s) => s.toLowerCase()));
      let preferred = 0;
      let rare = 0;
      let rareFound = 0;
      for (const house of expected) {
        const withoutCity = house.typed.split(', ').slice(1).join(', ');
        const ask = async (extra: string) => (JSON.parse((await get(`${base}/api/address/suggest?q=${encodeURIComponent(withoutCity)}&count=5${extra}`)).body) as { suggestions: Array<{ data: { house_fias_id?: string } }> }).suggestions;
        const withCity = await ask('&city=%D0%91%D0%B0%D0%B9%D0%BA%D0%BE%D0%BD%D1%83%D1%80');
        if (withCity[0]?.data.house_fias_id === house.guid) preferred++;
        else if (process.env.BENCH_VERBOSE) console.log(`not first with city=Байконур: ${withoutCity} → ${JSON.stringify(withCity[0])}`);
        const streetName = withoutCity.split(', ')[0].split(' ').slice(1).join(' ').toLowerCase();
        if (!common.has(streetName)) {
          rare++;
          if ((await ask('')).some((s) => s.data.house_fias_id === house.guid)) rareFound++;
        }
      }
      console.log(`ranking: ${expected.length} Байконур houses typed without the city beside ${imported.toLocaleString('en')} generated houses: first with city=Байконур ${preferred} of ${expected.length} (${((100 * preferred) / expected.length).toFixed(1)}%); with no preference, of the ${rare} on streets whose name the generated country does not share, in the top 5: ${rareFound} (${((100 * rareFound) / Math.max(rare, 1)).toFixed(1)}%)`);
    }
    console.log(`bench:gar: ${imported} houses, import ${m[3].replace(/,/g, '')} houses/s ${m[4]} MB/s, peak ${m[5]} MB, index ${Math.round(bytesPerHouse)} bytes/house, miss p50 ${fmt(p.p50)} p95 ${fmt(p.p95)} p99 ${fmt(p.p99)}`);
  } finally {
    server.kill();
  }
} finally {
  // BENCH_GAR_KEEP=1 keeps the built index for a closer look (its folder is printed).
  if (process.env.BENCH_GAR_KEEP) console.log(`index kept in ${indexDir}`);
  else rmSync(dir, { recursive: true, force: true });
}
