/**
 * Cleaning an account's existing addresses (server/cleaning/), as an admin does it from the
 * console, on the fake amoCRM (pages of 250, filters, batch PATCH, its 7-a-second limit) and real
 * OpenStreetMap houses typed the way managers type them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, eventually, fieldValue, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { widgetToken } from '../helpers.js';
import { hasRealdata } from '../realdata.js';
import { addressField, handTyped, importRealHouses, MISTAKES } from './clean-helpers.js';
import { PIPELINE } from '../fakes/fake-amocrm-entities.js';
import type { CleanJob, CleanRowsPage } from '../../contract/cleaning.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';

let env: WriteEnv;
let houses: AddressRecord[];
let token: string;
const leads = () => env.fake.entities.get(ACCOUNT)!.leads as Map<number, Record<string, unknown>>;

beforeEach(async () => {
  env = await writeEnv({ AMOCRM_RATE_PER_SECOND: '7' });
  env.fake.rateLimitPerSecond = 7;
  houses = await importRealHouses(env.app);
  token = await widgetToken({ accountId: ACCOUNT, isAdmin: true });
});
afterEach(async () => {
  await env?.close();
});

const api = async (method: string, path: string, body?: unknown, as = token) => {
  const res = await fetch(`${env.app.url}/api/console/clean${path}`, { method, headers: { 'X-Auth-Token': as, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // Text as sent, its byte-order mark kept (res.text() would drop it).
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()), headers: res.headers };
};
/** A file as the console gets it: a signed link first, then the browser's own request, with no token. */
const download = async (id: number, kind: 'report' | 'undo', lang: 'ru' | 'en' = 'ru') => {
  const link = new URL(((await api('POST', `/${id}/download`, { kind, lang })).body as { url: string }).url);
  expect(link.origin).toBe('http://127.0.0.1:1'); // on PUBLIC_URL
  const url = `${link.pathname}${link.search}`;
  const res = await fetch(`${env.app.url}${url}`);
  return { status: res.status, headers: res.headers, body: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()), url };
};
const job = async (id: number) => (await api('GET', `/${id}`)).body.job as CleanJob;
const until = async (id: number, status: CleanJob['status']) => {
  await eventually(async () => (await job(id)).status === status, `job ${id} ${status}`, 90_000);
  return job(id);
};
const addLead = (address: string | null, extra: Record<string, unknown> = {}) =>
  env.fake.addEntity(ACCOUNT, 'leads', { name: 'Заказ', price: 3000, pipeline_id: PIPELINE.id, status_id: 6001, created_at: 1_780_000_000, custom_fields_values: address === null ? null : addressField(address), ...extra });

