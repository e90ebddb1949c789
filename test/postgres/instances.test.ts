/**
 * Three instances of the server on one PostgreSQL (a real server: scripts/postgres-cluster.ts),
 * each its own composed system with its own pool, HTTP server, outbox worker and limiter, as
 * three processes would be. What one process could hold in memory must hold across all three.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { amoEnv, connectAccount, startApp, startFakeAmo, tempDir, widgetToken, type RunningApp } from '../helpers.js';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { REFRESH_MARGIN_MS } from '../../server/amo/token-service.js';
import { OutboxRepository } from '../../server/store/outbox-repository.js';
import { PostgresSql } from '../../server/store/postgres/postgres-sql.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import type { OutboxJobs } from '../../server/outbox/jobs.js';
import { ACCOUNT, createSiteKey, eventually, FAST_RETRIES, fieldValue, postLead } from '../writes/write-helpers.js';
import { addressField, handTyped, importRealHouses } from '../cleaning/clean-helpers.js';
import type { CleanJob } from '../../contract/cleaning.js';
import { freshDatabase, postgresUrl } from './databases.js';
import { SAMARA_ZONES } from '../delivery/samara-zones.js';

describe.skipIf(!postgresUrl)('several instances on one PostgreSQL', () => {
  let fake: FakeAmoCrm;
  let databaseUrl: string;
  const tmp = tempDir();
  const instances: RunningApp[] = [];

  beforeAll(async () => {
    fake = await startFakeAmo({ id: ACCOUNT, subdomain: 'acme', name: 'Acme' });
    databaseUrl = await freshDatabase();
    for (let i = 0; i < 3; i++) {
      instances.push(await startApp(amoEnv(fake.url, { DATABASE_URL: databaseUrl, DATABASE_PATH: join(tmp.dir, `index-${i}.db`), PUBLIC_URL: 'http://127.0.0.1:1', INTAKE_RATE_LIMIT_PER_MINUTE: '20', ...FAST_RETRIES })));
    }
    await connectAccount(instances[0], fake, ACCOUNT);
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await fake.stop();
    tmp.cleanup();
  });

  it('an account connected through one instance is connected on all of them, with one copy of its tokens', async () => {
    for (const app of instances) expect((await app.system.accounts.find(ACCOUNT))?.status).toBe('connected');
    const health = await (await fetch(`${instances[2].url}/healthz`)).json();
    expect(health.database).toEqual({ ok: true, writable: true, schemaVersion: '0006_clean_jobs' });
  });

  it('100 concurrent calls over 3 instances at expiry cause exactly one refresh', async () => {
    const { sql } = instances[0].system.store;
    await sql.run('UPDATE accounts SET expires_at = ? WHERE account_id = ?', [Date.now() + REFRESH_MARGIN_MS - 1000, ACCOUNT]);
    const before = fake.refreshCount();
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => instances[i % 3].system.tokens.current(ACCOUNT).then((a) => a.accessToken)));
    expect(fake.refreshCount() - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect((await instances[1].system.accounts.find(ACCOUNT))!.accessToken).toBe(tokens[0]);
    // …and the account is still connected: no instance spent the rotated refresh token again.
    expect(await instances[2].system.accounts.status(ACCOUNT)).toBe('connected');
  });

  it('leads with one phone (or one e-mail) posted to different instances at once make one contact', async () => {
    const key = await createSiteKey(instances[0]);
    const phones = ['+7 917 000 11 22', '+7 917 000 33 44', '+7 917 000 55 66'];
    const answers = await Promise.all(Array.from({ length: 18 }, (_, i) => postLead(instances[i % 3].url, key, { name: `Клиент ${i}`, phone: phones[i % 3] })));
    for (const res of answers) expect(res.status).toBe(202);
    const leads = () => [...(fake.entities.get(ACCOUNT)?.leads.values() ?? [])];
    await eventually(() => leads().length >= 18, 'all 18 leads sent', 30_000);
    await Promise.all(instances.map((app) => app.system.worker.whenIdle()));
    expect(leads()).toHaveLength(18);
    expect([...fake.entities.get(ACCOUNT)!.contacts.values()]).toHaveLength(3);

    // Different phones, one e-mail: found by e-mail, so one contact as well.
    const key2 = await createSiteKey(instances[2]); // (the first key used 18 of its 20 a minute)
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => postLead(instances[i % 3].url, key2, { name: `Почта ${i}`, phone: `+7 917 100 20 3${i}`, email: 'Shop@Example.ru' })));
    for (const res of more) expect(res.status).toBe(202);
    await eventually(() => leads().length >= 24, 'the 6 more leads sent', 30_000);
    expect([...fake.entities.get(ACCOUNT)!.contacts.values()]).toHaveLength(4);
  });

  it('a site’s lead limit is one limit for all instances together', async () => {
    const key = await createSiteKey(instances[1]);
    const answers = await Promise.all(Array.from({ length: 26 }, (_, i) => postLead(instances[i % 3].url, key, { name: `Лимит ${i}`, phone: '+7 917 000 99 88' })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
  });

  it('an address picked through one instance is suggested first by the others at once, despite their caches', async () => {
    const ask = (app: RunningApp) => app.system.addresses.suggest(ACCOUNT, 'Самара Авроры 1', { count: 5, language: 'ru' }).then((a) => a.suggestions.map((s) => s.value));
    const cachedBefore = await ask(instances[1]);
    expect((await instances[1].system.addresses.suggest(ACCOUNT, 'Самара Авроры 1', { count: 5, language: 'ru' })).cached).toBe(true);
    await instances[0].system.addresses.remember(ACCOUNT, { value: 'Самара, ул Авроры, д 150' });
    await eventually(async () => (await ask(instances[1]))[0] === 'Самара, ул Авроры, д 150', 'instance 2 hears of the new address', 5_000);
    expect(cachedBefore[0]).not.toBe('Самара, ул Авроры, д 150');
  });

  it('delivery zones uploaded through one instance place the answers of the others at once; and their removal', async () => {
    const zoneOf = async (app: RunningApp) => ((await app.system.zones.annotate(ACCOUNT, [{ data: { lon: 50.192, lat: 53.1867, house: '110' } }]))[0].data as { delivery_zone?: { name: string } | null }).delivery_zone;
    expect(await zoneOf(instances[1])).toBeUndefined(); // compiled (empty) and kept by instance 2
    await instances[0].system.zones.replace(ACCOUNT, Buffer.from(SAMARA_ZONES), { allowSelfCrossing: false });
    await eventually(async () => (await zoneOf(instances[1]))?.name === 'Авроры', 'instance 2 hears of the zones', 5_000);
    await instances[2].system.zones.clear(ACCOUNT);
    await eventually(async () => (await zoneOf(instances[1])) === undefined, 'instance 2 hears the zones were removed', 5_000);
    expect((await instances[1].system.zones.get(ACCOUNT))!.version).toBe(2); // one row, written whole, twice
  });

  it('two workers claiming at once never win the same item (FOR UPDATE SKIP LOCKED)', async () => {
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: databaseUrl, max: 2 }));
    try {
      const [a, b] = pools.map((pool) => new OutboxRepository<OutboxJobs>(new PostgresSql(pool)));
      const now = Date.now() + 10 * 60_000; // later than anything the instances' own workers would claim now
      const ours = new Set<number>();
      for (let i = 0; i < 200; i++) ours.add((await a.enqueue(ACCOUNT, 'subscribe', { mode: 'subscribe' }, now)).id);
      const claimed: number[] = [];
      for (let round = 0; round < 10; round++) {
        const [x, y] = await Promise.all([a.claim(now, 60_000, 25), b.claim(now, 60_000, 25)]);
        claimed.push(...x.map((i) => i.id), ...y.map((i) => i.id));
      }
      // (Leads the instances are still sending are due too and may be among them.)
      expect(claimed.filter((id) => ours.has(id))).toHaveLength(200);
      expect(new Set(claimed).size).toBe(claimed.length);
      await pools[0].query("UPDATE outbox SET status = 'done' WHERE kind = 'subscribe'");
      // Leads claimed here with a lease ten minutes ahead go back to the instances (held, they
      // would count as the account's items in flight and stall its queue for the tests after).
      await pools[0].query("UPDATE outbox SET lease_until = NULL WHERE status = 'pending' AND id = ANY($1::bigint[])", [claimed.filter((id) => !ours.has(id))]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('a clean job runs its turns on whichever instance is free, and writes each lead once; one instance stopping midway loses nothing', async () => {
    for (const app of instances) await importRealHouses(app);
    const houses = (await importRealHouses(instances[0])).slice(0, 60);
    const ids = Array.from({ length: 300 }, (_, i) => fake.addEntity(ACCOUNT, 'leads', { name: 'Заказ', custom_fields_values: addressField(handTyped(houses[i % houses.length], 'noCity', i)) }));
    const admin = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
    const call = (app: RunningApp, method: string, path: string, body?: unknown) =>
      fetch(`${app.url}/api/console/clean${path}`, { method, headers: { 'X-Auth-Token': admin, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
    const job = (await call(instances[0], 'POST', '', { entity: 'leads' })).job as CleanJob;
    const status = async (app: RunningApp) => ((await call(app, 'GET', `/${job.id}`)).job as CleanJob);
    await eventually(async () => (await status(instances[1])).status === 'checked', 'checked', 120_000);
    expect((await status(instances[2])).counts.normalise).toBe(300);
    fake.latencyMs = 40; // a batch in flight long enough to stop an instance under it
    const patchedBefore = fake.patches.length;
    await call(instances[2], 'POST', `/${job.id}/apply`);
    await eventually(async () => (await status(instances[0])).done > 0, 'apply under way', 60_000);
    const running = await status(instances[1]);
    expect(running.etaSeconds).not.toBeNull();
    await instances[2].system.worker.stop(); // as an instance going down: its turn ends, another picks the job up
    await eventually(async () => (await status(instances[0])).status === 'applied', 'applied', 120_000);
    instances[2].system.worker.start();
    fake.latencyMs = 0;
    const writes = fake.patches.slice(patchedBefore).map((p) => p.id);
    expect(new Set(writes).size).toBe(300);
    expect(writes).toHaveLength(300); // none twice
    expect((await status(instances[2])).applied).toBe(300);
    for (const id of ids) expect(fieldValue(fake.entities.get(ACCOUNT)!.leads.get(id), 762381)).toMatch(/^г Москва, /);
  }, 300_000);
});

const runScript = (file: string, env: Record<string, string>) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, out: run.stdout + run.stderr };
};

describe.skipIf(!postgresUrl)('PostgreSQL migrations', () => {
  it('`npm run migrate` applies them; a server on a newer schema refuses to start, in words', async () => {
    const url = await freshDatabase();
    const tmp = tempDir();
    try {
      const env = { DATABASE_URL: url, DATABASE_PATH: join(tmp.dir, 'index.db') };
      expect(runScript('scripts/migrate.ts', env)).toMatchObject({ status: 0, out: expect.stringContaining('applied 0001_initial') });
      expect(runScript('scripts/migrate.ts', env).out).toContain('up to date');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("INSERT INTO pgmigrations (name, run_on) VALUES ('0002_next_release', now())");
      await client.end();
      const server = runScript('server/main.ts', { ...env, PORT: '0' });
      expect(server.status).toBe(2);
      expect(server.out).toMatch(/migrated by a newer release \(0002_next_release unknown to this one\)/);
      expect(runScript('scripts/migrate.ts', env).status).toBe(2);
    } finally {
      tmp.cleanup();
    }
  });

  it('run once, are idempotent, and a database migrated by a newer release is refused', async () => {
    const url = await freshDatabase();
    expect(await migratePostgres(url)).toEqual(['0001_initial', '0002_intake_idempotency', '0003_delivery_zones', '0004_site_key_origins', '0005_delivery_pricing', '0006_clean_jobs']);
    expect(await migratePostgres(url)).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO pgmigrations (name, run_on) VALUES ('9999_from_the_future', now())");
    await client.end();
    await expect(migratePostgres(url)).rejects.toThrow(/newer release \(9999_from_the_future/);
  });
});
