import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { FakeProviders } from '../fakes/fake-providers.js';
import { ADMIN_TOKEN, amoEnv, connectAccount, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, startApp, tempDir, widgetToken, type RunningApp } from '../helpers.js';

const ACME = 34000001;
const OTHER = 34000002;
const NOT_CONNECTED = 34000003;
const amo = new FakeAmoCrm({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
const providers = new FakeProviders();
let app: RunningApp;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  await amo.start();
  await providers.start();
  amo.addAccount({ id: ACME, subdomain: 'acme', name: 'Acme' });
  amo.addAccount({ id: OTHER, subdomain: 'other', name: 'Other' });
});
afterAll(async () => {
  await amo.stop();
  await providers.stop();
});

/** Whether `app` is running (started by start(), closed after each test). */
let running = false;
async function start(extra: Record<string, string> = {}) {
  running = true;
  tmp = tempDir();
  app = await startApp(amoEnv(amo.url, { DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ...extra }));
  await connectAccount(app, amo, ACME, 'acme');
  await connectAccount(app, amo, OTHER, 'other');
}
afterEach(async () => {
  if (!running) return;
  running = false;
  await app.close();
  tmp.cleanup();
});

const get = async (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { headers });
const suggestAs = async (accountId: number, q: string, subdomain = 'acme') => {
  const res = await get(`/api/address/suggest?q=${encodeURIComponent(q)}`, { 'X-Auth-Token': await widgetToken({ accountId, subdomain }) });
  expect(res.status).toBe(200);
  return (await res.json()).suggestions as Array<{ value: string; source: string }>;
};

describe('disposable token (X-Auth-Token)', () => {
  beforeEach(() => start());
  const now = Math.floor(Date.now() / 1000);
  const table: Array<[string, () => Promise<string | null>, number, string]> = [
    ['valid', () => widgetToken({ accountId: ACME }), 200, ''],
    ['missing', async () => null, 401, 'auth_required'],
    ['expired', () => widgetToken({ accountId: ACME, expiresIn: now - 60 }), 401, 'token_expired'],
    ['not yet valid', () => widgetToken({ accountId: ACME, notBefore: now + 600 }), 401, 'invalid_token'],
    ['forged (other secret)', () => widgetToken({ accountId: ACME, secret: 'someone-elses-secret-123456' }), 401, 'invalid_token'],
    ['wrong audience', () => widgetToken({ accountId: ACME, audience: 'https://evil.test' }), 401, 'invalid_token'],
    ['another integration', () => widgetToken({ accountId: ACME, clientUuid: '00000000-0000-4000-8000-000000000000' }), 401, 'invalid_token'],
    ['account not connected', () => widgetToken({ accountId: NOT_CONNECTED }), 409, 'account_not_connected'],
    ['garbage', async () => 'not.a.jwt', 401, 'invalid_token'],
  ];
  it.each(table)('%s → %s', async (_name, make, status, code) => {
    const token = await make();
    const res = await get(`/api/address/suggest?q=${encodeURIComponent('Самар')}`, token ? { 'X-Auth-Token': token } : {});
    expect(res.status).toBe(status);
    if (code) expect((await res.json()).error.code).toBe(code);
  });

  it('allows anonymous calls when AMOCRM_AUTH_REQUIRED=false', async () => {
    await app.close();
    await start({ AMOCRM_AUTH_REQUIRED: 'false' });
    expect((await get(`/api/address/suggest?q=${encodeURIComponent('Самар')}`)).status).toBe(200);
  });
});