describe.skipIf(!hasRealdata)('cleaning the base', () => {
  it('a check classifies every lead, the report and its CSV say so, an apply writes the chosen ones in batches, an undo restores them', async () => {
    // Real houses typed five ways; one already as the index writes it; an empty field; nowhere; two cities.
    const typed = houses.slice(0, 40).map((r, i) => ({ r, id: addLead(handTyped(r, MISTAKES[i % MISTAKES.length], i)) }));
    const first = (await env.app.system.addresses.suggest(ACCOUNT, `${houses[50].street} ${houses[50].house}`, { count: 1, language: 'ru' })).suggestions[0];
    const already = addLead(first.value);
    const empty = addLead(null);
    const nowhere = addLead('Нигделандия, улица Несуществующая 999');
    const twoCities = addLead('Ботаническая улица');
    const formula = addLead('=HYPERLINK("http://evil.example","кликни")');

    const started = await api('POST', '', { entity: 'leads' });
    expect(started.status).toBe(202);
    const checked = await until(started.body.job.id, 'checked');
    expect(checked.read).toBe(typed.length + 5);
    const { body: report } = (await api('GET', `/${checked.id}/rows?limit=500`)) as { body: CleanRowsPage };
    const rowOf = (id: number) => report.rows.find((r) => r.entityId === id)!;
    expect(rowOf(already).class).toBe('unchanged');
    expect(rowOf(empty).class).toBe('empty');
    expect(rowOf(nowhere).class).toBe('not_found');
    expect(rowOf(twoCities)).toMatchObject({ class: 'ambiguous', verdict: 'ambiguous', newValue: null });
    expect(rowOf(formula).class).toBe('not_found');
    // The hand-typed real houses: found and normalised (the typo variants may miss, the rest may not).
    const normalised = typed.filter(({ id }) => rowOf(id).class === 'normalise');
    for (const { r, id } of typed.filter((_, i) => MISTAKES[i % MISTAKES.length] !== 'typo')) {
      expect(rowOf(id).class, `${rowOf(id).oldValue}`).toBe('normalise');
      expect(rowOf(id).newValue).toMatch(new RegExp(`, д ${/^\d+/.exec(r.house)![0]}\\b`));
    }
    expect(normalised.length).toBeGreaterThanOrEqual(32 + 5);
    // A flat typed after the house stays in the address (no flat field is mapped): "…, кв 38".
    const flatRow = rowOf(typed[4].id);
    expect(flatRow.newValue).toMatch(/кв \d+$/);
    expect(rowOf(typed[0].id).link).toBe(`https://acme.amocrm.ru/leads/detail/${typed[0].id}`);
    expect(checked.counts).toEqual({ unchanged: 1, normalise: normalised.length, ambiguous: 1, not_found: 2 + typed.length - normalised.length, empty: 1 });

    // The CSV opens in Excel: BOM, ";" columns, Cyrillic as it is, a formula defused.
    const csv = await download(checked.id, 'report');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="address-check-${checked.id}.csv"`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    const lines = (csv.body as string).slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('"ID";"Ссылка";"Результат";"Было";"Станет";"Точность";"Зона";"Доставка, ₽";"Запись";"Причина"');
    expect(lines).toHaveLength(typed.length + 6);
    expect(lines.find((l) => l.startsWith(`"${formula}"`))).toContain(`"'=HYPERLINK(""http://evil.example"",""кликни"")"`);
    expect(lines.find((l) => l.startsWith(`"${typed[1].id}"`))).toContain('"будет нормализован"');
    expect((await download(checked.id, 'report', 'en')).body).toContain('"will be normalised"');
    // A link is good for its own account, job and file only, and not without its signature.
    expect((await fetch(`${env.app.url}${csv.url.replace(`/${checked.id}/`, `/${checked.id + 1}/`)}`)).status).toBe(404);
    expect((await fetch(`${env.app.url}${csv.url.replace('report.csv', 'undo.csv')}`)).status).toBe(404);
    expect((await fetch(`${env.app.url}${csv.url.replace(/sig=\w+/, 'sig=00')}`)).status).toBe(404);
    expect((await api('GET', `/${checked.id}/report.csv`)).status).toBe(404);

    // Apply the ticked rows only; one of them changed by a manager meanwhile is left alone.
    const ticked = normalised.slice(0, 10).map(({ id }) => id);
    const changedMeanwhile = ticked[3];
    leads().get(changedMeanwhile)!.custom_fields_values = addressField('Менеджер исправил сам');
    const before = new Map(normalised.map(({ id }) => [id, fieldValue(leads().get(id), 762381)]));
    expect((await api('POST', `/${checked.id}/apply`, { ids: [...ticked, already, nowhere] })).status).toBe(202);
    const applied = await until(checked.id, 'applied');
    expect(applied).toMatchObject({ applied: 9, skipped: 1, parked: 0, toDo: 10, done: 10 });
    for (const id of ticked.filter((id) => id !== changedMeanwhile)) expect(fieldValue(leads().get(id), 762381)).toBe(rowOf(id).newValue);
    expect(fieldValue(leads().get(changedMeanwhile), 762381)).toBe('Менеджер исправил сам');
    for (const { id } of normalised.slice(10)) expect(fieldValue(leads().get(id), 762381)).toBe(before.get(id)); // not ticked
    expect(fieldValue(leads().get(nowhere), 762381)).toBe('Нигделандия, улица Несуществующая 999'); // not a "normalise" row
    expect(env.fake.batchPatches).toBe(1); // nine leads, one request
    const rows = ((await api('GET', `/${checked.id}/rows?limit=500`)).body as CleanRowsPage).rows;
    expect(rows.find((r) => r.entityId === changedMeanwhile)).toMatchObject({ state: 'skipped', reason: 'changed in amoCRM since the check' });

    // The old values, as a file; then the undo writes them back — except where a manager changed the address after the apply.
    const undoFile = await download(checked.id, 'undo');
    expect((undoFile.body as string).slice(1).trim().split('\r\n')).toHaveLength(1 + 9);
    expect(undoFile.body).toContain(String(before.get(ticked[0])));
    const editedAfter = ticked[0];
    leads().get(editedAfter)!.custom_fields_values = addressField('Исправлено после записи');
    expect((await api('POST', `/${checked.id}/undo`)).status).toBe(202);
    const undone = await until(checked.id, 'undone');
    expect(undone).toMatchObject({ undone: 8 });
    for (const id of ticked.filter((id) => id !== changedMeanwhile && id !== editedAfter)) expect(fieldValue(leads().get(id), 762381)).toBe(before.get(id));
    expect(fieldValue(leads().get(editedAfter), 762381)).toBe('Исправлено после записи');
    // amoCRM's limit was kept throughout.
    expect(env.fake.rateViolations).toBe(0);
    expect(env.fake.maxPerSecond(ACCOUNT)).toBeLessThanOrEqual(7);
  }, 180_000);

  it('reads only what the filter says: a pipeline stage and a creation date range, page after page', async () => {
    const record = houses[0];
    const made = [];
    for (let i = 0; i < 560; i++) made.push(addLead(`${record.street} ${record.house}`, { status_id: i % 2 ? 6001 : 142, created_at: Date.parse(`2026-0${1 + (i % 3)}-15T10:00:00Z`) / 1000 }));
    const res = await api('POST', '', { entity: 'leads', pipelineId: PIPELINE.id, statusId: 6001, createdFrom: '2026-01-01', createdTo: '2026-02-28' });
    const done = await until(res.body.job.id, 'checked');
    const expected = made.filter((_, i) => i % 2 === 1 && i % 3 !== 2).length;
    expect(done.read).toBe(expected);
    // Pages of 250: the whole filtered list in ceil(n / 250) list requests.
    const lists = env.fake.requests.filter((r) => r.method === 'GET' && r.path === '/api/v4/leads' && r.query['filter[statuses][0][status_id]'] === '6001');
    expect(lists.map((r) => Number(r.query.limit))).toEqual(Array(Math.ceil(expected / 250)).fill(250));
    expect(lists[0].query['filter[created_at][from]']).toBe(String(Date.parse('2026-01-01T00:00:00Z') / 1000));
  }, 120_000);

  it('each row carries the delivery zone of its point and the price for the lead’s own budget', async () => {
    // One zone over all of Moscow: 300 ₽, free from 5,000 ₽.
    const zone = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Москва', price: 300, free_from: 5000 }, geometry: { type: 'Polygon', coordinates: [[[37.3, 55.5], [37.9, 55.5], [37.9, 56.0], [37.3, 56.0], [37.3, 55.5]]] } }] };
    const put = await fetch(`${env.app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'content-type': 'application/geo+json' }, body: JSON.stringify(zone) });
    expect(put.status).toBe(200);
    const cheap = addLead(`${houses[0].street} ${houses[0].house}`, { price: 3000 });
    const big = addLead(`${houses[1].street} ${houses[1].house}`, { price: 9000 });
    const started = (await api('POST', '', { entity: 'leads' })).body.job as CleanJob;
    await until(started.id, 'checked');
    const rows = ((await api('GET', `/${started.id}/rows`)).body as CleanRowsPage).rows;
    expect(rows.find((r) => r.entityId === cheap)).toMatchObject({ class: 'normalise', zone: 'Москва', price: 300 });
    expect(rows.find((r) => r.entityId === big)).toMatchObject({ zone: 'Москва', price: 0 });
  }, 120_000);

  it('a row amoCRM will not let us edit is parked with the reason; the rest of its batch is written', async () => {
    const ids = houses.slice(0, 6).map((r) => addLead(`${r.street} ${r.house}`));
    const started = (await api('POST', '', { entity: 'leads' })).body.job as CleanJob;
    await until(started.id, 'checked');
    env.fake.readOnly.add(ids[2]);
    await api('POST', `/${started.id}/apply`);
    const done = await until(started.id, 'applied');
    expect(done).toMatchObject({ applied: 5, parked: 1 });
    const parked = ((await api('GET', `/${started.id}/rows`)).body as CleanRowsPage).rows.find((r) => r.entityId === ids[2])!;
    expect(parked.state).toBe('parked');
    expect(parked.reason).toMatch(/Insufficient rights/);
  }, 120_000);

  it('one job at a time per account, cancellable; bad input is a 400 that names the field; other accounts and users see nothing', async () => {
    for (let i = 0; i < 600; i++) addLead(`${houses[i % houses.length].street} ${houses[i % houses.length].house}`);
    env.app.system.worker.stop(); // the job waits, so that it is surely running when the next start comes
    const first = await api('POST', '', { entity: 'leads' });
    expect((await api('POST', '', { entity: 'contacts' })).status).toBe(409);
    expect((await api('POST', `/${first.body.job.id}/cancel`)).status).toBe(200);
    env.app.system.worker.start();
    const cancelled = await until(first.body.job.id, 'cancelled');
    expect(cancelled.read).toBe(0);
    expect((await api('POST', `/${first.body.job.id}/apply`, { ids: [1] })).status).toBe(400); // nothing "normalise" was read

    expect((await api('POST', '', { entity: 'deals' })).body.error.field).toBe('entity');
    expect((await api('POST', '', { entity: 'leads', statusId: 6001 })).body.error.field).toBe('pipelineId');
    expect((await api('POST', '', { entity: 'contacts', pipelineId: 5000 })).body.error.field).toBe('pipelineId');
    expect((await api('POST', '', { entity: 'leads', createdFrom: '2026-02-30' })).body.error.field).toBe('createdFrom');
    expect((await api('POST', '', { entity: 'leads', createdFrom: '2026-03-01', createdTo: '2026-02-01' })).body.error.field).toBe('createdFrom');
    expect((await api('GET', '/abc')).status).toBe(400);
    expect((await api('GET', `/${first.body.job.id}/rows?limit=100000`)).status).toBe(400);
    const manager = await widgetToken({ accountId: ACCOUNT, isAdmin: false });
    expect((await api('GET', `/${first.body.job.id}`, undefined, manager)).status).toBe(403);
    const stranger = await widgetToken({ accountId: 36000999, subdomain: 'other', isAdmin: true });
    expect((await api('GET', `/${first.body.job.id}`, undefined, stranger)).status).toBe(409); // never connected: nothing to read
  }, 120_000);
});

