/**
 * npm run bench:delta — what a registry delta of one region costs on a country-size index, and
 * whether suggestions are served throughout. The index: BENCH_DELTA_REGISTRY registry houses
 * (default 5 M, the generated registry-shaped archive of gar-generator.ts) and the OpenStreetMap
 * houses of a generated extract of BENCH_DELTA_OSM_NODES nodes (default 40 M: about 1 M houses,
 * pbf-generator.ts), plus the real region 99 of the django-fias sample (../shared/gar). Built once
 * and kept in the temp folder by size. Then the sample's real deltas of 2022-11-28 and 2022-12-02
 * for region 99 are applied one after the other by `npm run import:gar -- --delta`, each as its own
 * process, while a server on the same index answers a keystroke-like stream of suggestions. The
 * second is the figure: the first may renumber an index written before rows were left gaps (once).
 *
 * Last line: `bench:delta: <registry> registry + <osm> OpenStreetMap houses, delta <s> s, peak <MB> MB,
 * <n> suggestions meanwhile, <failed> failed, max <ms> ms`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateGarArchive } from './gar-generator.js';
import { generateCountryPbf } from './pbf-generator.js';
import { freePort, get, waitForHealth } from './http-load.js';

const REGISTRY = Number(process.env.BENCH_DELTA_REGISTRY ?? 5_000_000);
const OSM_NODES = Number(process.env.BENCH_DELTA_OSM_NODES ?? 40_000_000);
const GAR = resolve(import.meta.dirname, '../../../shared/gar');
const BASE_99 = join(GAR, 'django-fias_fake_gar_99_20221124.zip');
const DELTA_99 = join(GAR, 'django-fias_fake_gar_delta_99_20221128.zip');
const NEXT_DELTA_99 = join(GAR, 'django-fias_fake_gar_delta_99_20221202.zip');

/** The same as `run`, without holding this process's event loop (the suggestions go on meanwhile). */
function runAside(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`${args.join(' ')} failed: ${err.trim().split('\n').at(-1)}`))));
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): string {
  const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`${args.join(' ')} failed: ${out.stderr.trim().split('\n').at(-1)}`);
  return out.stdout.trim().split('\n').at(-1)!;
}

/** The base index (built once per size, kept in the temp folder). */
async function baseIndex(): Promise<string> {
  const dir = join(tmpdir(), `amo-address-bench-delta-${REGISTRY}-${OSM_NODES}`);
  if (existsSync(join(dir, 'index', 'CURRENT'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, INDEX_DIR: join(dir, 'index'), DATABASE_PATH: join(dir, 'store.db'), LOG_LEVEL: 'warn' };
  const zip = join(tmpdir(), `amo-address-bench-gar-${REGISTRY}-85.zip`);
  if (!existsSync(zip)) await generateGarArchive(zip, REGISTRY, { regions: 85 });
  console.log(run(['scripts/import-gar.ts', zip], env));
  const pbf = join(tmpdir(), `amo-address-bench-osm-${OSM_NODES}.osm.pbf`);
  if (!existsSync(pbf)) await generateCountryPbf(pbf, OSM_NODES);
  console.log(run(['scripts/import-addresses.ts', pbf, '--source', 'generated-country'], env));
  console.log(run(['scripts/import-gar.ts', BASE_99], env));
  return dir;
}

const base = await baseIndex();
const dir = mkdtempSync(join(tmpdir(), 'amo-address-bench-delta-run-'));
try {
  cpSync(base, dir, { recursive: true });
  const env = { ...process.env, INDEX_DIR: join(dir, 'index'), DATABASE_PATH: join(dir, 'store.db'), LOG_LEVEL: 'warn' };
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SUGGEST_CACHE_TTL_SECONDS: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(`${url}/healthz`);
    // Keystrokes of a few addresses, one request at a time, for as long as the delta runs.
    const typed = ['байконур школьная', 'генерированск-1 улица ленина 0 1', 'москва тверская 7'];
    const first = await get(`${url}/api/address/suggest?q=${encodeURIComponent(typed[0])}&count=7`);
    if (first.status !== 200) throw new Error(`the server answers ${first.status}: ${first.body.slice(0, 200)}`);
    const t0 = performance.now();
    let running = true;
    let count = 0;
    let failed = 0;
    let max = 0;
    const load = (async () => {
      while (running) {
        for (const text of typed) {
          for (let i = 3; i <= text.length && running; i++) {
            const res = await get(`${url}/api/address/suggest?q=${encodeURIComponent(text.slice(0, i))}&count=7`).catch(() => ({ status: 0, ms: 0 }));
            count++;
            if (res.status !== 200) failed++;
            max = Math.max(max, res.ms);
            if (process.env.BENCH_VERBOSE && res.ms > 100) console.log(`slow: ${res.ms.toFixed(0)} ms at ${((performance.now() - t0) / 1000).toFixed(1)} s: ${text.slice(0, i)}`);
          }
        }
      }
    })();
    let started = performance.now();
    console.log(await runAside(['scripts/import-gar.ts', '--delta', DELTA_99], env));
    // The server looks at CURRENT every second: its switch to this build counts to this delta.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    console.log(`first delta: ${((performance.now() - started) / 1000 - 3).toFixed(1)} s (${count} suggestions meanwhile, ${failed} failed, max ${max.toFixed(0)} ms)`);
    [count, failed, max] = [0, 0, 0];
    started = performance.now();
    const summary = await runAside(['scripts/import-gar.ts', '--delta', NEXT_DELTA_99], env);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    running = false;
    await load;
    console.log(summary);
    const peak = Number(/peak memory (\d+) MB/.exec(summary)?.[1] ?? NaN);
    console.log(`bench:delta: ${REGISTRY} registry + ${OSM_NODES / 40} OpenStreetMap houses, delta ${seconds.toFixed(1)} s, peak ${peak} MB, ${count} suggestions meanwhile, ${failed} failed, max ${max.toFixed(0)} ms`);
  } finally {
    server.kill();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
