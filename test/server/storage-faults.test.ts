/**
 * A full or read-only disk: what cannot be stored is refused with 503 and Retry-After (not a 500),
 * nothing half-written is left, /healthz says degraded and why, and both recover by themselves
 * when the disk does. The full disk is SQLite's own: `max_page_count` makes the file unable to
 * grow, and SQLite answers SQLITE_FULL exactly as on a full disk; `query_only` makes it refuse
 * writes as a read-only file does (SQLITE_READONLY).
 */
import { afterEach, expect, it } from 'vitest';
import { widgetToken } from '../helpers.js';
import { ACCOUNT, createSiteKey, postLead, writeEnv, type WriteEnv } from '../writes/write-helpers.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const health = async () => {
  const res = await fetch(`${env.app.url}/healthz`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
};

it('a full disk: leads are refused with 503 and Retry-After, /healthz is degraded with the reason, and both recover', async () => {
  env = await writeEnv();
  const key = await createSiteKey(env.app);
  await env.app.system.worker.stop();
  const { db } = env.app.system;
  expect((await health()).body).toMatchObject({ status: 'ok', database: { writable: true } });
  const pages = Number(db.pragma('page_count', { simple: true }));
  db.pragma(`max_page_count = ${pages}`);
  let refused: Response | null = null;
  let accepted = 0;
  for (let i = 0; i < 2000 && !refused; i++) {
    const res = await postLead(env.app.url, key, { name: `Клиент ${i}`, phone: '+79270001130', message: 'x'.repeat(500) });
    if (res.status === 202) accepted++;
    else refused = res;
  }
  expect(refused?.status).toBe(503);
  expect(refused!.headers.get('retry-after')).toBe('60');
  const { error } = await refused!.json();
  expect(error.code).toBe('storage_unavailable');
  expect(error.message).toMatch(/Nothing was stored: the disk under its database is full/);
  // Every lead answered 202 is stored with its outbox item; the refused one left nothing.
  expect((await env.app.system.outbox.counts()).pending).toBe(accepted);

  const degraded = await health();
  expect(degraded.status).toBe(503);
  expect(degraded.retryAfter).toBe('60');
  expect(degraded.body).toMatchObject({ status: 'degraded', database: { writable: false } });
  expect(degraded.body.reason).toMatch(/disk under its database is full/);

  db.pragma('max_page_count = 1073741823');
  expect((await health()).body.status).toBe('ok'); // the check's own small write went through
  expect((await postLead(env.app.url, key, { name: 'После', phone: '+79270001131' })).status).toBe(202);
  expect(env.app.logs.text).not.toContain('unhandled error'); // each refusal was an answer, never a crash
});

it('a read-only database: 503 storage_unavailable for writes, suggestions still answer', async () => {
  env = await writeEnv();
  const key = await createSiteKey(env.app);
  await env.app.system.worker.stop();
  const accepted = await postLead(env.app.url, key, { name: 'Пётр', phone: '+79270001132' });
  const { id } = (await accepted.json()) as { id: string };
  // The key's last use is long ago: reading with it would note a use — a write the disk refuses.
  env.app.system.db.prepare('UPDATE site_keys SET last_used_at = 0').run();
  env.app.system.db.pragma('query_only = 1');
  const status = await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } });
  expect(status.status).toBe(200); // a read stays a read: the use is noted best-effort
  const res = await postLead(env.app.url, key, { name: 'Иван', phone: '+79270001130' });
  expect(res.status).toBe(503);
  expect((await res.json()).error.message).toMatch(/read-only/);
  expect((await health()).body.reason).toMatch(/read-only/);
  const suggest = await fetch(`${env.app.url}/api/address/suggest?q=${encodeURIComponent('самара авроры')}`, { headers: { 'X-Auth-Token': await widgetToken({ accountId: ACCOUNT }) } });
  expect(suggest.status).toBe(200);
  env.app.system.db.pragma('query_only = 0');
  expect((await health()).status).toBe(200);
});
