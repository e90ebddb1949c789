/**
 * A delivery the courier can make, in amoCRM: the courier's details go to the lead fields the
 * admin mapped (unmapped ones stay in the address line, DaData's style), the verdict is written in
 * words with a tag on weak addresses, and the delivery price is the one for the lead's own budget.
 * On a card's write-back and on a website lead, against the fake amoCRM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, admin, createSiteKey, eventually, fieldValue, postLead, writeEnv, type WriteEnv } from './write-helpers.js';
import { widgetToken } from '../helpers.js';
import { SAMARA_ZONES } from '../delivery/samara-zones.js';
import { webhookBody } from '../fakes/fake-amocrm-entities.js';

let env: WriteEnv;
afterEach(async () => {
  await env?.close();
  env = undefined as unknown as WriteEnv;
});

const F = { price: 762403, flat: 762411, entrance: 762413, intercom: 762415, verdict: 762417 };
const TAG = 'адрес не проверен';

async function account(): Promise<void> {
  env = await writeEnv();
  env.fake.fields.leads.push(
    { id: F.price, name: 'Стоимость доставки', type: 'numeric' },
    { id: F.flat, name: 'Квартира', type: 'numeric' },
    { id: F.entrance, name: 'Подъезд', type: 'text' },
    { id: F.intercom, name: 'Домофон', type: 'text' },
    { id: F.verdict, name: 'Проверка адреса', type: 'text' },
  );
  const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
  const res = await fetch(`${env.app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { 'content-type': 'application/geo+json', 'X-Auth-Token': token }, body: SAMARA_ZONES });
  if (res.status !== 200) throw new Error(`zones: ${res.status}`);
  // Авроры: 200 ₽, from 3 000 ₽ free, orders from 1 000 ₽.
  const set = (await env.app.system.zones.get(ACCOUNT))!;
  await env.app.system.zones.edit(ACCOUNT, set.zones.map(({ id, name, price, min_order, free_from, time, color, no_delivery }) => (name === 'Авроры' ? { id, name, price: 200, min_order: 1000, free_from: 3000, time, color, no_delivery } : { id, name, price, min_order, free_from, time, color, no_delivery })));
  await env.app.system.zones.setWarehouses(ACCOUNT, [{ address: 'г Самара, ул Ленинградская, д 5', lon: 50.1, lat: 53.2 }]);
  const mapped = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, {
    uncheckedTag: TAG,
    fields: { leads: { address: 762381, zonePrice: F.price, flat: F.flat, entrance: F.entrance, intercom: F.intercom, verdict: F.verdict } },
  });
  if (mapped.status !== 200) throw new Error(`settings: ${mapped.status} ${await mapped.text()}`);
}

const lead = (id: number) => env.fake.entities.get(ACCOUNT)!.leads.get(id)!;
const tags = (id: number) => ((lead(id)._embedded as { tags?: Array<{ name: string }> } | undefined)?.tags ?? []).map((t) => t.name);
const values = (id: number, fieldId: number) => ((lead(id).custom_fields_values ?? []) as Array<{ field_id?: number; values: Array<Record<string, unknown>> | null }>).find((f) => f.field_id === fieldId)?.values;

describe('the courier’s details, the verdict and the price in the lead', () => {
  it('the mapping is checked: a verdict or comment needs a text field, a detail a text or number field, the tag at most 50 characters', async () => {
    await account();
    env.fake.fields.leads.push({ id: 762421, name: 'Дата', type: 'date' });
    const save = (body: unknown) => admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, body);
    const numericVerdict = await save({ fields: { leads: { address: 762381, verdict: F.price } } });
    expect(numericVerdict.status).toBe(400);
    expect((await numericVerdict.json()).error).toMatchObject({ code: 'unsupported_field_type', field: 'fields.leads.verdict' });
    const dateFloor = await save({ fields: { leads: { address: 762381, floor: 762421 } } });
    expect((await dateFloor.json()).error).toMatchObject({ code: 'unsupported_field_type', field: 'fields.leads.floor' });
    const longTag = await save({ uncheckedTag: 'т'.repeat(51), fields: {} });
    expect(longTag.status).toBe(400);
    expect((await longTag.json()).error).toMatchObject({ field: 'uncheckedTag', message: expect.stringContaining('at most 50 characters') });
    // Nothing of the refused choices was saved: the mapping made in account() is still there.
    expect((await env.app.system.accountSettings!.choices(ACCOUNT)).settings).toMatchObject({ uncheckedTag: TAG, fields: { leads: { verdict: F.verdict, flat: F.flat } } });
  });

  it('a card’s write-back: details to their fields, the rest in the line; the price for the lead’s budget; the verdict and its tag', async () => {
    await account();
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Сделка', price: 3500 });
    const token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
    const writeBack = (value: string, data: Record<string, unknown>) =>
      fetch(`${env.app.url}/api/amocrm/leads/${id}/address`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Auth-Token': token }, body: JSON.stringify({ fieldId: 762381, value, data }) });
    const typed = 'г Самара, ул Авроры, д 110, кв 5, подъезд 2, этаж 3, домофон 12К';
    const parts = { city: 'Самара', street: 'ул Авроры', house: '110', lat: 53.1867, lon: 50.192, qc_geo: '0', flat_type: 'кв', flat: '5', entrance: '2', floor: '3', intercom: '12К', courier_comment: 'позвонить за час' };
    expect((await writeBack(typed, parts)).status).toBe(202);
    // Floor and the comment have no field of their own: they stay in the line, in DaData's style.
    const line = 'г Самара, ул Авроры, д 110, этаж 3, комментарий: позвонить за час';
    await eventually(() => fieldValue(lead(id), 762381) === line, 'written');
    expect(values(id, F.flat)).toEqual([{ value: 5 }]);
    expect(values(id, F.entrance)).toEqual([{ value: '2' }]);
    expect(values(id, F.intercom)).toEqual([{ value: '12К' }]);
    expect(values(id, F.verdict)).toEqual([{ value: 'дом найден, точка дома' }]);
    expect(values(id, F.price)).toEqual([{ value: 0 }]); // 3 500 ₽ ≥ 3 000 ₽: free
    expect(tags(id)).toEqual([]);

    // The budget drops below the free threshold and the house has only its street's point: priced, tagged.
    lead(id).price = 1500;
    expect((await writeBack('г Самара, ул Авроры, д 112', { ...parts, house: '112', flat: null, flat_type: null, entrance: null, floor: null, intercom: null, courier_comment: null, qc_geo: '2' })).status).toBe(202);
    await eventually(() => fieldValue(lead(id), 762381) === 'г Самара, ул Авроры, д 112', 'written again');
    expect(values(id, F.price)).toEqual([{ value: 200 }]);
    expect(values(id, F.flat)).toBeUndefined(); // the previous address's flat is cleared
    expect(values(id, F.verdict)).toEqual([{ value: 'дом найден, точка по улице или населённому пункту' }]);
    expect(tags(id)).toEqual([TAG]);
  });

  it('a website lead: the details it sends, the order sum as the budget, the verdict of its text', async () => {
    await account();
    const key = await createSiteKey(env.app);
    const res = await postLead(env.app.url, key, { name: 'Ирина', phone: '+7 917 000-00-01', address: 'Самара Авроры 110', flat: '7', entrance: '1', intercom: '7#', courier_comment: 'с собакой', price: 1800 });
    expect(res.status).toBe(202);
    await eventually(() => [...env.fake.entities.get(ACCOUNT)!.leads.values()].some((l) => String(l.name).includes('Ирина')), 'lead created');
    const created = [...env.fake.entities.get(ACCOUNT)!.leads.values()].find((l) => String(l.name).includes('Ирина'))!;
    const id = created.id as number;
    expect(created.price).toBe(1800);
    expect(values(id, F.flat)).toEqual([{ value: 7 }]);
    expect(values(id, F.intercom)).toEqual([{ value: '7#' }]);
    expect(String(fieldValue(lead(id), 762381))).toMatch(/ул Авроры, д 110, комментарий: с собакой$/);
    expect(values(id, F.price)).toEqual([{ value: 200 }]); // 1 800 ₽ is over the 1 000 ₽ minimum, under the 3 000 ₽ free threshold
  });

  it('a website lead whose address is not found keeps its text, gets the verdict in words and the tag', async () => {
    await account();
    const key = await createSiteKey(env.app);
    expect((await postLead(env.app.url, key, { name: 'Олег', phone: '+7 917 000-00-02', address: 'где-то за рекой' })).status).toBe(202);
    await eventually(() => [...env.fake.entities.get(ACCOUNT)!.leads.values()].some((l) => String(l.name).includes('Олег')), 'lead created');
    const created = [...env.fake.entities.get(ACCOUNT)!.leads.values()].find((l) => String(l.name).includes('Олег'))!;
    expect(fieldValue(created, 762381)).toBe('где-то за рекой');
    expect(values(created.id as number, F.verdict)).toEqual([{ value: 'адрес не найден' }]);
    expect(((created._embedded as { tags?: Array<{ name: string }> }).tags ?? []).map((t) => t.name)).toContain(TAG);
  });

  it('an address typed in amoCRM with "домофон 12" and "под 3": normalised from its webhook, the details to their fields; a street alone keeps its text, with the verdict and the tag', async () => {
    await account();
    const hook = (id: number) =>
      fetch(env.app.system.webhookUrls!.destination(ACCOUNT).replace('http://127.0.0.1:1', env.app.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: webhookBody(ACCOUNT, 'acme', 'leads', 'add', [lead(id) as never]) });
    const id = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Звонок', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара авроры 110 под 3 домофон 12' }] }] });
    expect((await hook(id)).status).toBe(200);
    await eventually(() => values(id, F.intercom) !== undefined, 'details written');
    expect(fieldValue(lead(id), 762381)).toBe('г Самара, ул Авроры, д 110');
    expect(values(id, F.intercom)).toEqual([{ value: '12' }]);
    expect(values(id, F.entrance)).toEqual([{ value: '3' }]);
    expect(values(id, F.verdict)).toEqual([{ value: 'дом найден, точка дома' }]);

    // A house the data does not have: its street is all that is known. The text stays as typed.
    const street = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Звонок 2', custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара авроры 999' }] }] });
    expect((await hook(street)).status).toBe(200);
    await eventually(() => values(street, F.verdict) !== undefined, 'verdict written');
    expect(fieldValue(lead(street), 762381)).toBe('самара авроры 999');
    expect(values(street, F.verdict)).toEqual([{ value: 'найдена только улица' }]);
    expect(tags(street)).toEqual([TAG]);
    // The update our own write causes is recognised: no second round of writes.
    const writes = env.fake.patches.length;
    const done = (await env.app.system.outbox.counts()).done;
    expect((await hook(street)).status).toBe(200);
    await eventually(async () => (await env.app.system.outbox.counts()).done > done, 'the webhook handled');
    expect(env.fake.patches.length).toBe(writes);
  });
});
