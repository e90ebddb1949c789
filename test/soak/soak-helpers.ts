/** What the soak runs share: the server as its own process, leads with 100 phones, and the exactly-once check. */
import { expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ACCOUNT, eventually, type WriteEnv } from '../writes/write-helpers.js';
import { ADMIN_TOKEN, amoEnv } from '../helpers.js';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';

export const leadsOf = (fake: FakeAmoCrm) => [...fake.entities.get(ACCOUNT)!.leads.values()] as Array<{ name: string; _embedded: { contacts: Array<{ id: number }> } }>;
export const contactsOf = (fake: FakeAmoCrm) => [...fake.entities.get(ACCOUNT)!.contacts.values()];
const phone = (i: number) => `+7 917 555 ${String(1000 + (i % 100)).slice(-4, -2)} ${String(1000 + (i % 100)).slice(-2)}`;
/** Lead i: one of 100 phones; every fifth carries a message (a note). */
export const lead = (i: number) => ({ name: `Клиент ${i % 100}`, phone: phone(i), ...(i % 5 === 0 ? { message: `Заказ ${i}` } : {}) });

/** Every lead name carries its intake id: exactly one lead per intake id, and which contacts exist. */
export function assertExactlyOnce(fake: FakeAmoCrm, ids: string[], distinctPhones: number, notes: number): void {
  const leads = leadsOf(fake);
  expect(leads).toHaveLength(ids.length);
  for (const id of ids) expect(leads.filter((l) => l.name.includes(`[${id}]`))).toHaveLength(1);
  expect(contactsOf(fake)).toHaveLength(distinctPhones);
  const phones = contactsOf(fake).map((c) => JSON.stringify(c.custom_fields_values));
  expect(new Set(phones).size).toBe(distinctPhones);
  expect(fake.notes).toHaveLength(notes);
}

export const children: ChildProcess[] = [];

/** The real server (server/main.ts) as a child process on a free port. */
export async function startServer(e: Pick<WriteEnv, 'fake' | 'dbPath'>, extra: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...amoEnv(e.fake.url, { DATABASE_PATH: e.dbPath, PORT: String(port), LOG_LEVEL: 'warn', AMOCRM_RETRY_BASE_MS: '20', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '50', OUTBOX_MAX_ATTEMPTS: '30', ...extra }) },
    stdio: 'ignore',
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200, 'server up', 30_000);
  return { child, url };
}

export const asAdmin = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

export async function siteKey(url: string): Promise<string> {
  const res = await fetch(`${url}/api/admin/site-keys`, { method: 'POST', headers: asAdmin, body: JSON.stringify({ accountId: ACCOUNT, name: 'shop' }) });
  return (await res.json()).key;
}

export async function outboxCounts(url: string): Promise<Record<string, number>> {
  return (await (await fetch(`${url}/api/status`, { headers: asAdmin })).json()).outbox;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const QUERIES = ['самара авр', 'самара авроры 1', 'самара ленингр', 'самара ленинградская 5', 'самар', 'авроры 11', 'ленинградская', 'самара ул авроры'];

/** A manager typing for `ms`: suggestion requests at a manager's pace, each past the cache; their times in ms. */
export async function typing(url: string, token: string, ms: number): Promise<number[]> {
  const took: number[] = [];
  const until = performance.now() + ms;
  for (let i = 0; performance.now() < until; i++) {
    // A fresh query each time (a suffix digit): the cache must not answer for the index.
    const q = `${QUERIES[i % QUERIES.length]}${i % 3 === 0 ? '' : ` ${i % 97}`}`;
    const started = performance.now();
    const res = await fetch(`${url}/api/address/suggest?q=${encodeURIComponent(q)}`, { headers: { 'X-Auth-Token': token } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    took.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return took;
}

export const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(values.length * q)];
