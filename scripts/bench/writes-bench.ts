/**
 * The write side, against the fake amoCRM of the tests (loopback, amoCRM's 7/s limit enforced):
 *  - intake: requests accepted per second and time-to-202, for an account amoCRM has blocked
 *    (so nothing drains meanwhile: the accept path alone; site keys exist only for connected
 *    accounts);
 *  - webhooks: time-to-200;
 *  - outbox drain: API calls per second while sending leads, against our limiter's ceiling and
 *    amoCRM's limit.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FakeAmoCrm } from '../../test/fakes/fake-amocrm.js';
import { webhookBody } from '../../test/fakes/fake-amocrm-entities.js';
import { WebhookUrls } from '../../server/intake/webhook-urls.js';
import { fmt, percentiles } from './http-load.js';

const CREDS = { clientId: '3f1c2f5e-7a2b-4c1d-9e8f-0a1b2c3d4e5f', clientSecret: 'bench-client-secret-0123456789abcdef', redirectUri: 'https://amo-address.example.test/api/auth/amocrm/callback' };
const ADMIN = 'bench-admin-token-0123456789';
const CONNECTED = 40000001;
const WAITING = 40000002;

async function timed(send: () => Promise<Response>, expected: number): Promise<number> {
  const started = performance.now();
  const res = await send();
  await res.arrayBuffer();
  if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}`);
  return performance.now() - started;
}

async function run<T>(count: number, concurrency: number, one: (i: number) => Promise<T>): Promise<{ results: T[]; seconds: number }> {
  const results: T[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await one(i);
    }
  }));
  return { results, seconds: (performance.now() - started) / 1000 };
}

export async function benchWrites(dir: string, port: number, waitForHealth: (url: string) => Promise<void>, ratePerSecond = 6): Promise<void> {
  const fake = await new FakeAmoCrm(CREDS).start();
  fake.addAccount({ id: CONNECTED, subdomain: 'acme', name: 'Acme' });
  fake.addAccount({ id: WAITING, subdomain: 'later', name: 'Later' });
  fake.rateLimitPerSecond = 7;
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), DATABASE_PATH: join(dir, 'writes.db'),
      AMOCRM_CLIENT_ID: CREDS.clientId, AMOCRM_CLIENT_SECRET: CREDS.clientSecret, AMOCRM_REDIRECT_URI: CREDS.redirectUri, AMOCRM_TEST_BASE_URL: fake.url,
      TOKEN_ENCRYPTION_KEY: 'b'.repeat(64), ADMIN_TOKEN: ADMIN, INTAKE_RATE_LIMIT_PER_MINUTE: '1000000', OUTBOX_MAX_PENDING_PER_ACCOUNT: '100000', WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000', AMOCRM_RATE_PER_SECOND: String(ratePerSecond), OUTBOX_POLL_MS: '50',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${base}/healthz`);
    const admin = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const keyFor = async (accountId: number) => (await (await admin('/api/admin/site-keys', { accountId, name: 'bench' })).json()).key as string;
    for (const [id, sub] of [[WAITING, 'later'], [CONNECTED, 'acme']] as const) {
      const connect = await fetch(`${base}/api/auth/amocrm/callback?code=${fake.issueCode(id)}&referer=${sub}.amocrm.ru`);
      if (connect.status !== 200) throw new Error(`connect failed: ${connect.status}`);
    }
    fake.blocked.add(WAITING); // its first send meets the block page and pauses it: its leads wait
    const waitingKey = await keyFor(WAITING);
    const connectedKey = await keyFor(CONNECTED);
    const post = (key: string, i: number, phones: number) => () =>
      fetch(`${base}/api/leads`, { method: 'POST', headers: { 'X-Api-Key': key, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Клиент ${i}`, phone: `+7917${String(1000000 + (i % phones)).slice(-7)}`, address: 'Самара, Авроры 110', message: `Заказ ${i}` }) });

    // intake accept path
    const intake = await run(2000, 8, (i) => timed(post(waitingKey, i, 500), 202));
    const accept = percentiles(intake.results);
    console.log(`\n== writes ==`);
    console.log(`intake: 2000 leads, 8 in flight: ${(2000 / intake.seconds).toFixed(0)} accepted/s, time-to-202 ms p50 ${fmt(accept.p50)}  p95 ${fmt(accept.p95)}  p99 ${fmt(accept.p99)}`);

    // webhooks (connected account; values already normal, so no write follows)
    const hookUrl = new WebhookUrls(CREDS.clientSecret, base).destination(CONNECTED);
    const hooks = await run(1000, 8, (i) =>
      timed(() => fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: webhookBody(CONNECTED, 'acme', 'leads', 'update', [{ id: 100000 + i, name: `L${i}`, custom_fields_values: [{ field_id: 762381, values: [{ value: 'Самара' }] }] }]) }), 200),
    );
    const hook = percentiles(hooks.results);
    console.log(`webhooks: 1000 events, 8 in flight: ${(1000 / hooks.seconds).toFixed(0)}/s, time-to-200 ms p50 ${fmt(hook.p50)}  p95 ${fmt(hook.p95)}  p99 ${fmt(hook.p99)}   (amoCRM waits at most 2 s)`);

    // outbox drain against the 7/s limit
    await new Promise((r) => setTimeout(r, 3000)); // let the webhook items settle
    const before = fake.requests.length;
    await run(60, 4, (i) => timed(post(connectedKey, i, 12), 202));
    const started = Date.now();
    while (fake.entities.get(CONNECTED)!.leads.size < 60 && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 100));
    const calls = fake.requests.slice(before).filter((r) => r.path.startsWith('/api/v4/'));
    const span = (calls.at(-1)!.at - calls[0].at) / 1000;
    const rate = (calls.length - 1) / span;
    console.log(`outbox drain: 60 leads (12 contacts, 60 notes) = ${calls.length} API calls in ${span.toFixed(1)} s = ${rate.toFixed(2)} calls/s; our ceiling ${ratePerSecond}/s (${((rate / ratePerSecond) * 100).toFixed(0)}%), amoCRM's limit 7/s: busiest second ${fake.maxPerSecond(CONNECTED)}, 429s for rate ${fake.rateViolations}`);
  } finally {
    server.kill('SIGTERM');
    await fake.stop();
  }
}
