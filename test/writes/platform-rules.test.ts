/**
 * amoCRM's platform rules that the first fake could not show (reference §6–§8, each rule's
 * source is in the fake's comments): one account can never touch another, write-back only to an
 * entity's own address fields, a 403 is not always a block, webhook payloads as amoCRM sends
 * them, every kind of address field, a renamed account host.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, eventually, fieldValue, writeEnv, type WriteEnv } from './write-helpers.js';
import { amoEnv, connectAccount, startApp, widgetToken } from '../helpers.js';
import { webhookBody } from '../fakes/fake-amocrm-entities.js';
import { connect } from 'node:net';
import { WEBHOOK_FORM_LIMITS } from '../../server/intake/webhook-form.js';

const OTHER = 36000002;
let env: WriteEnv;
afterEach(() => env?.close());

const ADDRESS = { value: 'г Самара, ул Авроры, д 110', data: { city: 'Самара', street: 'улица Авроры', house: '110', postal_code: '443017', region: 'Самарская', country: 'Россия' } };

async function writeBack(entity: string, id: number, body: unknown, accountId = ACCOUNT) {
  return fetch(`${env.app.url}/api/amocrm/${entity}/${id}/address`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Auth-Token': await widgetToken({ accountId }) },
    body: JSON.stringify(body),
  });
}
const hookUrl = (accountId = ACCOUNT) => env.app.system.webhookUrls!.destination(accountId).replace('http://127.0.0.1:1', env.app.url);
const deliver = (body: string, url = hookUrl()) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const lead = (accountId: number, id: number) => env.fake.entities.get(accountId)!.leads.get(id)!;

describe('webhooks: one account can never touch another', () => {
  it('a body naming account B posted to account A’s URL changes nothing in B and is logged without the secret', async () => {
    env = await writeEnv();
    env.fake.addAccount({ id: OTHER, subdomain: 'beta', name: 'Beta' });
    await connectAccount(env.app, env.fake, OTHER, 'beta');
    const victim = env.fake.addEntity(OTHER, 'leads', { name: 'B', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара авроры 112' }] }] });
    const forged = webhookBody(OTHER, 'beta', 'leads', 'update', [lead(OTHER, victim) as never]);
    const res = await deliver(forged, hookUrl(ACCOUNT));
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('webhook_account_mismatch');
    await env.app.system.worker.whenIdle();
    expect(env.fake.patches).toHaveLength(0);
    expect((await env.app.system.outbox.counts())).toEqual({ pending: 0, done: 0, parked: 0 });
    const secret = hookUrl(ACCOUNT).split('/').pop()!;
    expect(env.app.logs.text).toContain('webhook for another account refused');
    expect(env.app.logs.text).not.toContain(secret);
  });

  it('each account has its own URL; the old shared one and another account’s secret are refused', async () => {
    env = await writeEnv();
    expect(hookUrl(ACCOUNT)).not.toBe(hookUrl(OTHER));
    const body = webhookBody(ACCOUNT, 'acme', 'leads', 'add', [{ id: 1, name: 'x' }]);
    const otherSecret = hookUrl(OTHER).split('/').pop();
    expect((await deliver(body, `${env.app.url}/api/amocrm/webhooks/${ACCOUNT}/${otherSecret}`)).status).toBe(404);
    expect((await deliver(body, `${env.app.url}/api/amocrm/webhooks/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await deliver(body)).status).toBe(200);
  });

  it('field values in the body are never trusted: the address is re-read through API v4', async () => {
    env = await writeEnv();
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'A', custom_fields_values: [{ field_id: 762381, values: [{ value: 'г Самара, ул Авроры, д 110' }] }] });
    // The body claims another address; amoCRM holds the normalised one: nothing to write.
    const claimed = { id, name: 'A', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара ленинградская 5' }] }] };
    expect((await deliver(webhookBody(ACCOUNT, 'acme', 'leads', 'update', [claimed as never]))).status).toBe(200);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'processed');
    expect(env.fake.patches).toHaveLength(0);
    expect(env.fake.count((r) => r.method === 'GET' && r.path === '/api/v4/leads')).toBeGreaterThanOrEqual(1);
  });

  it('one admin command moves the old shared subscription to each account’s own URL', async () => {
    env = await writeEnv();
    const old = 'http://127.0.0.1:1/api/amocrm/webhooks/0123456789abcdef0123456789abcdef';
    env.fake.webhooks.push({ accountId: ACCOUNT, destination: old, settings: ['add_lead'] });
    env.fake.webhooks.push({ accountId: ACCOUNT, destination: 'https://other-integration.example/hook', settings: ['add_lead'] });
    const res = await admin(env.app, 'POST', '/api/admin/webhooks/move');
    expect(res.status).toBe(202);
    expect((await res.json()).queued).toBe(1);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'moved');
    expect(env.fake.webhooks.map((w) => w.destination).sort()).toEqual([env.app.system.webhookUrls!.destination(ACCOUNT), 'https://other-integration.example/hook'].sort());
  });

  it('companies arrive under contacts[...] with [type]=company, dates bare, lists with [enum], and are normalised', async () => {
    env = await writeEnv();
    env.fake.fields.companies.push({ id: 762395, name: 'Дата', type: 'date' }, { id: 762397, name: 'Тип', type: 'select' });
    const id = env.fake.addEntity(ACCOUNT, 'companies', { name: 'ООО', custom_fields_values: [{ field_id: 762393, values: [{ value: 'самара авроры 112' }] }, { field_id: 762395, values: [{ value: 1700000000 }] }, { field_id: 762397, values: [{ value: 'Опт', enum_id: 5 }] as never }] });
    const body = webhookBody(ACCOUNT, 'acme', 'companies', 'update', [env.fake.entities.get(ACCOUNT)!.companies.get(id) as never], env.fake.fields.companies);
    expect(body).toContain(encodeURIComponent('contacts[update][0][type]') + '=company');
    expect(body).not.toContain('companies');
    expect(body).toContain(`${encodeURIComponent('[values][0]')}=1700000000`);
    expect((await deliver(body)).status).toBe(200);
    await eventually(() => fieldValue(env.fake.entities.get(ACCOUNT)!.companies.get(id), 762393) === 'г Самара, ул Авроры, д 112', 'company normalised');
    expect(env.fake.patches[0]).toMatchObject({ entity: 'companies', id });
  });
});

describe('write-back: only an address field of that very entity, in its own shape', () => {
  it('refuses a field that is not an address field, and a contact’s field sent to a lead', async () => {
    env = await writeEnv();
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'L' });
    const notAddress = await writeBack('leads', leadId, { fieldId: 762385, value: 'x' }); // "Индекс", a text field, not mapped
    expect(notAddress.status).toBe(400);
    expect((await notAddress.json()).error.code).toBe('field_not_allowed');
    const contactField = await writeBack('leads', leadId, { fieldId: 762391, ...ADDRESS });
    expect(contactField.status).toBe(400);
    expect((await contactField.json()).error).toMatchObject({ code: 'field_of_other_entity', field: 'fieldId' });
    const unknown = await writeBack('leads', leadId, { fieldId: 999999, ...ADDRESS });
    expect((await unknown.json()).error.code).toBe('unknown_field');
    expect((await env.app.system.outbox.counts()).pending).toBe(0);
  });

  it('a linked contact’s field is written to that contact', async () => {
    env = await writeEnv();
    const contactId = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'C' });
    expect((await writeBack('contacts', contactId, { fieldId: 762391, ...ADDRESS })).status).toBe(202);
    await eventually(() => env.fake.patches.length === 1, 'written');
    expect(env.fake.patches[0]).toMatchObject({ entity: 'contacts', id: contactId });
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.contacts.get(contactId), 762391)).toBe(ADDRESS.value);
  });

  it('a text field chosen as the address takes at most 256 characters; a longer value is refused before amoCRM sees it', async () => {
    env = await writeEnv();
    expect((await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762387 } } })).status).toBe(200);
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'L' });
    const res = await writeBack('leads', leadId, { fieldId: 762387, value: `${ADDRESS.value}, ${'x'.repeat(260)}`.slice(0, 290) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'value_too_long', field: 'value' });
    expect((await writeBack('leads', leadId, { fieldId: 762387, ...ADDRESS })).status).toBe(202);
    await eventually(() => env.fake.patches.length === 1, 'written');
  });

  it("a pick's data with DaData's lists (a street's former names, the nearest stations) is taken, not refused", async () => {
    env = await writeEnv();
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'L' });
    const data = { ...ADDRESS.data, history_values: ['ул Старая'], metro: [{ name: 'Тверская', line: 'Замоскворецкая', distance: 0.4 }], divisions: null };
    expect((await writeBack('leads', leadId, { fieldId: 762381, value: ADDRESS.value, data })).status).toBe(202);
    await eventually(() => env.fake.patches.length === 1, 'written');
    expect((await writeBack('leads', leadId, { fieldId: 762381, value: ADDRESS.value, data: { ...data, history_values: 'x'.repeat(201) } })).status).toBe(400);
  });

  it('a smart_address field is written one value per part, tagged with its enum_code', async () => {
    env = await writeEnv();
    env.fake.fields.contacts.push({ id: 762399, name: 'Адрес (полный)', type: 'smart_address' });
    const contactId = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'C' });
    expect((await writeBack('contacts', contactId, { fieldId: 762399, ...ADDRESS })).status).toBe(202);
    await eventually(() => env.fake.patches.length === 1, 'written');
    const values = (env.fake.patches[0].body as { custom_fields_values: Array<{ field_id: number; values: Array<{ value: string; enum_code: string }> }> }).custom_fields_values[0].values;
    expect(values).toEqual([
      { value: 'ул Авроры, д 110', enum_code: 'address_line_1' },
      { value: 'Самара', enum_code: 'city' },
      { value: 'Самарская', enum_code: 'state' },
      { value: '443017', enum_code: 'zip' },
      { value: 'Россия', enum_code: 'country' },
    ]);
  });

  it('finds the address field on a later page of /custom_fields (50 a page), and refuses a legal_entity field in the settings', async () => {
    env = await writeEnv();
    const filler = Array.from({ length: 120 }, (_, i) => ({ id: 800000 + i, name: `Поле ${i}`, type: 'text' }));
    env.fake.fields.leads.splice(0, 0, ...filler);
    env.fake.fields.leads.push({ id: 762401, name: 'Реквизиты', type: 'legal_entity' });
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'L' });
    expect((await writeBack('leads', leadId, { fieldId: 762381, ...ADDRESS })).status).toBe(202);
    expect(env.fake.customFieldPages).toBeGreaterThanOrEqual(3);
    const refused = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762401 } } });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ code: 'unsupported_field_type', field: 'fields.leads.address' });
  });
});

describe('a 403 is not always a block', () => {
  it('a JSON 403 (rights) parks only that write, named; the next write goes out', async () => {
    env = await writeEnv();
    const a = env.fake.addEntity(ACCOUNT, 'leads', { name: 'A' });
    const b = env.fake.addEntity(ACCOUNT, 'leads', { name: 'B' });
    await env.app.system.crm!.customFields(ACCOUNT, 'leads');
    env.fake.failNext('json403');
    expect((await writeBack('leads', a, { fieldId: 762381, ...ADDRESS })).status).toBe(202);
    await eventually(async () => (await env.app.system.outbox.counts()).parked === 1, 'parked');
    expect((await env.app.system.outbox.list('parked'))[0].lastError).toMatch(/lacks the rights/);
    expect((await writeBack('leads', b, { fieldId: 762381, ...ADDRESS })).status).toBe(202);
    await eventually(() => fieldValue(lead(ACCOUNT, b), 762381) === ADDRESS.value, 'second write sent');
    expect((await env.app.system.accounts.pausedUntil(ACCOUNT, Date.now()))).toBeNull();
  });

  it('a block pauses the account: writes wait (never parked), the pause survives a restart, a 403 refresh does not ask to reconnect', async () => {
    env = await writeEnv();
    const a = env.fake.addEntity(ACCOUNT, 'leads', { name: 'A' });
    await env.app.system.crm!.customFields(ACCOUNT, 'leads');
    env.fake.blocked.add(ACCOUNT);
    expect((await writeBack('leads', a, { fieldId: 762381, ...ADDRESS })).status).toBe(202);
    await eventually(async () => (await env.app.system.accounts.pausedUntil(ACCOUNT, Date.now())) !== null, 'paused');
    await env.app.system.worker.whenIdle(); // the item went back to wait for the pause
    expect((await env.app.system.outbox.counts())).toMatchObject({ pending: 1, parked: 0 });
    expect((await env.app.system.outbox.list('pending'))[0].attempts).toBe(0);

    // A refresh during the block: amoCRM answers 403; the grant is intact, so no reconnect.
    env.fake.expireAccessTokens();
    await expect(env.app.system.tokens.refresh(ACCOUNT, (await env.app.system.accounts.find(ACCOUNT))!.accessToken)).rejects.toMatchObject({ kind: 'blocked' });
    expect((await env.app.system.accounts.status(ACCOUNT))).toBe('connected');

    // Restart on the same database: still paused, nothing is sent.
    await env.app.close();
    const sent = env.fake.requests.length;
    env.app = await startApp(amoEnv(env.fake.url, { DATABASE_PATH: env.dbPath, PUBLIC_URL: 'http://127.0.0.1:1', OUTBOX_POLL_MS: '50' }));
    await env.app.system.worker.whenIdle(); // a pass ran and claimed nothing: the account is paused
    expect(env.fake.requests.length).toBe(sent);
    expect((await env.app.system.accounts.pausedUntil(ACCOUNT, Date.now()))).not.toBeNull();
    expect((await env.app.system.outbox.counts())).toMatchObject({ pending: 1, parked: 0 });
  });
});

describe('the account’s host can change', () => {
  it('a renamed subdomain: the token endpoint 404s at the old host, the new one is asked with X-Refresh-Token, and calls follow it', async () => {
    env = await writeEnv();
    env.fake.renameAccount(ACCOUNT, 'acme-new');
    env.fake.expireAccessTokens();
    const account = await env.app.system.amoApi!.getAccount(ACCOUNT);
    expect(account.subdomain).toBe('acme-new');
    expect((await env.app.system.accounts.find(ACCOUNT))).toMatchObject({ subdomain: 'acme-new', status: 'connected' });
    const lookup = env.fake.requests.find((r) => r.path === '/oauth2/account/current/subdomain')!;
    expect(lookup.host).toBe('api-a.amocrm.ru');
    const refreshes = env.fake.requests.filter((r) => r.path === '/oauth2/access_token').map((r) => r.host);
    expect(refreshes.slice(-2)).toEqual(['acme.amocrm.ru', 'acme-new.amocrm.ru']);
    expect(env.fake.requests.filter((r) => r.path === '/api/v4/account').pop()!.host).toBe('acme-new.amocrm.ru');
  });

  it('tokens only ever go to the account’s own host', async () => {
    env = await writeEnv();
    await env.app.system.amoApi!.getAccount(ACCOUNT);
    const withToken = env.fake.requests.filter((r) => r.token);
    expect(withToken.length).toBeGreaterThan(0);
    expect(new Set(withToken.map((r) => r.host))).toEqual(new Set(['acme.amocrm.ru']));
  });
});

describe('hardening', () => {
  it('a non-ASCII or malformed webhook path is a quiet 404', async () => {
    env = await writeEnv();
    for (const path of ['/api/amocrm/webhooks/%D1%8F%D1%8F/%D1%8F', `/api/amocrm/webhooks/${ACCOUNT}/${'я'.repeat(16)}`, '/api/amocrm/webhooks/1/%E0%A4%A']) {
      const res = await fetch(`${env.app.url}${path}`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([404, 400]).toContain(res.status);
    }
    expect(env.app.logs.text).not.toMatch(/"level":50/);
  });

  it('a webhook at the parameter limit is read whole; one more is refused with 413 before any parse', async () => {
    env = await writeEnv();
    await env.app.system.worker.stop(); // only the reading is under test, not 1,666 re-reads at 6/s
    const params = new URLSearchParams({ 'account[id]': String(ACCOUNT) });
    const leads = Math.floor((WEBHOOK_FORM_LIMITS.parameters - 1) / 3);
    for (let i = 0; i < leads; i++) {
      params.set(`leads[update][${i}][id]`, String(i + 1));
      params.set(`leads[update][${i}][name]`, 'x');
      params.set(`leads[update][${i}][custom_fields][0][id]`, '762381');
    }
    expect((await deliver(params.toString())).status).toBe(200);
    const item = (await env.app.system.outbox.list('pending', 1))[0];
    expect((item.payload as { changed: { leads: number[] } }).changed.leads).toHaveLength(leads);
    while ([...params.keys()].length <= WEBHOOK_FORM_LIMITS.parameters) params.append('x', '1');
    const refused = await deliver(params.toString());
    expect(refused.status).toBe(413);
    expect((await refused.json()).error.message).toContain(String(WEBHOOK_FORM_LIMITS.parameters));
  });

  it('a webhook declaring more bytes than the limit is refused at once, its body never read', async () => {
    env = await writeEnv();
    const url = new URL(env.app.system.webhookUrls!.destination(ACCOUNT));
    // Headers only: the body never comes. An answer proves nothing waited for it.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(env.app.url).port), '127.0.0.1', () => {
        socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${WEBHOOK_FORM_LIMITS.bytes + 1}\r\n\r\naccount[id]=1`);
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => { socket.destroy(); resolve(text); }, 3000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('payload_too_large');
  });

  it("webhooks have a rate per account: over it 429 with Retry-After, and another account's deliveries go on", async () => {
    env = await writeEnv({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '12' }); // 1 per 5-second window
    await env.app.system.worker.stop();
    const B = 36000002;
    env.fake.addAccount({ id: B, subdomain: 'bravo', name: 'Bravo' });
    await connectAccount(env.app, env.fake, B, 'bravo');
    const to = (accountId: number, n: number) => deliver(webhookBody(accountId, 'x', 'leads', 'add', [{ id: n, name: 'x' }]), hookUrl(accountId));
    expect((await to(ACCOUNT, 1)).status).toBe(200);
    const over = await to(ACCOUNT, 2);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await over.json()).error.code).toBe('rate_limited');
    expect((await to(B, 3)).status).toBe(200);
  });

  it('settings with an empty or text/plain body are a 400 and the mapping stays', async () => {
    env = await writeEnv();
    expect((await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762381, postalCode: 762385 } } })).status).toBe(200);
    const put = (headers: Record<string, string>, body?: string) => fetch(`${env.app.url}/api/admin/accounts/${ACCOUNT}/settings`, { method: 'PUT', headers: { Authorization: `Bearer admin-token-0123456789`, ...headers }, body });
    expect((await put({})).status).toBe(400);
    expect((await put({ 'content-type': 'text/plain' }, '{"fields":{}}')).status).toBe(400);
    expect((await put({ 'content-type': 'application/json' }, '{}')).status).toBe(400);
    expect((await env.app.system.settings.get(ACCOUNT)).fields.leads).toEqual({ address: 762381, postalCode: 762385 });
  });

  it('a missing static file or a blocked path is a 404 not_found', async () => {
    env = await writeEnv();
    for (const path of ['/demo/nope.js', '/demo/.env', '/integration-logo.svg/x']) {
      const res = await fetch(`${env.app.url}${path}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('a changed TOKEN_ENCRYPTION_KEY stops start-up with a message naming the variable', async () => {
    env = await writeEnv();
    await expect(startApp(amoEnv(env.fake.url, { DATABASE_PATH: env.dbPath, TOKEN_ENCRYPTION_KEY: 'b'.repeat(64) }))).rejects.toThrow(/TOKEN_ENCRYPTION_KEY: this is not the key/);
  });
});

describe('the suggestion cache is capped by bytes', () => {
  it('holds no more than SUGGEST_CACHE_MAX_MB however many answers it sees', async () => {
    env = await writeEnv({ SUGGEST_CACHE_MAX_MB: '0.02' });
    for (const q of ['сам', 'сама', 'самар', 'самара', 'самара ав', 'самара авр', 'самара авро', 'самара авроры', 'самара ле', 'самара лен', 'самара лени']) {
      await env.app.system.addresses.suggest(null, q, { count: 7, language: 'ru' });
    }
    const cache = (env.app.system.addresses as unknown as { cache: { calculatedSize: number; size: number } }).cache;
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.calculatedSize).toBeLessThanOrEqual(0.02 * 1024 * 1024);
  });
});