describe.skipIf(!hasRealdata)('cleaning the base: large batches', () => {
  it('a batch amoCRM answers 504 is sent again in halves, and each lead is written once', async () => {
    await env.close();
    env = await writeEnv({ AMOCRM_RATE_PER_SECOND: '7', CLEAN_WRITE_BATCH: '250' });
    houses = await importRealHouses(env.app);
    env.fake.batchTimeoutAbove = 60;
    const ids = Array.from({ length: 200 }, (_, i) => addLead(handTyped(houses[i % houses.length], 'noCity', i)));
    const started = (await api('POST', '', { entity: 'leads' })).body.job as CleanJob;
    await until(started.id, 'checked');
    await api('POST', `/${started.id}/apply`);
    const done = await until(started.id, 'applied');
    expect(done.applied).toBe(200);
    // 200 → 504; 100 + 100 → 504 each; then four batches of 50 written.
    expect(env.fake.batchPatches).toBe(4);
    const written = env.fake.patches.map((p) => p.id);
    expect(new Set(written).size).toBe(200);
    expect(written).toHaveLength(200);
    for (const id of ids) expect(fieldValue(leads().get(id), 762381)).toMatch(/^г Москва, /);
  }, 120_000);
});

describe.skipIf(!hasRealdata)('cleaning the base: amoCRM failing for a while', () => {
  it('a turn that fails is tried again; meanwhile the job says why, and the message goes once a turn goes through', async () => {
    await env.close();
    env = await writeEnv({ AMOCRM_RATE_PER_SECOND: '7', OUTBOX_RETRY_BASE_MS: '1500' });
    houses = await importRealHouses(env.app);
    for (let i = 0; i < 20; i++) addLead(handTyped(houses[i], 'noCity', i));
    await env.app.system.mapping!.forEntity(ACCOUNT, 'leads'); // the fields read (and cached) before amoCRM starts failing
    env.fake.failNext(...Array(5).fill('status503')); // the first list request, and every retry of it
    const started = (await api('POST', '', { entity: 'leads' })).body.job as CleanJob;
    await eventually(async () => (await job(started.id)).error !== null, 'the failure shown', 30_000);
    expect((await job(started.id)).error).toMatch(/503/);
    const done = await until(started.id, 'checked');
    expect(done.read).toBe(20);
    expect(done.error).toBeNull();
  }, 120_000);
});
