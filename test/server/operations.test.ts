/**
 * What an operator watches: /metrics in Prometheus' format (only with ADMIN_TOKEN, or on the
 * loopback METRICS_PORT), and /readyz apart from /healthz, each with the reason when not ready.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, startApp, tempDir, widgetToken, type RunningApp } from '../helpers.js';
import { ACCOUNT, eventually, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { freePort, waitForHealth } from '../../scripts/bench/http-load.js';

let env: WriteEnv | undefined;
let app: RunningApp | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await env?.close();
  await app?.close();
  tmp?.cleanup();
  env = app = tmp = undefined;
});

const scrape = async (url: string, token: string | null = ADMIN_TOKEN) => {
  const res = await fetch(`${url}/metrics`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
/** One sample's value, by its name and labels as Prometheus prints them. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('needs ADMIN_TOKEN; counts suggestions by cache, times routes by their pattern, never by the typed text', async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'production', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ADMIN_TOKEN });
    expect((await scrape(app.url, null)).status).toBe(401);
    expect((await scrape(app.url, 'wrong-token-0123456789')).status).toBe(401);
    for (let i = 0; i < 2; i++) await fetch(`${app.url}/api/address/suggest?q=${encodeURIComponent('Самара Авроры')}`);
    const { status, type, text } = await scrape(app.url);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'amo_address_suggestions_total{cache="miss"}')).toBe(1);
    expect(sample(text, 'amo_address_suggestions_total{cache="hit"}')).toBe(1);
    expect(sample(text, 'amo_address_http_request_duration_seconds_count{method="GET",route="/api/address/suggest",status="2xx"}')).toBe(2);
    expect(text).not.toMatch(/Самара|%D0%A1/);
    expect(sample(text, 'amo_address_outbox_items{state="pending"}')).toBe(0);
    expect(sample(text, 'amo_address_outbox_oldest_pending_age_seconds')).toBe(0);
    expect(text).toMatch(/^amo_address_index_bytes\{file="addresses-[^"]+\.db"\} [1-9]\d+$/m);
    expect(sample(text, 'amo_address_index_places{kind="settlement"}')).toBeGreaterThan(1000);
    expect(sample(text, 'amo_address_data_update_running')).toBe(0);
  });

  it('counts amoCRM answers by kind, token refreshes, webhook deliveries and the age of the oldest waiting write', async () => {
    env = await writeEnv({ ADMIN_TOKEN });
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка', custom_fields_values: null });
    env.fake.failNext('status429');
    const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
    const write = await fetch(`${env.app.url}/api/amocrm/leads/${id}/address`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Auth-Token': token }, body: JSON.stringify({ fieldId: 762381, value: 'г Самара, ул Авроры, д 110' }) });
    expect(write.status).toBe(202);
    await eventually(async () => (await env!.app.system.outbox.counts()).done >= 1, 'written');
    const after = (await scrape(env.app.url)).text;
    expect(sample(after, 'amo_address_amocrm_calls_total{result="429"}')).toBe(1);
    expect(sample(after, 'amo_address_amocrm_calls_total{result="ok"}')).toBeGreaterThanOrEqual(2); // the fields, then the PATCH

    // An expired token is refreshed once: counted.
    await env.app.system.store.sql.run('UPDATE accounts SET expires_at = ? WHERE account_id = ?', [Date.now() - 1000, ACCOUNT]);
    await env.app.system.tokens.current(ACCOUNT);
    expect(sample((await scrape(env.app.url)).text, 'amo_address_token_refreshes_total{result="ok"}')).toBe(1);

    // A webhook delivery and its repeat.
    const url = env.app.system.webhookUrls!.destination(ACCOUNT).replace('http://127.0.0.1:1', env.app.url);
    const body = `leads[update][0][id]=${id}&account[id]=${ACCOUNT}&account[subdomain]=acme`;
    for (let i = 0; i < 2; i++) await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const hooks = (await scrape(env.app.url)).text;
    expect(sample(hooks, 'amo_address_webhook_deliveries_total{result="stored"}')).toBe(1);
    expect(sample(hooks, 'amo_address_webhook_deliveries_total{result="duplicate"}')).toBe(1);

    // A write that waits (amoCRM down): its age shows.
    await env.app.system.worker.whenIdle();
    env.fake.failNext(...Array(40).fill('status503'));
    await env.app.system.outbox.enqueue(ACCOUNT, 'subscribe', { mode: 'subscribe' }, Date.now() + 60_000);
    await env.app.system.store.sql.run("UPDATE outbox SET created_at = ? WHERE status = 'pending'", [Date.now() - 90_000]);
    expect(sample((await scrape(env.app.url)).text, 'amo_address_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('METRICS_PORT serves it without a token on 127.0.0.1, and the public port still asks for one', async () => {
    tmp = tempDir();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: String(metricsPort), DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ADMIN_TOKEN },
      stdio: 'ignore',
    });
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`);
      const open = await scrape(`http://127.0.0.1:${metricsPort}`, null);
      expect(open.status).toBe(200);
      expect(open.text).toMatch(/^amo_address_process_resident_memory_bytes \d+/m); // the process figures, on in a real server
      expect((await scrape(`http://127.0.0.1:${port}`, null)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('the dashboard and alert rules in deploy/', () => {
  it('use only metrics the server exports', async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'production', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ADMIN_TOKEN }, { defaultMetrics: true });
    await fetch(`${app.url}/api/address/suggest?q=x`);
    const exported = new Set([...(await scrape(app.url)).text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const files = ['deploy/grafana/amo-address-dashboard.json', 'deploy/prometheus/amo-address-alerts.yml'];
    const used = new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bamo_address_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});

describe('/readyz', () => {
  it('ready when the store writes, the index answers and the disk has room; otherwise not, with the reason', async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'production', DATABASE_PATH: join(tmp.dir, 'db.sqlite') });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true }, index: { ok: true, detail: expect.stringMatching(/^serving addresses-/) }, disk: { ok: true } } });
    // A read-only store (as after a disk fault): not ready, and /healthz says degraded too.
    app.system.db.pragma('query_only = ON');
    const refused = await fetch(`${app.url}/readyz`);
    expect(refused.status).toBe(503);
    const body = await refused.json();
    expect(body.status).toBe('not_ready');
    expect(body.reasons).toEqual([expect.stringMatching(/^cannot write: /)]);
    app.system.db.pragma('query_only = OFF');
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  it('a disk under READY_MIN_FREE_DISK_MB is not ready, and says which and how much is free', async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'production', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), READY_MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) }); // a petabyte
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(503);
    expect((await res.json()).reasons[0]).toMatch(new RegExp(`^${tmp.dir}.* has \\d+ MB free, under the \\d+ MB READY_MIN_FREE_DISK_MB asks`));
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200); // liveness is not readiness
  });
});
