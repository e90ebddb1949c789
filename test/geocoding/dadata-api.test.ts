/**
 * DaData's address API on our server (server/http/dadata-routes.ts), as a client written for
 * DaData calls it: paths, bodies, the Token header, bounds, locations, errors in DaData's shape,
 * and every answer checked against a schema written from DaData's documented `data` object
 * (contract/dadata.ts: every key present, strings or null, lists for metro/history_values).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startSamaraApp, type RunningApp } from '../helpers.js';
import { DEMO_ACCOUNT_ID } from '../../server/admin/demo-account.js';
import { DADATA_ADDRESS_KEYS } from '../../contract/dadata.js';
import { withoutRegion } from '../../server/geocoding/normalize.js';
import { IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { BAIKONUR, hasGar } from '../address-data/gar-fixtures.js';

/** DaData's documented data object: every key, each a string or null (metro, history_values: lists; divisions: anything). */
export const dadataDataSchema = z
  .object(Object.fromEntries(DADATA_ADDRESS_KEYS.map((k) => [k, k === 'metro' ? z.array(z.object({ name: z.string(), line: z.string(), distance: z.number() })).nullable() : k === 'history_values' ? z.array(z.string()).nullable() : k === 'divisions' ? z.unknown() : z.string().nullable()])))
  .strict();
export const dadataAnswerSchema = z.object({ suggestions: z.array(z.object({ value: z.string(), unrestricted_value: z.string(), data: dadataDataSchema }).strict()) }).strict();

let app: RunningApp;
let key: string;
let limited: string;
const BASE = '/suggestions/api/4_1/rs';