describe('CORS', () => {
  beforeEach(() => start());
  it.each(['https://acme.amocrm.ru', 'https://shop.kommo.com', 'https://x.amocrm.com', 'http://localhost:3000'])('allows %s with X-Auth-Token', async (origin) => {
    const res = await fetch(`${app.url}/api/address/suggest?q=x`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-auth-token' } });
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-auth-token');
  });
  it.each(['https://evil.test', 'http://acme.amocrm.ru', 'https://acme.amocrm.ru.evil.test'])('refuses %s', async (origin) => {
    const res = await fetch(`${app.url}/api/address/suggest?q=x`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('input validation', () => {
  // One app for the whole table: each row only reads.
  let shared: RunningApp;
  let sharedTmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    sharedTmp = tempDir();
    shared = await startApp(amoEnv(amo.url, { DATABASE_PATH: join(sharedTmp.dir, 'db.sqlite'), AMOCRM_AUTH_REQUIRED: 'false' }));
  });
  afterAll(async () => {
    await shared.close();
    sharedTmp.cleanup();
  });
  const getShared = (path: string) => fetch(`${shared.url}${path}`);
  const bad: Array<[string, string]> = [
    ['', 'q'],
    ['q=', 'q'],
    ['q=%20%20%20', 'q'],
    [`q=${'а'.repeat(301)}`, 'q'],
    ['q=abc%00def', 'q'],
    ['q=abc%1Bdef', 'q'],
    ['q=a&q=b', 'q'],
    ['q=abc&count=0', 'count'],
    ['q=abc&count=21', 'count'],
    ['q=abc&count=seven', 'count'],
    ['q=abc&count=2.5', 'count'],
    ['q=abc&language=de', 'language'],
    [`q=abc&city=${'x'.repeat(101)}`, 'city'],
  ];
  it.each(bad)('?%s → 400 naming "%s"', async (query, field) => {
    const res = await getShared(`/api/address/suggest?${query}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'invalid_parameter', field });
    expect(body.error.message).toContain(`"${field}"`);
  });
  it('ignores unknown parameters and trims q', async () => {
    const res = await getShared(`/api/address/suggest?q=${encodeURIComponent('  Самар ')}&count=2&foo=bar`);
    expect(res.status).toBe(200);
    const { suggestions } = await res.json();
    expect(suggestions).toHaveLength(2);
    expect(suggestions[0].value).toBe('г Самара');
  });
});

describe('ranking and the account address book', () => {
  beforeEach(() => start());
  it('an account’s own recent address comes first for it and never appears for another account', async () => {
    const token = await widgetToken({ accountId: ACME });
    const remember = await fetch(`${app.url}/api/address/remember`, {
      method: 'POST',
      headers: { 'X-Auth-Token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'Самара, ул Садовая, д 12, кв 4', data: { city: 'Самара', street: 'ул Садовая', house: '12', flat: '4' }, source: 'local' }),
    });
    expect(remember.status).toBe(204);
    const mine = await suggestAs(ACME, 'Самар');
    expect(mine[0]).toMatchObject({ value: 'Самара, ул Садовая, д 12, кв 4', source: 'account' });
    expect(mine[1].value).toBe('г Самара');
    const theirs = await suggestAs(OTHER, 'Самар', 'other');
    expect(theirs.map((s) => s.value)).not.toContain('Самара, ул Садовая, д 12, кв 4');
    expect(theirs[0].value).toBe('г Самара');
  });

  it('imports the addresses already in the account’s leads and contacts from amoCRM', async () => {
    amo.addEntity(ACME, 'leads', { name: 'Заказ 1', custom_fields_values: [{ field_id: 762381, values: [{ value: 'Тольятти, ул Юбилейная, д 31' }] }] });
    amo.addEntity(ACME, 'contacts', { name: 'Иван', custom_fields_values: [{ field_id: 762391, values: [{ value: 'Тольятти, Приморский б-р, д 2' }] }, { field_id: 5, values: [{ value: 'Тольятти, не адрес' }] }] });
    amo.addEntity(ACME, 'contacts', { name: 'Пётр', custom_fields_values: null });
    const res = await fetch(`${app.url}/api/admin/accounts/${ACME}/import-addresses`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).imported).toEqual({ leads: 1, contacts: 1, companies: 0 });
    const values = (await suggestAs(ACME, 'Тольятти')).map((s) => s.value);
    expect(values).toEqual(expect.arrayContaining(['Тольятти, ул Юбилейная, д 31', 'Тольятти, Приморский б-р, д 2']));
    expect(values).not.toContain('Тольятти, не адрес');
    expect((await suggestAs(OTHER, 'Тольятти', 'other')).map((s) => s.value)).not.toContain('Тольятти, ул Юбилейная, д 31');
  });

  it('the disconnect hook forgets the account’s book', async () => {
    await app.system.addresses.remember(ACME, { value: 'Самара, ул Садовая, д 12' });
    expect((await app.system.book.search(ACME, 'Самара Садовая', 5)).map((s) => s.value)).toEqual(['Самара, ул Садовая, д 12']);
    const signature = createHmac('sha256', CLIENT_SECRET).update(`${CLIENT_ID}|${ACME}`).digest('hex');
    const hook = await fetch(`${app.url}/api/amocrm/integration/disconnect?client_uuid=${CLIENT_ID}&account_id=${ACME}&signature=${signature}`);
    expect(hook.status).toBe(200);
    expect((await app.system.book.search(ACME, 'Самара Садовая', 5))).toEqual([]);
    expect((await get(`/api/address/suggest?q=abc`, { 'X-Auth-Token': await widgetToken({ accountId: ACME }) })).status).toBe(409);
  });
});

describe('cache and rate limit', () => {
  it('answers a repeated query from the cache without asking the provider again', async () => {
    await start({ GEOCODER: 'photon', PHOTON_URL: providers.url, AMOCRM_AUTH_REQUIRED: 'false' });
    providers.mode = 'ok';
    const before = providers.callsTo('photon');
    const first = await (await get(`/api/address/suggest?q=${encodeURIComponent('Самара Авроры')}`)).json();
    const second = await (await get(`/api/address/suggest?q=${encodeURIComponent('самара   авроры')}`)).json();
    expect(providers.callsTo('photon')).toBe(before + 1);
    expect(second).toEqual(first);
    await get(`/api/address/suggest?q=${encodeURIComponent('Самара Авроры')}&count=3`);
    expect(providers.callsTo('photon')).toBe(before + 2); // other options: another entry
  });

  it('limits each account separately with 429 and Retry-After', async () => {
    await start({ RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) await suggestAs(ACME, `Сам${i}`);
    const limited = await get(`/api/address/suggest?q=abc`, { 'X-Auth-Token': await widgetToken({ accountId: ACME }) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect((await suggestAs(OTHER, 'Сам', 'other')).length).toBeGreaterThan(0);
  });
});
