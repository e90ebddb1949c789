import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, eventually, fieldValue, writeEnv, type WriteEnv } from './write-helpers.js';
import { connectAccount, widgetToken } from '../helpers.js';
import { webhookBody } from '../fakes/fake-amocrm-entities.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv; // closed: a later test that shares another app must not close it twice
});

const SUGGESTION = { value: 'г Самара, ул Авроры, д 110', data: { city: 'Самара', street: 'улица Авроры', house: '110', postal_code: '443017', lat: 53.1867, lon: 50.192 } };

async function writeBack(entity: string, id: number | string, body: unknown, token?: string, on: WriteEnv = env) {
  return fetch(`${on.app.url}/api/amocrm/${entity}/${id}/address`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === '' ? {} : { 'X-Auth-Token': token ?? (await widgetToken({ accountId: ACCOUNT })) }) },
    body: JSON.stringify(body),
  });
}

const mapParts = () => admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762381, postalCode: 762385, city: 762387, coordinates: 762389 } } });

describe('address write-back', () => {
  it('writes the address and the mapped parts once, however often the same choice arrives', async () => {
    env = await writeEnv();
    expect((await mapParts()).status).toBe(200);
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка', custom_fields_values: null });
    const first = await Promise.all([writeBack('leads', leadId, { fieldId: 762381, ...SUGGESTION }), writeBack('leads', leadId, { fieldId: 762381, ...SUGGESTION })]);
    expect(first.map((r) => r.status)).toEqual([202, 202]);
    // Sent at once, either may reach the queue first: one is queued, the other finds it there.
    expect((await Promise.all(first.map((r) => r.json()))).map((b) => b.status).sort()).toEqual(['already_queued', 'queued']);
    await eventually(async () => env.fake.patches.length === 1 && (await env.app.system.outbox.counts()).pending === 0, 'written');
    const lead = env.fake.entities.get(ACCOUNT)!.leads.get(leadId)!;
    expect(fieldValue(lead, 762381)).toBe(SUGGESTION.value);
    expect(fieldValue(lead, 762385)).toBe('443017');
    expect(fieldValue(lead, 762387)).toBe('Самара');
    expect(fieldValue(lead, 762389)).toBe('53.1867,50.192');
    const again = await writeBack('leads', leadId, { fieldId: 762381, ...SUGGESTION });
    expect(again.status).toBe(200);
    expect((await again.json()).status).toBe('unchanged');
    await env.app.system.worker.whenIdle();
    expect(env.fake.patches).toHaveLength(1);
    // The choice joined the account's address book.
    expect((await env.app.system.book.search(ACCOUNT, 'Самара Авроры 110', 1))[0].value).toBe(SUGGESTION.value);
  });

  describe('input (one app for the whole table)', () => {
    let shared: WriteEnv;
    beforeAll(async () => void (shared = await writeEnv()));
    afterAll(() => shared.close());
    it.each([
      ['an unknown entity', 'deals', 1, { fieldId: 762381, ...SUGGESTION }, 'entity'],
      ['a new (unsaved) card', 'leads', 0, { fieldId: 762381, ...SUGGESTION }, 'id'],
      ['no field id', 'leads', 5, { value: SUGGESTION.value }, 'fieldId'],
      ['an empty value', 'leads', 5, { fieldId: 762381, value: ' ' }, 'value'],
      ['an unknown property', 'leads', 5, { fieldId: 762381, value: 'x', extra: 1 }, 'extra'],
    ])('refuses %s with 400 naming the field', async (_name, entity, id, body, field) => {
      const res = await writeBack(entity, id, body, undefined, shared);
      expect(res.status).toBe(400);
      expect((await res.json()).error.field).toBe(field);
    });
  });

  it('needs the widget token', async () => {
    env = await writeEnv();
    expect((await writeBack('leads', 5, { fieldId: 762381, ...SUGGESTION }, '')).status).toBe(401);
  });

  it('an amoCRM validation error parks the write with the field named', async () => {
    env = await writeEnv();
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка' });
    env.fake.deliverWebhooks = false;
    // Accepted while the field is a short address; an admin then turns it into a text field,
    // which refuses more than 256 characters (amocrm-api-php issues 224, 400) — we still have the old type cached.
    await env.app.system.crm!.customFields(ACCOUNT, 'leads'); // cached as a short address
    env.fake.fields.leads.find((f) => f.id === 762381)!.type = 'text';
    const long = `${SUGGESTION.value}, ${'подъезд 2, '.repeat(22)}`.slice(0, 290);
    expect((await writeBack('leads', leadId, { fieldId: 762381, value: long })).status).toBe(202);
    await eventually(async () => (await env.app.system.outbox.counts()).parked === 1, 'parked');
    expect((await env.app.system.outbox.list('parked'))[0].lastError).toContain('custom_fields_values.0.values.0.value');
  });
});

