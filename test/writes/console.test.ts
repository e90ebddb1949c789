/**
 * The admin console's API (/api/console/*) as the widget's advanced settings page calls it in
 * amoCRM: with the disposable token (reference §5), whose account_id is the only account touched
 * and whose is_admin decides who may change anything. Against the fake amoCRM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleChoices, ConsoleState, ConsoleWrites } from '../../contract/api.js';
import { connectAccount, startApp, widgetToken, type RunningApp } from '../helpers.js';
import { ACCOUNT, eventually, postLead, writeEnv, type WriteEnv } from './write-helpers.js';

const OTHER = 36000002;
let env: WriteEnv;

async function call(method: string, path: string, options: { accountId?: number; isAdmin?: boolean; body?: unknown; token?: string | null } = {}) {
  const token = options.token === undefined ? await widgetToken({ accountId: options.accountId ?? ACCOUNT, subdomain: options.accountId === OTHER ? 'other' : 'acme', isAdmin: options.isAdmin ?? true }) : options.token;
  const res = await fetch(`${env.app.url}${path}`, {
    method,
    headers: { ...(token ? { 'X-Auth-Token': token } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}
const state = async (accountId = ACCOUNT, isAdmin = true) => (await call('GET', '/api/console/state', { accountId, isAdmin })).body as ConsoleState;

beforeAll(async () => {
  env = await writeEnv();
  env.fake.addAccount({ id: OTHER, subdomain: 'other', name: 'Other' });
  await connectAccount(env.app, env.fake, OTHER, 'other');
});
afterAll(() => env.close());

describe('the admin console API', () => {
  it('shows the account its token names: connected, writes, site keys, webhook, address book', async () => {
    const s = await state();
    expect(s.account).toMatchObject({ id: ACCOUNT, status: 'connected', subdomain: 'acme', blockedUntil: null, reason: null });
    expect(s.canManage).toBe(true);
    expect(s.writes).toEqual({ pending: 0, done: 0, parked: 0, limit: 2000 });
    expect(s.webhook).toMatchObject({ subscribed: false, queued: false, destination: env.app.system.webhookUrls!.destination(ACCOUNT) });
    expect(s.addressBook).toEqual({ count: 0, import: null });
    expect(s.intakeUrl).toBe('http://127.0.0.1:1/api/leads');
  });

  it('a page polling its state does not ask amoCRM for the webhooks each time', async () => {
    const asked = () => env.fake.count((r) => r.method === 'GET' && r.path === '/api/v4/webhooks');
    await state(OTHER);
    const before = asked();
    for (let i = 0; i < 5; i++) await state(OTHER);
    expect(asked()).toBe(before);
  });

  it('creates a site key shown once, lists it with its last use, and revokes it', async () => {
    const created = await call('POST', '/api/console/site-keys', { body: { name: 'shop.example' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ak_/);
    let listed = (await state()).siteKeys.find((k) => k.id === created.body.id)!;
    expect(listed).toMatchObject({ name: 'shop.example', lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(await state())).not.toContain(created.body.key);
    expect((await postLead(env.app.url, created.body.key, { name: 'Иван', phone: '+79170000001' })).status).toBe(202);
    listed = (await state()).siteKeys.find((k) => k.id === created.body.id)!;
    expect(listed.lastUsedAt).not.toBeNull();
    expect((await call('DELETE', `/api/console/site-keys/${created.body.id}`)).status).toBe(204);
    expect((await state()).siteKeys.find((k) => k.id === created.body.id)!.revokedAt).not.toBeNull();
    expect((await postLead(env.app.url, created.body.key, { name: 'Иван', phone: '+79170000001' })).status).toBe(401);
    expect((await call('POST', '/api/console/site-keys', { body: { name: ' ' } })).body.error).toMatchObject({ code: 'invalid_parameter', field: 'name' });
  });

  it('lists the account’s fields and pipelines, and saves a choice only when amoCRM has it', async () => {
    const choices = (await call('GET', '/api/console/fields')).body as ConsoleChoices;
    expect(choices.fields.leads.find((f) => f.id === 762381)).toMatchObject({ type: 'streetaddress' });
    expect(choices.pipelines.length).toBeGreaterThan(0);
    const wrong = await call('PUT', '/api/console/settings', { body: { fields: { leads: { address: 999 } } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('amoCRM has no leads field 999');
    const pipeline = choices.pipelines[0];
    const saved = await call('PUT', '/api/console/settings', { body: { pipelineId: pipeline.id, statusId: pipeline.statuses[0].id, fields: { leads: { address: 762381 } } } });
    expect(saved.status).toBe(200);
    expect(((await call('GET', '/api/console/fields')).body as ConsoleChoices).settings).toEqual({ pipelineId: pipeline.id, statusId: pipeline.statuses[0].id, fields: { leads: { address: 762381 } } });
  });

  it('subscribes and unsubscribes the account’s webhook in amoCRM', async () => {
    expect((await call('POST', '/api/console/webhook', { body: { subscribed: true } })).status).toBe(202);
    await eventually(async () => (await state()).webhook.subscribed === true, 'subscribed');
    expect(env.fake.webhooks.filter((w) => w.accountId === ACCOUNT)).toHaveLength(1);
    expect((await call('POST', '/api/console/webhook', { body: { subscribed: false } })).status).toBe(202);
    await eventually(async () => (await state()).webhook.subscribed === false, 'unsubscribed');
    expect(env.fake.webhooks.filter((w) => w.accountId === ACCOUNT)).toHaveLength(0);
  });

  it('imports the address book from the account’s cards with progress, and clears it', async () => {
    env.fake.addEntity(ACCOUNT, 'leads', { name: 'A', custom_fields_values: [{ field_id: 762381, values: [{ value: 'г Самара, ул Авроры, д 110' }] }] });
    env.fake.addEntity(ACCOUNT, 'leads', { name: 'B', custom_fields_values: [{ field_id: 762381, values: [{ value: 'г Самара, ул Авроры, д 112' }] }] });
    expect((await call('POST', '/api/console/address-book/import')).status).toBe(202);
    await eventually(async () => (await state()).addressBook.import?.status === 'done', 'imported');
    const s = await state();
    expect(s.addressBook.count).toBeGreaterThanOrEqual(2);
    expect(s.addressBook.import).toMatchObject({ step: 3, of: 3 });
    expect((await call('DELETE', '/api/console/address-book')).body.removed).toBe(s.addressBook.count);
    expect((await state()).addressBook.count).toBe(0);
    expect((await state(OTHER)).addressBook.count).toBe(0);
  });

  it('lists parked writes with their error, retries one and all, and only the account’s own', async () => {
    const { outbox, clock } = env.app.system;
    const mine = (await outbox.enqueue(ACCOUNT, 'subscribe', { mode: 'unsubscribe' }, clock.now())).id;
    await outbox.fail(mine, 'amoCRM refused the field 762385: it was deleted', clock.now(), null);
    const theirs = (await outbox.enqueue(OTHER, 'subscribe', { mode: 'unsubscribe' }, clock.now())).id;
    await outbox.fail(theirs, 'their error', clock.now(), null);
    expect((await state()).writes.parked).toBe(1);
    const parked = (await call('GET', '/api/console/writes')).body as ConsoleWrites;
    expect(parked.items.map((i) => [i.id, i.error])).toEqual([[mine, 'amoCRM refused the field 762385: it was deleted']]);
    expect((await call('POST', `/api/console/writes/${theirs}/retry`)).status).toBe(404);
    expect((await call('POST', `/api/console/writes/${mine}/retry`)).body.retried).toBe(1);
    await outbox.fail(mine, 'again', clock.now(), null);
    expect((await call('POST', '/api/console/writes/retry')).body.retried).toBe(1);
    expect((await outbox.find(theirs))!.status).toBe('parked');
  });

  it('a user who is not an admin sees the state and changes nothing', async () => {
    const s = await state(ACCOUNT, false);
    expect(s.canManage).toBe(false);
    expect(s.account.id).toBe(ACCOUNT);
    // The webhook URL holds the account's secret: only an admin sees it.
    expect(s.webhook.destination).toBeNull();
    expect(s.webhook.subscribed).not.toBeNull();
    const before = (await env.app.system.siteKeys.list(ACCOUNT)).length;
    for (const [method, path, body] of [
      ['POST', '/api/console/site-keys', { name: 'x' }],
      ['DELETE', '/api/console/site-keys/1', undefined],
      ['GET', '/api/console/fields', undefined],
      ['PUT', '/api/console/settings', { fields: {} }],
      ['GET', '/api/console/writes', undefined],
      ['POST', '/api/console/writes/retry', undefined],
      ['POST', '/api/console/webhook', { subscribed: true }],
      ['POST', '/api/console/address-book/import', undefined],
      ['DELETE', '/api/console/address-book', undefined],
    ] as const) {
      const res = await call(method, path, { isAdmin: false, body });
      expect([path, res.status, res.body?.error?.code]).toEqual([path, 403, 'admin_required']);
    }
    expect((await env.app.system.siteKeys.list(ACCOUNT))).toHaveLength(before);
  });

  it('one account’s admin never sees or changes another’s: its key, its writes', async () => {
    const key = (await call('POST', '/api/console/site-keys', { body: { name: 'acme shop' } })).body;
    const other = await state(OTHER);
    expect(other.account.id).toBe(OTHER);
    expect(other.siteKeys.map((k) => k.name)).not.toContain('acme shop');
    expect((await call('DELETE', `/api/console/site-keys/${key.id}`, { accountId: OTHER })).status).toBe(404);
    expect((await env.app.system.siteKeys.list(ACCOUNT)).find((k) => k.id === key.id)!.revokedAt).toBeNull();
  });

  it('refuses a call without a token, and a forged one', async () => {
    expect((await call('GET', '/api/console/state', { token: null })).body.error.code).toBe('auth_required');
    const forged = await widgetToken({ accountId: ACCOUNT, secret: 'not-our-secret-0123456789' });
    expect((await call('GET', '/api/console/state', { token: forged })).status).toBe(401);
  });
});

describe('the console without amoCRM credentials (npm start)', () => {
  let demo: RunningApp;
  beforeAll(async () => {
    demo = await startApp({ NODE_ENV: 'test', DATABASE_PATH: ':memory:' });
  });
  afterAll(() => demo.close());

  it('runs for the demo account: site keys and the address book work, amoCRM parts say why they cannot', async () => {
    const get = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${demo.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    };
    const s = (await get('GET', '/api/console/state')).body as ConsoleState;
    expect(s.account).toMatchObject({ id: 1, status: 'demo' });
    expect(s.connectUrl).toBeNull();
    expect((await get('POST', '/api/console/site-keys', { name: 'demo shop' })).status).toBe(201);
    const fields = await get('GET', '/api/console/fields');
    expect(fields.status).toBe(503);
    expect(fields.body.error.message).toContain('demo mode');
    expect((await get('POST', '/api/console/webhook', { subscribed: true })).body.error.code).toBe('not_configured');
  });
});
