import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, createSiteKey, eventually, fieldValue, postLead, writeEnv, type WriteEnv } from './write-helpers.js';
import { connectAccount } from '../helpers.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv; // closed: a later test that shares another app must not close it twice
});

const leadsOf = (e: WriteEnv) => [...e.fake.entities.get(ACCOUNT)!.leads.values()];
const contactsOf = (e: WriteEnv) => [...e.fake.entities.get(ACCOUNT)!.contacts.values()];

describe('website lead intake', () => {
  it('stores, answers 202 at once, then creates contact, lead with the normalised address, and the note', async () => {
    env = await writeEnv();
    const key = await createSiteKey(env.app);
    const res = await postLead(env.app.url, key, { name: 'Иван Петров', phone: '8 (917) 123-45-67', email: 'ivan@example.ru', address: 'самара авроры 110', message: 'Позвоните после 18:00', source: 'landing', productId: 42, utm: { source: 'yandex', campaign: 'sofa' } });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    expect(id).toMatch(/^ld_[0-9a-f]{16}$/);

    let view: Record<string, unknown> = {};
    await eventually(async () => {
      view = await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
      return view.status === 'sent';
    }, 'lead sent');
    const amocrm = view.amocrm as { leadId: number; contactId: number; noteId: number };
    const lead = env.fake.entities.get(ACCOUNT)!.leads.get(amocrm.leadId)!;
    expect(lead.name).toBe(`Иван Петров: заявка с сайта [${id}]`);
    expect(fieldValue(lead, 762381)).toBe('г Самара, ул Авроры, д 110'); // the first streetaddress field, from /custom_fields
    expect((lead._embedded as { contacts: Array<{ id: number }> }).contacts[0].id).toBe(amocrm.contactId);
    const contact = env.fake.entities.get(ACCOUNT)!.contacts.get(amocrm.contactId)!;
    expect(JSON.stringify(contact.custom_fields_values)).toContain('+79171234567');
    const note = env.fake.notes.find((n) => n.id === amocrm.noteId)!;
    expect(note.text).toContain('Позвоните после 18:00');
    expect(note.text).toContain('utm_source=yandex');
  });

  it('30 days after a lead was sent, only its amoCRM ids are kept: its status still answers, what the customer sent is gone', async () => {
    env = await writeEnv();
    const key = await createSiteKey(env.app);
    const { id } = await (await postLead(env.app.url, key, { name: 'Мария Иванова', phone: '+7 917 555 44 33', email: 'maria@example.ru', address: 'самара авроры 110', message: 'Домофон 12' })).json();
    const view = async () => (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
    await eventually(async () => (await view()).status === 'sent', 'sent');
    const before = await view();
    const stored = () => env.app.system.store.sql.all<{ payload: string; state: string }>("SELECT payload, state FROM outbox WHERE kind = 'intake'");
    expect(JSON.stringify(await stored())).toContain('Мария Иванова');
    expect((await env.app.system.housekeeping(Date.now() + 29 * 24 * 3600 * 1000)).leadContents).toBe(0);
    expect((await env.app.system.housekeeping(Date.now() + 31 * 24 * 3600 * 1000)).leadContents).toBe(1);
    const after = JSON.stringify(await stored());
    for (const personal of ['Мария', '917', 'maria@', 'Авроры', 'Домофон']) expect(after).not.toContain(personal);
    expect(await view()).toEqual(before); // the site can still ask how its lead went
    expect((await env.app.system.housekeeping(Date.now() + 32 * 24 * 3600 * 1000)).leadContents).toBe(0); // once
  });

  it('reuses an existing contact found by phone, checking the real number', async () => {
    env = await writeEnv();
    const existing = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'Иван', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+7 (917) 123-45-67', enum_code: 'MOB' }] }] });
    env.fake.addEntity(ACCOUNT, 'contacts', { name: 'Другой', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+7 917 123-45-6' }] }] });
    const key = await createSiteKey(env.app);
    const { id } = await (await postLead(env.app.url, key, { name: 'Иван', phone: '89171234567' })).json();
    await eventually(async () => (await env.app.system.intake.view((await env.app.system.siteKeys.list())[0] as never, id))?.status === 'sent', 'sent');
    expect(contactsOf(env)).toHaveLength(2);
    expect((leadsOf(env)[0]._embedded as { contacts: Array<{ id: number }> }).contacts[0].id).toBe(existing);
  });

  it('finds an existing contact by e-mail when no contact has the phone, and creates none', async () => {
    env = await writeEnv();
    const existing = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'Иван', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+7 999 000-00-00' }] }, { field_code: 'EMAIL', values: [{ value: 'Ivan@Example.ru' }] }] });
    const key = await createSiteKey(env.app);
    const { id } = await (await postLead(env.app.url, key, { name: 'Иван', phone: '+7 917 765-43-21', email: 'ivan@example.ru' })).json();
    await eventually(async () => (await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json()).status === 'sent', 'sent');
    expect(contactsOf(env)).toHaveLength(1);
    expect((leadsOf(env)[0]._embedded as { contacts: Array<{ id: number }> }).contacts[0].id).toBe(existing);
    // Asked by phone first, then by e-mail (amoCRM's query is full-text: each hit is re-checked).
    const queries = env.fake.requests.filter((r) => r.path === '/api/v4/contacts' && r.method === 'GET').map((r) => r.query.query);
    expect(queries).toEqual(['9177654321', 'ivan@example.ru']);
  });

  it('answers 429 with Retry-After over the per-site limit, and keeps only the accepted leads', async () => {
    env = await writeEnv({ INTAKE_RATE_LIMIT_PER_MINUTE: '2' });
    const key = await createSiteKey(env.app);
    await env.app.system.worker.stop(); // the accepted leads stay queued to be counted
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postLead(env.app.url, key, { name: `Клиент ${i}`, phone: `+7 917 000 00 0${i}` }));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 429]);
    expect(Number(answers[2].headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await answers[2].json()).error.code).toBe('rate_limited');
    expect((await env.app.system.outbox.counts()).pending).toBe(2);
  });

  it('keeps leads of an account that must reconnect until it does, then sends them', async () => {
    env = await writeEnv();
    const key = await createSiteKey(env.app);
    await env.app.system.lifecycle.reconnectRequired(ACCOUNT, 'test: the refresh token was revoked');
    const { id } = await (await postLead(env.app.url, key, { name: 'Анна', phone: '+7 927 000 11 22' })).json();
    await env.app.system.worker.whenIdle(); // a pass ran and left it: the account is not connected
    const waiting = await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
    expect(waiting).toMatchObject({ status: 'queued', attempts: 0 });
    await connectAccount(env.app, env.fake, ACCOUNT); // reconnected
    await eventually(async () => (await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json()).status === 'sent', 'sent after connect');
    expect(leadsOf(env)).toHaveLength(1);
  });

  it('parks a lead amoCRM refuses, names the field, and sends it after the admin fixes the mapping and retries', async () => {
    env = await writeEnv();
    const save = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { pipelineId: 5000, statusId: 6001, fields: { leads: { address: 762381, postalCode: 762385 } } });
    expect(save.status).toBe(200);
    env.fake.fields.leads = env.fake.fields.leads.filter((f) => f.id !== 762385); // the field is deleted in amoCRM afterwards
    const key = await createSiteKey(env.app);
    const { id } = await (await postLead(env.app.url, key, { name: 'Олег', phone: '+79270001123', address: 'Самара Авроры 112' })).json();
    let view: Record<string, unknown> = {};
    await eventually(async () => {
      view = await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
      return view.status === 'failed';
    }, 'parked');
    expect(view.error).toContain('custom_fields_values.1.field_id');
    const parked = await (await admin(env.app, 'GET', '/api/admin/outbox?status=parked')).json();
    expect(parked.items).toHaveLength(1);
    expect(parked.items[0]).toMatchObject({ kind: 'intake', accountId: ACCOUNT });

    expect((await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { pipelineId: 5000, statusId: 6001, fields: { leads: { address: 762381, postalCode: 762385 } } })).status).toBe(400);
    expect((await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { pipelineId: 5000, statusId: 6001, fields: { leads: { address: 762381 } } })).status).toBe(200);
    expect((await admin(env.app, 'POST', `/api/admin/outbox/${parked.items[0].id}/retry`)).status).toBe(200);
    await eventually(async () => (await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json()).status === 'sent', 'sent after retry');
    expect(leadsOf(env)).toHaveLength(1);
    expect(contactsOf(env)).toHaveLength(1); // the contact made on the first attempt was kept, not made again
    expect(leadsOf(env)[0]).toMatchObject({ pipeline_id: 5000, status_id: 6001 });
  });

  it('an account with OUTBOX_MAX_PENDING_PER_ACCOUNT leads waiting gets 429 with Retry-After for the next, and the console says so', async () => {
    env = await writeEnv({ OUTBOX_MAX_PENDING_PER_ACCOUNT: '10' });
    const key = await createSiteKey(env.app);
    await env.app.system.worker.stop(); // nothing drains: the queue is what is counted
    for (let i = 0; i < 10; i++) expect((await postLead(env.app.url, key, { name: `Клиент ${i}`, phone: '+79270001130' })).status).toBe(202);
    const refused = await postLead(env.app.url, key, { name: 'Ещё один', phone: '+79270001131' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await refused.json()).error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('10 leads waiting') });
    expect((await env.app.system.console.state(ACCOUNT, true)).writes).toMatchObject({ pending: 10, limit: 10 });
  });

  it('a site that sends the same lead again with its Idempotency-Key gets the first answer and makes no second lead', async () => {
    env = await writeEnv();
    const key = await createSiteKey(env.app);
    const send = (idempotencyKey: string) =>
      fetch(`${env.app.url}/api/leads`, { method: 'POST', headers: { 'X-Api-Key': key, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey }, body: JSON.stringify({ name: 'Пётр', phone: '+79270001140' }) });
    const first = await send('order-1001');
    const again = await send('order-1001');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const { id } = await first.json();
    expect((await again.json()).id).toBe(id);
    expect((await send('order-1002')).status).toBe(202);
    await env.app.system.worker.whenIdle();
    expect(leadsOf(env)).toHaveLength(2);
    const bad = await send('a key with spaces');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: 'invalid_parameter', field: 'Idempotency-Key' });
  });

  describe('input', () => {
    const valid = { name: 'Иван', phone: '+79171234567' };
    const bad: Array<[string, unknown, string]> = [
      ['no name', { phone: '+79171234567' }, 'name'],
      ['empty name', { ...valid, name: '   ' }, 'name'],
      ['name too long', { ...valid, name: 'я'.repeat(201) }, 'name'],
      ['no phone', { name: 'Иван' }, 'phone'],
      ['phone with letters', { ...valid, phone: '+7 917 abc 45 67' }, 'phone'],
      ['phone too short', { ...valid, phone: '12345' }, 'phone'],
      ['bad email', { ...valid, email: 'ivan@' }, 'email'],
      ['address too long', { ...valid, address: 'а'.repeat(301) }, 'address'],
      ['message too long', { ...valid, message: 'м'.repeat(5001) }, 'message'],
      ['control characters', { ...valid, message: 'a\u0000b' }, 'message'],
      ['unknown field', { ...valid, password: 'x' }, 'password'],
      ['unknown utm key', { ...valid, utm: { gclid: 'x' } }, 'utm.gclid'],
      ['negative product', { ...valid, productId: -1 }, 'productId'],
      ['name as a number', { ...valid, name: 42 }, 'name'],
    ];
    describe('one app for the whole table', () => {
      let shared: WriteEnv;
      let key: string;
      beforeAll(async () => {
        shared = await writeEnv();
        key = await createSiteKey(shared.app);
      });
      afterAll(() => shared.close());
      it.each(bad)('%s → 400 naming the field', async (_n, body, field) => {
        const res = await postLead(shared.app.url, key, body);
        expect(res.status).toBe(400);
        const { error } = await res.json();
        expect(error.field).toBe(field);
        expect(error.message).toContain(`"${field}"`);
        expect((await shared.app.system.outbox.counts()).pending).toBe(0);
      });
    });

    it('refuses a missing, unknown or revoked key with 401', async () => {
      env = await writeEnv();
      const key = await createSiteKey(env.app);
      expect((await fetch(`${env.app.url}/api/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(valid) })).status).toBe(401);
      expect((await postLead(env.app.url, `ak_${'x'.repeat(32)}`, valid)).status).toBe(401);
      const keys = await (await admin(env.app, 'GET', '/api/admin/site-keys')).json();
      expect(JSON.stringify(keys)).not.toContain(key);
      expect((await admin(env.app, 'DELETE', `/api/admin/site-keys/${keys.siteKeys[0].id}`)).status).toBe(204);
      const revoked = await postLead(env.app.url, key, valid);
      expect(revoked.status).toBe(401);
      expect((await revoked.json()).error.code).toBe('invalid_api_key');
    });

    it('a lead is visible only to the site that posted it', async () => {
      env = await writeEnv();
      const key = await createSiteKey(env.app);
      const other = await createSiteKey(env.app);
      const { id } = await (await postLead(env.app.url, key, valid)).json();
      expect((await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': other } })).status).toBe(404);
    });
  });
});
