/**
 * npm run bench:clean — cleaning an account's base as an admin runs it, measured from outside:
 * the real server as its own process, the fake amoCRM of the tests on loopback (pages of 250,
 * batch PATCH, amoCRM's 7 requests a second enforced), and BENCH_CLEAN_ENTITIES leads (10,000)
 * whose addresses are real Moscow houses (../shared/realdata: data.mos.ru records and
 * OpenStreetMap) typed the way managers type them — no city, abbreviated, a swapped letter, a
 * flat appended, the city first — with some empty and some nowhere.
 *
 * It runs the check, writes every row that will be normalised, then undoes them all, and
 * measures what a user would notice: every lead classified; every written row back to its old
 * value after the undo; the busiest second of amoCRM traffic for the account (never over 7);
 * and, all the while, another account's write-back from the widget timed from its request to
 * amoCRM receiving it (the target: under 2 s). Ends with
 * `bench:clean: <n> entities, dry run <s> s, apply <s> s, <requests> amoCRM requests`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeAmoCrm } from '../../test/fakes/fake-amocrm.js';
import { PIPELINE } from '../../test/fakes/fake-amocrm-entities.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, widgetToken } from '../../test/helpers.js';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import type { CleanJob } from '../../contract/cleaning.js';
import { abbreviated, withTypo } from './typed-mistakes.js';
import { fmt, freePort, percentiles, waitForHealth } from './http-load.js';

const REALDATA = resolve(import.meta.dirname, '../../../shared/realdata');
const FILES = ['bighack-moscow.csv', 'kursovaya-moscow.osm', 'gh-moscow.osm.pbf', 'valhalla-moscow.osm.pbf'];
const CLEANED = 41000001;
const NEIGHBOUR = 41000002;

/** One way a manager typed the house, by `i`; every 40th lead empty, every 50th nowhere. */
function typed(r: AddressRecord, i: number): string | null {
  if (i % 40 === 39) return null;
  if (i % 50 === 49) return `Склад ${i}, спросить Ивана`;
  switch (i % 5) {
    case 0: return `${r.street} ${r.house}`;
    case 1: return abbreviated(r);
    case 2: return withTypo(r, i);
    case 3: return `${r.street} ${r.house} кв ${1 + ((i * 37) % 240)}`;
    default: return `москва, ${r.street.toLowerCase()}, ${r.house}`;
  }
}

