/**
 * The zone reaches amoCRM: the lead fields an admin maps (the zone's name as text or as a list
 * option, its price, the distance) are filled on a card's write-back, on a website lead and on a
 * webhook's normalisation, and a lead outside every zone gets the "вне зоны доставки" tag. The
 * mapping is checked against amoCRM's own /custom_fields (a list must have every zone's name).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, createSiteKey, eventually, fieldValue, postLead, writeEnv, type WriteEnv } from './write-helpers.js';
import { widgetToken } from '../helpers.js';
import { webhookBody } from '../fakes/fake-amocrm-entities.js';
import { SAMARA_ZONES } from '../delivery/samara-zones.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const ZONE = 762401;
const PRICE = 762403;
const DISTANCE = 762405;
const TAG = 'вне зоны доставки';

async function zonedAccount(options: Array<{ id: number; value: string; sort: number }> = [{ id: 11, value: 'Авроры', sort: 1 }, { id: 12, value: 'Центр', sort: 2 }]): Promise<void> {
  env = await writeEnv();
  env.fake.fields.leads.push({ id: ZONE, name: 'Зона доставки', type: 'select', enums: options }, { id: PRICE, name: 'Стоимость доставки', type: 'numeric' }, { id: DISTANCE, name: 'Расстояние, км', type: 'text' });
  const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
  const res = await fetch(`${env.app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { 'content-type': 'application/geo+json', 'X-Auth-Token': token }, body: SAMARA_ZONES });
  if (res.status !== 200) throw new Error(`zones: ${res.status} ${await res.text()}`);
  await env.app.system.zones.setWarehouses(ACCOUNT, [{ address: 'г Самара, ул Ленинградская, д 5', lon: 50.1, lat: 53.2 }]);
}

const mapZone = (leads: Record<string, number>) => admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762381, ...leads } } });
const lead = (id: number) => env.fake.entities.get(ACCOUNT)!.leads.get(id)!;
const tags = (id: number) => ((lead(id)._embedded as { tags?: Array<{ name: string }> } | undefined)?.tags ?? []).map((t) => t.name);
const values = (id: number, fieldId: number) => ((lead(id).custom_fields_values ?? []) as Array<{ field_id?: number; values: Array<Record<string, unknown>> }>).find((f) => f.field_id === fieldId)?.values;

describe('the zone in the lead fields the admin maps', () => {
  it('a list field must offer every zone’s name; zone fields are for leads and of types that hold them', async () => {
    await zonedAccount([{ id: 11, value: 'Авроры', sort: 1 }]);
    const missing = await mapZone({ zoneName: ZONE });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({ code: 'zone_options_missing', field: 'fields.leads.zoneName', missing: ['Центр'] });
    const wrongType = await mapZone({ zonePrice: ZONE });
    expect((await wrongType.json()).error).toMatchObject({ code: 'unsupported_field_type', field: 'fields.leads.zonePrice' });
    const onContacts = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { contacts: { zoneName: 762391 } } });
    expect((await onContacts.json()).error.message).toMatch(/lead fields only/);
    // A text field takes any name; the console shows which names a list lacks.
    expect((await mapZone({ zoneName: DISTANCE })).status).toBe(200);
    env.fake.fields.leads.find((f) => f.id === ZONE)!.enums!.push({ id: 12, value: 'центр', sort: 2 }); // case does not matter
    expect((await mapZone({ zoneName: ZONE, zonePrice: PRICE, zoneDistance: DISTANCE })).status).toBe(200);
  });

  it('a card’s write-back fills zone, price and distance; outside every zone, the tag and no price', async () => {
    await zonedAccount();
    expect((await mapZone({ zoneName: ZONE, zonePrice: PRICE, zoneDistance: DISTANCE })).status).toBe(200);
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка', custom_fields_values: [{ field_id: PRICE, values: [{ value: 999 }] }] });
    const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
    const writeBack = (value: string, data: Record<string, unknown>) =>
      fetch(`${env.app.url}/api/amocrm/leads/${id}/address`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Auth-Token': token }, body: JSON.stringify({ fieldId: 762381, value, data }) });
    // The zone is placed from the point: a zone the caller claims plays no part.
    expect((await writeBack('г Самара, ул Авроры, д 110', { house: '110', lat: 53.1867, lon: 50.192, delivery_zone: 'Центр' })).status).toBe(202);
    await eventually(() => fieldValue(lead(id), 762381) === 'г Самара, ул Авроры, д 110', 'written');
    expect(values(id, ZONE)).toEqual([{ value: 'Авроры', enum_id: 11 }]);
    expect(values(id, PRICE)).toEqual([{ value: 200 }]);
    expect(values(id, DISTANCE)).toEqual([{ value: '6.3' }]);
    expect(tags(id)).toEqual([]);

    expect((await writeBack('Москва, Тверская улица, д 1', { house: '1', lat: 55.75, lon: 37.62 })).status).toBe(202);
    await eventually(() => fieldValue(lead(id), 762381) === 'Москва, Тверская улица, д 1', 'written again');
    expect(values(id, ZONE)).toBeUndefined(); // the list has no "outside" option: cleared, not left naming Авроры
    expect(values(id, PRICE)).toBeUndefined();
    expect(Number(values(id, DISTANCE)?.[0].value)).toBeGreaterThan(700);
    expect(tags(id)).toEqual([TAG]);
    const last = env.fake.patches.at(-1)!.body as Record<string, unknown>;
    expect(last.tags_to_add).toEqual([{ name: TAG }]); // added beside the lead's other tags, never replacing them
    expect(last).not.toHaveProperty('_embedded');

    // Back inside a zone: the tag comes off.
    expect((await writeBack('г Самара, ул Ленинградская, д 7', { house: '7', lat: 53.201, lon: 50.101 })).status).toBe(202);
    await eventually(() => tags(id).length === 0, 'tag removed');
    expect(values(id, ZONE)).toEqual([{ value: 'Центр', enum_id: 12 }]);
  });

  it('a website lead is placed in its zone, and one outside every zone is tagged', async () => {
    await zonedAccount();
    expect((await mapZone({ zoneName: ZONE, zonePrice: PRICE })).status).toBe(200);
    const key = await createSiteKey(env.app);
    const inside = await (await postLead(env.app.url, key, { name: 'Анна', phone: '89170000001', address: 'самара авроры 112' })).json();
    const outside = await (await postLead(env.app.url, key, { name: 'Борис', phone: '89170000002', address: 'москва тверская 1' })).json();
    const sent = async (id: string) => (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
    await eventually(async () => (await sent(inside.id)).status === 'sent' && (await sent(outside.id)).status === 'sent', 'both sent');
    const a = (await sent(inside.id)).amocrm.leadId;
    const b = (await sent(outside.id)).amocrm.leadId;
    expect(values(a, ZONE)).toEqual([{ value: 'Авроры', enum_id: 11 }]);
    expect(values(a, PRICE)).toEqual([{ value: 200 }]);
    expect(tags(a)).toEqual([]);
    expect(tags(b)).toEqual([TAG]);
  });

  it('an address typed in amoCRM and normalised from its webhook gets its zone too', async () => {
    await zonedAccount();
    expect((await mapZone({ zoneName: ZONE, zonePrice: PRICE })).status).toBe(200);
    const secret = env.app.system.webhookUrls!.destination(ACCOUNT).replace('http://127.0.0.1:1', env.app.url);
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'С сайта', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара ленинградская 5' }] }] });
    const res = await fetch(secret, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: webhookBody(ACCOUNT, 'acme', 'leads', 'add', [lead(id) as never]) });
    expect(res.status).toBe(200);
    await eventually(() => values(id, ZONE) !== undefined, 'zone written');
    expect(values(id, ZONE)).toEqual([{ value: 'Центр', enum_id: 12 }]);
    expect(values(id, PRICE)).toEqual([{ value: 400 }]);
  });
});