async function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.url}${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${key}`, ...headers }, body: JSON.stringify(body) });
}
async function suggest(body: Record<string, unknown>) {
  const res = await call('/suggest/address', body);
  expect(res.status).toBe(200);
  const json = await res.json();
  expect(() => dadataAnswerSchema.parse(json)).not.toThrow();
  return json as z.infer<typeof dadataAnswerSchema>;
}

beforeAll(async () => {
  app = await startSamaraApp();
  // The registry's real г Байконур beside the Samara streets: findById reads FIAS ids and KLADR codes.
  if (hasGar) {
    await IndexBuild.run(app.system.config.indexDir, (build) => importGar(build, BAIKONUR));
    app.system.servedIndex.refresh();
  }
  key = (await app.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'shop')).key;
  limited = (await app.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'limited shop', ['https://shop.example'])).key;
});
afterAll(() => app?.close());

describe("DaData's suggest/address on our server", () => {
  it("answers DaData's body with DaData's answer: every key of data present and typed, value in DaData's spelling", async () => {
    const { suggestions } = await suggest({ query: 'самара авроры 110', count: 5 });
    expect(suggestions[0].value).toBe('г Самара, ул Авроры, д 110');
    expect(suggestions[0].unrestricted_value).toBe('443017, Самарская обл, г Самара, ул Авроры, д 110');
    expect(suggestions[0].data).toMatchObject({ postal_code: '443017', country: 'Россия', country_iso_code: 'RU', region_with_type: 'Самарская обл', region_type: 'обл', region_type_full: 'область', region: 'Самарская', city_with_type: 'г Самара', city_type: 'г', city: 'Самара', street_with_type: 'ул Авроры', street_type: 'ул', street_type_full: 'улица', street: 'Авроры', house_type: 'д', house_type_full: 'дом', house: '110', geo_lat: '53.1867', geo_lon: '50.192', qc_geo: '0', fias_level: '8', fias_id: '', house_fias_id: null, capital_marker: '2' });
    expect(Object.keys(suggestions[0].data)).toEqual([...DADATA_ADDRESS_KEYS]);
    expect(suggestions.length).toBeLessThanOrEqual(5);
  });

  it('bounds: city-only suggestions, then streets of a city given in locations, value restricted', async () => {
    const cities = await suggest({ query: 'сам', from_bound: { value: 'city' }, to_bound: { value: 'city' } });
    expect(cities.suggestions.length).toBeGreaterThan(0);
    expect(cities.suggestions.every((s) => s.data.street === null && s.data.house === null)).toBe(true);
    expect(cities.suggestions[0].value).toBe('г Самара');
    const streets = await suggest({ query: 'лен', from_bound: { value: 'street' }, to_bound: { value: 'street' }, locations: [{ city: 'Самара' }], restrict_value: true });
    expect(streets.suggestions.map((s) => s.value)).toEqual(['ул Ленинградская']);
    expect(streets.suggestions[0].unrestricted_value).toBe('Самарская обл, г Самара, ул Ленинградская');
    const houses = await suggest({ query: 'Самара Авроры 11', to_bound: { value: 'house' } });
    expect(houses.suggestions.every((s) => s.data.house !== null)).toBe(true);
  });

  it('locations: a region or city the answer is not in is filtered out', async () => {
    expect((await suggest({ query: 'Самара Авроры', locations: [{ region: 'Самарская' }] })).suggestions.length).toBeGreaterThan(0);
    expect((await suggest({ query: 'Самара Авроры', locations: [{ region: 'Татарстан' }] })).suggestions).toEqual([]);
    expect((await suggest({ query: 'Самара Авроры', locations: [{ city: 'Москва' }, { city: 'Самара' }] })).suggestions.length).toBeGreaterThan(0);
  });

  it("the plugin's enrichment (its own unrestricted value, count 1) finds the same address", async () => {
    expect(withoutRegion('443017, Самарская обл, г Самара, ул Авроры, д 110')).toBe('г Самара, ул Авроры, д 110');
    expect(withoutRegion('127282, г Москва, ул Гончарова, д 3')).toBe('г Москва, ул Гончарова, д 3');
    const [picked] = (await suggest({ query: 'самара авроры 112' })).suggestions;
    const [enriched] = (await suggest({ query: picked.unrestricted_value, count: 1 })).suggestions;
    expect(enriched.value).toBe(picked.value);
    expect(enriched.data.geo_lat).toBe(picked.data.geo_lat);
    // The same read-back on every path (the widget's resolve, webhooks, website leads): the region is a preference, not a word to find.
    const resolved = await (await fetch(`${app.url}/api/address/resolve?${new URLSearchParams({ q: picked.unrestricted_value })}`)).json();
    expect(resolved.suggestion.value).toBe(picked.value);
  });

  it('status/address answers search: true (the plugin asks it first); iplocate has no IP data', async () => {
    const status = await fetch(`${app.url}${BASE}/status/address`, { headers: { authorization: `Token ${key}` } });
    expect(await status.json()).toMatchObject({ search: true, enrich: true });
    const ip = await fetch(`${app.url}${BASE}/iplocate/address?ip=8.8.8.8`, { headers: { authorization: `Token ${key}` } });
    expect(await ip.json()).toEqual({ location: null });
  });

  it("refuses as DaData does: 401 without a key, 403 for an unknown key or another origin, 400 for a bad body, in DaData's error shape", async () => {
    const none = await fetch(`${app.url}${BASE}/suggest/address`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"самара"}' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ family: 'CLIENT_ERROR', reason: 'Unauthorized', message: expect.stringContaining('Authorization: Token') });
    const unknown = await call('/suggest/address', { query: 'самара' }, { authorization: `Token ak_${'x'.repeat(32)}` });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ family: 'CLIENT_ERROR', reason: 'Forbidden' });
    const elsewhere = await call('/suggest/address', { query: 'самара' }, { authorization: `Token ${limited}`, origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect((await elsewhere.json()).message).toContain('https://shop.example');
    expect((await call('/suggest/address', { query: 'самара' }, { authorization: `Token ${limited}`, origin: 'https://shop.example' })).status).toBe(200);
    for (const body of [{}, { query: 5 }, { query: 'самара', count: 21 }, { query: 'самара', to_bound: { value: 'planet' } }]) {
      const res = await call('/suggest/address', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ family: 'CLIENT_ERROR', reason: 'Bad Request' });
    }
    const broken = await fetch(`${app.url}${BASE}/suggest/address`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${key}` }, body: '{"query":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ family: 'CLIENT_ERROR' });
    expect((await call('/suggest/party', { query: 'сбербанк' })).status).toBe(404);
  });

  it('answers a browser’s preflight as DaData does (any origin, its headers), and never shows the account’s own addresses', async () => {
    const pre = await fetch(`${app.url}${BASE}/suggest/address`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-version' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    await app.system.addresses.remember(DEMO_ACCOUNT_ID, { value: 'г Самара, ул Тайная, д 1', data: { city: 'Самара', street: 'Тайная', house: '1' } });
    expect((await suggest({ query: 'самара тайная' })).suggestions.map((s) => s.value)).not.toContain('г Самара, ул Тайная, д 1');
  });

  it.skipIf(!hasGar)('findById/address: a registry house or street by its FIAS id, a house by its KLADR code', async () => {
    const house = (await suggest({ query: 'байконур гагарина 5' })).suggestions[0] as { value: string; data: Record<string, string> };
    expect(house.data.house_fias_id).toMatch(/^[0-9a-f-]{36}$/);
    const byId = async (query: string) => {
      const res = await call('/findById/address', { query });
      expect(res.status).toBe(200);
      const json = await res.json();
      expect(() => dadataAnswerSchema.parse(json)).not.toThrow();
      return json.suggestions as Array<{ value: string; data: Record<string, string | null> }>;
    };
    expect((await byId(house.data.house_fias_id))[0]).toMatchObject({ value: house.value, data: { house_fias_id: house.data.house_fias_id } });
    const [street] = await byId(house.data.street_fias_id);
    expect(street.value).toBe('г Байконур, ул Гагарина');
    expect(street.data).toMatchObject({ street_fias_id: house.data.street_fias_id, house: null, fias_level: '7' });
    // Байконур's houses carry no KLADR code of their own: the one they answer with is their street's, and finds the street.
    expect(house.data.kladr_id).toMatch(/^\d{17}$/);
    expect((await byId(house.data.kladr_id)).map((s) => s.value)).toContain('г Байконур, ул Гагарина');
    expect(await byId('00000000-0000-0000-0000-000000000000')).toEqual([]);
    expect((await call('/findById/address', { query: '' })).status).toBe(400);
  });

  it('geolocate/address: the houses nearest to a point within the radius, nearest first', async () => {
    const res = await call('/geolocate/address', { lat: 53.1867, lon: 50.192, radius_meters: 100, count: 3 });
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(() => dadataAnswerSchema.parse(json)).not.toThrow();
    expect(json.suggestions[0].value).toBe('г Самара, ул Авроры, д 110');
    expect(json.suggestions.length).toBeGreaterThan(1);
    const far = await (await call('/geolocate/address', { lat: 53.3, lon: 50.5, radius_meters: 100 })).json();
    expect(far.suggestions).toEqual([]);
    for (const body of [{ lat: 95, lon: 50 }, { lat: '53', lon: 50 }, { lat: 53, lon: 50, radius_meters: 5000 }]) expect((await call('/geolocate/address', body)).status, JSON.stringify(body)).toBe(400);
  });

  it('in the card, a pasted point or map link is answered with its nearest houses', async () => {
    const ask = async (q: string) => ((await (await fetch(`${app.url}/api/address/suggest?${new URLSearchParams({ q })}`)).json()) as { suggestions: Array<{ value: string }> }).suggestions.map((s) => s.value);
    expect((await ask('53.1867, 50.1920'))[0]).toBe('г Самара, ул Авроры, д 110');
    expect((await ask('https://yandex.ru/maps/51/samara/?ll=50.192000%2C53.186700&z=18'))[0]).toBe('г Самара, ул Авроры, д 110');
    expect((await ask('https://www.openstreetmap.org/#map=19/53.18670/50.19200'))[0]).toBe('г Самара, ул Авроры, д 110');
    expect(await ask('0.0, 0.0')).not.toContain('г Самара, ул Авроры, д 110');
  });

  it('locations_boost puts what lies in the given place first', async () => {
    const plain = (await suggest({ query: 'лен', count: 20 })).suggestions;
    const last = plain.at(-1)!;
    expect(last.data.city).not.toBe(plain[0].data.city); // several places answer: the boost has something to move
    const boosted = (await suggest({ query: 'лен', count: 20, locations_boost: [{ city: last.data.city! }] })).suggestions;
    expect(boosted[0].data.city).toBe(last.data.city);
    expect(new Set(boosted.map((s) => s.value))).toEqual(new Set(plain.map((s) => s.value))); // the same answers, reordered
  });

  it("past the key's rate: 429 in DaData's shape with Retry-After, for that key only", async () => {
    const tight = await startSamaraApp({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const [a, b] = [(await tight.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'a')).key, (await tight.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'b')).key];
      const ask = (k: string) => fetch(`${tight.url}${BASE}/suggest/address`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${k}` }, body: '{"query":"самара"}' });
      expect((await ask(a)).status).toBe(200);
      expect((await ask(a)).status).toBe(200);
      const refused = await ask(a);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(await refused.json()).toMatchObject({ family: 'CLIENT_ERROR', reason: 'Too Many Requests' });
      expect((await ask(b)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});