export async function benchClean(entities = Number(process.env.BENCH_CLEAN_ENTITIES ?? 10_000)): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'amo-address-clean-'));
  const fake = await new FakeAmoCrm({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI }).start();
  fake.addAccount({ id: CLEANED, subdomain: 'acme', name: 'Acme' });
  fake.addAccount({ id: NEIGHBOUR, subdomain: 'other', name: 'Other' });
  fake.rateLimitPerSecond = 7;
  fake.deliverWebhooks = false;
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_PATH: join(dir, 'db.sqlite'),
      AMOCRM_CLIENT_ID: CLIENT_ID, AMOCRM_CLIENT_SECRET: CLIENT_SECRET, AMOCRM_REDIRECT_URI: REDIRECT_URI, AMOCRM_TEST_BASE_URL: fake.url,
      TOKEN_ENCRYPTION_KEY: 'c'.repeat(64), ADMIN_TOKEN: 'bench-admin-token-0123456789', PUBLIC_URL: `http://127.0.0.1:${port}`, AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: 'false', RATE_LIMIT_PER_MINUTE: '100000', ACCOUNT_WRITE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${base}/healthz`);
    // Real Moscow houses into the running server's index (as `npm run import:addresses` does).
    const houses: AddressRecord[] = [];
    for (const file of FILES) {
      const records: AddressRecord[] = [];
      for await (const r of readerFor(join(REALDATA, file))!(join(REALDATA, file))) records.push(r);
      await importIntoIndex(join(dir, 'index'), records, `import:${file}`);
      houses.push(...records.filter((r) => !r.place && !r.area && r.street && r.house && /[а-яё]/i.test(r.street)));
    }
    for (const [id, sub] of [[CLEANED, 'acme'], [NEIGHBOUR, 'other']] as const) {
      const res = await fetch(`${base}/api/auth/amocrm/callback?code=${fake.issueCode(id)}&referer=${sub}.amocrm.ru`);
      if (res.status !== 200) throw new Error(`connect ${id}: ${res.status}`);
    }
    // The server switches to a new build within a second (it watches the folder): the check
    // starts only once it answers from the last import.
    const probe = await widgetToken({ accountId: CLEANED, isAdmin: true });
    const last = houses.at(-1)!;
    for (let tries = 0; ; tries++) {
      const res = await fetch(`${base}/api/address/suggest?q=${encodeURIComponent(`${last.street} ${last.house}`)}&count=1`, { headers: { 'X-Auth-Token': probe } });
      const top = ((await res.json()) as { suggestions?: Array<{ data: { house: string | null } }> }).suggestions?.[0];
      if (top?.data.house) break;
      if (tries > 100) throw new Error('the server never served the imported houses');
      await new Promise((r) => setTimeout(r, 100));
    }
    const leads: number[] = [];
    for (let i = 0; i < entities; i++) {
      const value = typed(houses[(i * 7) % houses.length], i);
      leads.push(fake.addEntity(CLEANED, 'leads', { name: `Заказ ${i}`, price: 1000 + (i % 50) * 100, pipeline_id: PIPELINE.id, status_id: 6001, created_at: 1_780_000_000 + i, custom_fields_values: value === null ? null : [{ field_id: 762381, values: [{ value }] }] }));
    }
    const admin = await widgetToken({ accountId: CLEANED, isAdmin: true, expiresIn: '2h' });
    const console_ = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/api/console/clean${path}`, { method, headers: { 'X-Auth-Token': admin, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { job: CleanJob };
    };
    const until = async (id: number, status: CleanJob['status']) => {
      for (;;) {
        const { job } = await console_('GET', `/${id}`);
        if (job.status === status) return job;
        if (job.status === 'failed') throw new Error(`the job failed: ${job.error}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    // The neighbour: a manager of another account picks an address every second, all the while.
    const neighbourLead = fake.addEntity(NEIGHBOUR, 'leads', { name: 'Сосед', custom_fields_values: null });
    const neighbour = await widgetToken({ accountId: NEIGHBOUR, subdomain: 'other', isAdmin: true, expiresIn: '2h' });
    const waits: number[] = [];
    let stop = false;
    const neighbourLoop = (async () => {
      for (let n = 0; !stop; n++) {
        const value = `г Москва, ул Неглинная, д ${1 + (n % 30)}`;
        const started = performance.now();
        const res = await fetch(`${base}/api/amocrm/leads/${neighbourLead}/address`, { method: 'POST', headers: { 'X-Auth-Token': neighbour, 'content-type': 'application/json' }, body: JSON.stringify({ fieldId: 762381, value, data: {} }) });
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`neighbour's write-back: ${res.status}`);
        while (!fake.patches.some((p) => p.accountId === NEIGHBOUR && JSON.stringify(p.body).includes(value))) await new Promise((r) => setTimeout(r, 10));
        waits.push(performance.now() - started);
        fake.patches.splice(0, fake.patches.length, ...fake.patches.filter((p) => p.accountId !== NEIGHBOUR));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

    const requestsOf = () => fake.requests.filter((r) => r.accountId === CLEANED && r.path.startsWith('/api/v4/')).length;
    const before = requestsOf();
    let t = performance.now();
    const { job } = await console_('POST', '', { entity: 'leads' });
    const checked = await until(job.id, 'checked');
    const dryRun = (performance.now() - t) / 1000;
    const checkRequests = requestsOf() - before;

    t = performance.now();
    await console_('POST', `/${job.id}/apply`);
    const applied = await until(job.id, 'applied');
    const apply = (performance.now() - t) / 1000;
    const requests = requestsOf() - before;
    const writes = fake.batchPatches;

    // Every written row back: the undo, then each lead read as it was typed.
    t = performance.now();
    await console_('POST', `/${job.id}/undo`);
    const undone = await until(job.id, 'undone');
    const undo = (performance.now() - t) / 1000;
    stop = true;
    await neighbourLoop;
    const back = leads.filter((id, i) => {
      const value = ((fake.entities.get(CLEANED)!.leads.get(id) as { custom_fields_values?: Array<{ values: Array<{ value: string }> }> | null }).custom_fields_values ?? [])[0]?.values[0]?.value ?? null;
      return value === typed(houses[(i * 7) % houses.length], i);
    }).length;

    const w = percentiles(waits);
    console.log('\n== cleaning the base ==');
    console.log(`${entities} leads of real Moscow houses typed by hand: ${JSON.stringify(checked.counts)}; read ${checked.read}`);
    console.log(`dry run ${dryRun.toFixed(1)} s (${checkRequests} list requests, ${(checked.read / dryRun).toFixed(0)} entities/s); apply ${apply.toFixed(1)} s: ${applied.applied} written in ${writes} batch PATCHes, ${applied.skipped} skipped, ${applied.parked} parked; undo ${undo.toFixed(1)} s: ${undone.undone} back, ${back} of ${entities} leads as typed`);
    console.log(`amoCRM: ${requests} requests for the check and the apply, busiest second ${fake.maxPerSecond(CLEANED)} (limit 7), ${fake.rateViolations} refused with 429`);
    console.log(`the neighbour's write-back, request → amoCRM: ${waits.length} writes, p50 ${fmt(w.p50)} ms, p95 ${fmt(w.p95)} ms, max ${fmt(Math.max(...waits))} ms (target < 2,000 ms)`);
    if (checked.read !== entities || back !== entities || fake.maxPerSecond(CLEANED) > 7) throw new Error('the clean bench saw rows unclassified or not undone, or amoCRM over its limit');
    return `bench:clean: ${entities} entities, dry run ${dryRun.toFixed(1)} s, apply ${apply.toFixed(1)} s, ${requests} amoCRM requests`;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchClean());