describe('address book on connect', () => {
  it('imports the addresses already in the account when it connects', async () => {
    env = await writeEnv({ AMOCRM_IMPORT_ADDRESSES_ON_CONNECT: 'true' }, { connect: false });
    env.fake.addEntity(ACCOUNT, 'leads', { name: 'Старый заказ', custom_fields_values: [{ field_id: 762381, values: [{ value: 'Тольятти, ул Юбилейная, д 31' }] }] });
    await connectAccount(env.app, env.fake, ACCOUNT);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'import done');
    expect((await env.app.system.book.search(ACCOUNT, 'Тольятти Юбилейная', 1))[0].value).toBe('Тольятти, ул Юбилейная, д 31');
    expect((await env.app.system.outbox.list('done'))[0]).toMatchObject({ kind: 'import_addresses', accountId: ACCOUNT });
  });
});

describe('webhooks', () => {
  const secretUrl = (accountId = ACCOUNT) => env.app.system.webhookUrls!.destination(accountId).replace('http://127.0.0.1:1', env.app.url);
  const deliver = (body: string, url = secretUrl()) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  it('subscribes through the API with the secret destination', async () => {
    env = await writeEnv();
    expect((await admin(env.app, 'POST', `/api/admin/accounts/${ACCOUNT}/webhook`)).status).toBe(202);
    await eventually(() => env.fake.webhooks.length === 1, 'subscribed');
    expect(env.fake.webhooks[0].destination).toBe(env.app.system.webhookUrls!.destination(ACCOUNT));
    expect(env.fake.webhooks[0].settings).toEqual(expect.arrayContaining(['add_lead', 'update_lead', 'add_contact', 'update_contact']));
  });

  it('subscribes on connect when AMOCRM_SUBSCRIBE_WEBHOOKS=true', async () => {
    env = await writeEnv({ AMOCRM_SUBSCRIBE_WEBHOOKS: 'true' });
    await eventually(() => env.fake.webhooks.length === 1, 'subscribed on connect');
    expect(env.fake.webhooks[0]).toMatchObject({ accountId: ACCOUNT, destination: env.app.system.webhookUrls!.destination(ACCOUNT) });
  });

  it('normalises an address typed without the widget, and our own write does not start a second round', async () => {
    env = await writeEnv();
    // amoCRM delivers to our (test-reachable) destination after every change through the API.
    env.fake.webhooks.push({ accountId: ACCOUNT, destination: secretUrl(), settings: ['add_lead', 'update_lead'] });
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'С сайта', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара авроры 112' }] }] });
    const lead = env.fake.entities.get(ACCOUNT)!.leads.get(leadId)!;
    const started = performance.now();
    const res = await deliver(webhookBody(ACCOUNT, 'acme', 'leads', 'add', [lead as never]));
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    await eventually(() => fieldValue(lead, 762381) === 'г Самара, ул Авроры, д 112', 'normalised');
    // The update event our PATCH caused arrives and is processed...
    await eventually(async () => env.fake.webhookDeliveries.length >= 1 && (await env.app.system.outbox.counts()).pending === 0 && (await env.app.system.outbox.counts()).done >= 2, 'echo processed');
    await env.app.system.worker.whenIdle();
    expect(env.fake.patches).toHaveLength(1); // ...and changes nothing
  });

  it('a body whose account[id] is a group is a 400 invalid_body, not a crash', async () => {
    env = await writeEnv();
    for (const body of ['account[id][x]=1', `account[id][]=${ACCOUNT}&leads[add][0][id]=1`, '__proto__[id]=1']) {
      const res = await deliver(body);
      expect(res.status, body).toBe(400);
      expect((await res.json()).error.code, body).toMatch(/^invalid_(body|webhook)$/);
    }
    expect((await deliver('account[id][x]=1')).status).toBe(400);
    expect((await (await deliver('account[id][x]=1')).json()).error.code).toBe('invalid_body');
  });

  it('processes a duplicate delivery once, and leaves alone what it cannot match safely', async () => {
    env = await writeEnv();
    const a = env.fake.addEntity(ACCOUNT, 'leads', { name: 'A', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара ленинградская 5' }] }] });
    const b = env.fake.addEntity(ACCOUNT, 'leads', { name: 'B', custom_fields_values: [{ field_id: 762381, values: [{ value: 'Самара, Несуществующая улица 99' }] }] });
    const body = webhookBody(ACCOUNT, 'acme', 'leads', 'update', [env.fake.entities.get(ACCOUNT)!.leads.get(a) as never, env.fake.entities.get(ACCOUNT)!.leads.get(b) as never]);
    const answers = await Promise.all([deliver(body), deliver(body), deliver(body)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const duplicates = await Promise.all(answers.map(async (r) => (await r.json()).duplicate));
    expect(duplicates.filter((d) => d === false)).toHaveLength(1);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'processed');
    expect(env.fake.patches).toHaveLength(1);
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(a), 762381)).toBe('г Самара, ул Ленинградская, д 5');
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(b), 762381)).toBe('Самара, Несуществующая улица 99');
  });

  it('forgets old finished items and webhook hashes, keeping intake records', async () => {
    env = await writeEnv();
    const body = webhookBody(ACCOUNT, 'acme', 'leads', 'add', [{ id: 1, name: 'x' }]);
    expect((await deliver(body)).status).toBe(200);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'processed');
    const later = Date.now() + 31 * 24 * 3600 * 1000;
    expect((await env.app.system.housekeeping(later))).toEqual({ items: 1, events: 1, yandex: 0, leadContents: 0, orphanAccounts: 0 });
    expect((await env.app.system.outbox.counts()).done).toBe(0);
    const status = await (await admin(env.app, 'GET', '/api/status')).json();
    expect(status.outbox).toEqual({ pending: 0, done: 0, parked: 0 });
  });

  it('reads long lists (qs turns arrays over 20 into objects)', async () => {
    env = await writeEnv();
    const ids = Array.from({ length: 25 }, (_, i) => env.fake.addEntity(ACCOUNT, 'leads', { name: `L${i}`, custom_fields_values: [{ field_id: 762381, values: [{ value: i === 24 ? 'самара авроры 114а' : 'г Самара, ул Авроры, д 110' }] }] }));
    const body = webhookBody(ACCOUNT, 'acme', 'leads', 'add', ids.map((id) => env.fake.entities.get(ACCOUNT)!.leads.get(id) as never));
    expect((await deliver(body)).status).toBe(200);
    await eventually(async () => (await env.app.system.outbox.counts()).done === 1, 'processed');
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(ids[24]), 762381)).toBe('г Самара, ул Авроры, д 114А');
  });

  it('refuses a wrong secret (404) and an account that is not connected (409, as everywhere), storing nothing', async () => {
    env = await writeEnv();
    const body = webhookBody(ACCOUNT, 'acme', 'leads', 'add', [{ id: 1, name: 'x' }]);
    expect((await deliver(body, `${env.app.url}/api/amocrm/webhooks/${ACCOUNT}/${'0'.repeat(32)}`)).status).toBe(404);
    const notConnected = await deliver(webhookBody(999, 'other', 'leads', 'add', [{ id: 1, name: 'x' }]), secretUrl(999));
    expect(notConnected.status).toBe(409);
    expect((await notConnected.json()).error.code).toBe('account_not_connected');
    expect((await deliver('leads[add][0][id]=1')).status).toBe(400);
    expect((await env.app.system.outbox.counts())).toEqual({ pending: 0, done: 0, parked: 0 });
  });
});
