/**
 * Delivery zones through the real server: the console API (upload, list, edit, warehouses,
 * check) in the demo and for amoCRM accounts, the zone on every suggestion, and bad files that
 * leave the zones in use untouched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { amoEnv, connectAccount, startFakeAmo, startSamaraApp, widgetToken, type RunningApp } from '../helpers.js';
import type { FakeAmoCrm } from '../fakes/fake-amocrm.js';
import { SAMARA_ZONES, SAMARA_ZONES_CLOSED } from './samara-zones.js';
import type { DeliveryZonesView, Suggestion } from '../../contract/api.js';

const GEOJSON = { 'content-type': 'application/geo+json' };
const JSON_BODY = { 'content-type': 'application/json' };


describe('in the demo (no amoCRM credentials: the demo account)', () => {
  let app: RunningApp;
  // Many files in one run: the per-account limit on uploads (its own test below) is lifted here.
  beforeAll(async () => void (app = await startSamaraApp({ ZONE_UPLOADS_PER_MINUTE: '1000' })));
  afterAll(async () => app.close());
  afterEach(async () => {
    await fetch(`${app.url}/api/console/delivery-zones`, { method: 'DELETE' });
    await fetch(`${app.url}/api/console/delivery-zones/warehouses`, { method: 'PUT', headers: JSON_BODY, body: JSON.stringify({ warehouses: [] }) });
  });

  const suggest = async (q: string): Promise<Suggestion[]> => (await (await fetch(`${app.url}/api/address/suggest?${new URLSearchParams({ q, count: '5' })}`)).json()).suggestions;
  const upload = (body: string | Buffer, headers: Record<string, string> = GEOJSON, query = '') => fetch(`${app.url}/api/console/delivery-zones${query}`, { method: 'PUT', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const zones = async (): Promise<DeliveryZonesView> => (await fetch(`${app.url}/api/console/delivery-zones`)).json();

  it('without zones, answers carry no delivery fields; after an upload every answer with a point does', async () => {
    const before = await suggest('Самара Авроры 110');
    expect(before[0].data).not.toHaveProperty('delivery_zone');
    const res = await upload(SAMARA_ZONES);
    expect(res.status).toBe(200);
    const view = (await res.json()) as DeliveryZonesView;
    expect(view.zones.map((z) => [z.name, z.price, z.free_from, z.time, z.color])).toEqual([
      ['Авроры', 200, 3000, '60 минут', '#56db40'],
      ['Центр', 400, null, null, '#1e98ff'],
    ]);
    expect(view.zones[0].outline[0][0]).toHaveLength(5);
    const [house] = await suggest('Самара Авроры 110');
    expect(house.value).toBe('г Самара, ул Авроры, д 110');
    expect(house.data.delivery_zone).toEqual({ id: view.zones[0].id, name: 'Авроры', price: 200, min_order: null, free_from: 3000, time: '60 минут', color: '#56db40', no_delivery: false });
    expect(house.data.delivery_distance_km).toBeNull(); // no warehouse yet
    // Moscow is outside every zone: null, not absent.
    const [moscow] = await suggest('Москва Тверская 1');
    expect(moscow.data.delivery_zone).toBeNull();
    // The street's own point stands in for its houses: said.
    const street = (await suggest('Самара Ленинградская')).find((s) => !s.data.house && s.data.street);
    expect(street?.data.delivery_zone).toMatchObject({ name: 'Центр', approximate: true });
  });

  it('a replaced file swaps every zone at once, and answers show the new zones at once (no stale cached answer)', async () => {
    await upload(SAMARA_ZONES);
    expect((await suggest('Самара Ленинградская 5'))[0].data.delivery_zone?.name).toBe('Центр');
    const res = await upload(SAMARA_ZONES_CLOSED);
    const view = (await res.json()) as DeliveryZonesView;
    expect(view.zones.map((z) => z.name)).toEqual(['Перекрыто', 'Авроры', 'Центр']);
    expect((await suggest('Самара Ленинградская 5'))[0].data.delivery_zone).toMatchObject({ name: 'Перекрыто', no_delivery: true });
  });

  it('edits rename, reprice, recolour and reorder; a list that leaves a zone out changes nothing', async () => {
    const view = (await (await upload(SAMARA_ZONES_CLOSED)).json()) as DeliveryZonesView;
    const edited = view.zones.map(({ id, name, price, free_from, time, color, no_delivery }) => ({ id, name, price, free_from, time, color, no_delivery }));
    const [closed, aurora, centre] = edited;
    const body = { zones: [{ ...centre, name: 'Центр города', price: 350, color: '#FF0000' }, aurora, closed] };
    const res = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PATCH', headers: JSON_BODY, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    // The centre now comes first, so it wins over the closed square inside it.
    expect((await suggest('Самара Ленинградская 5'))[0].data.delivery_zone).toMatchObject({ name: 'Центр города', price: 350, color: '#ff0000', no_delivery: false });
    const missing = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PATCH', headers: JSON_BODY, body: JSON.stringify({ zones: [aurora] }) });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toMatch(/List every zone once/);
    const badColour = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PATCH', headers: JSON_BODY, body: JSON.stringify({ zones: [{ ...aurora, color: 'red' }, closed, centre] }) });
    expect((await badColour.json()).error.field).toBe('zones.0.color');
    expect((await zones()).zones.map((z) => z.name)).toEqual(['Центр города', 'Авроры', 'Перекрыто']);
  });

  it('warehouses are found with our own geocoder and give every answer its distance', async () => {
    await upload(SAMARA_ZONES);
    const res = await fetch(`${app.url}/api/console/delivery-zones/warehouses`, { method: 'PUT', headers: JSON_BODY, body: JSON.stringify({ warehouses: [{ address: 'Самара Ленинградская 5' }] }) });
    expect(res.status).toBe(200);
    const view = (await res.json()) as DeliveryZonesView;
    expect(view.warehouses).toEqual([{ id: 1, address: 'г Самара, ул Ленинградская, д 5', lon: 50.1, lat: 53.2 }]);
    const [house] = await suggest('Самара Авроры 110');
    expect(house.data.delivery_distance_km).toBeCloseTo(6.3, 0); // 50.1,53.2 → 50.192,53.1867
    const unknown = await fetch(`${app.url}/api/console/delivery-zones/warehouses`, { method: 'PUT', headers: JSON_BODY, body: JSON.stringify({ warehouses: [{ address: 'Самара Ленинградская 5' }, { address: 'Нигдеград, улица Несуществующая 1' }] }) });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'address_not_found', field: 'warehouses.1.address' });
    expect((await zones()).warehouses).toHaveLength(1);
  });

  it('coordinates are decimal degrees, never hex or the null island; prices are never negative', async () => {
    await upload(SAMARA_ZONES);
    const check = (query: string) => fetch(`${app.url}/api/console/delivery-zones/check?${query}`);
    for (const query of ['lon=0x32&lat=53.19', 'lon=50.1&lat=5e1', 'lon=&lat=53', 'lon=50.1&lat=91']) {
      const res = await check(query);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.code, query).toBe('invalid_parameter');
    }
    const island = await check('lon=0&lat=0');
    expect(island.status).toBe(400);
    expect((await island.json()).error.message).toMatch(/null island/);
    expect((await check('lon=50.192&lat=53.1867')).status).toBe(200);
    const view = await zones();
    const negative = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PATCH', headers: JSON_BODY, body: JSON.stringify({ zones: view.zones.map(({ id, name, price, min_order, free_from, time, color, no_delivery }, i) => ({ id, name, price: i === 0 ? -200 : price, min_order, free_from, time, color, no_delivery })) }) });
    expect(negative.status).toBe(400);
    expect((await negative.json()).error.message).toMatch(/must not be negative/);
    expect((await zones()).zones.map((z) => z.price)).toEqual(view.zones.map((z) => z.price));
  });

  it('check an address by its point or its text', async () => {
    await upload(SAMARA_ZONES);
    const byPoint = await (await fetch(`${app.url}/api/console/delivery-zones/check?lon=50.192&lat=53.1867`)).json();
    expect(byPoint).toMatchObject({ delivery_zone: { name: 'Авроры' }, delivery_distance_km: null });
    const byText = await (await fetch(`${app.url}/api/console/delivery-zones/check?q=${encodeURIComponent('Самара Ленинградская 7')}`)).json();
    expect(byText).toMatchObject({ delivery_zone: { name: 'Центр', price: 400 }, address: { value: expect.stringMatching(/^г Самара, ул Ленинградская, д 7/) } });
    const outside = await (await fetch(`${app.url}/api/console/delivery-zones/check?lon=37.62&lat=55.75`)).json();
    expect(outside.delivery_zone).toBeNull();
    const wrong = await fetch(`${app.url}/api/console/delivery-zones/check?lon=200&lat=1`);
    expect(wrong.status).toBe(400);
    expect((await fetch(`${app.url}/api/console/delivery-zones/check`)).status).toBe(400);
  });

  it('bad files are refused in words and the zones in use stay exactly as they were', async () => {
    await upload(SAMARA_ZONES);
    const before = await zones();
    const square = [[50.1, 53.2], [50.2, 53.2], [50.2, 53.3], [50.1, 53.3]];
    const cases: Array<[string, string | Buffer, Record<string, string>, string]> = [
      ['CSV', 'zone,price\nЦентр,300', { 'content-type': 'text/plain' }, 'not_a_zone_file'],
      ['unclosed', JSON.stringify({ type: 'Polygon', coordinates: [square] }), GEOJSON, 'unclosed_ring'],
      // Moscow written latitude first: "longitude" 55.7 with "latitude" 37.6 is south of Russia.
      ['swapped', JSON.stringify({ type: 'Polygon', coordinates: [[[55.7, 37.6], [55.7, 37.7], [55.8, 37.7], [55.8, 37.6], [55.7, 37.6]]] }), GEOJSON, 'swapped_coordinates'],
      ['bow-tie', JSON.stringify({ type: 'Polygon', coordinates: [[[50, 53], [50.2, 53.2], [50.2, 53], [50, 53.2], [50, 53]]] }), GEOJSON, 'self_crossing'],
      ['KML that is not', '<kml><Document><Placemark><name>x</name><Polygon><outerBoundaryIs><LinearRing><coordinates>a,b</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>', { 'content-type': 'application/vnd.google-earth.kml+xml' }, 'not_a_zone_file'],
    ];
    for (const [what, body, headers, reason] of cases) {
      const res = await upload(body, headers);
      expect(res.status, what).toBe(400);
      const { error } = await res.json();
      expect(error, what).toMatchObject({ code: 'invalid_zone_file', reason });
      expect(error.message.length, what).toBeGreaterThan(30);
    }
    // Samara written latitude first still lies in Russia: it is the warehouse that tells.
    const samaraSwapped = JSON.stringify({ type: 'Polygon', coordinates: [[[53.18, 50.18], [53.18, 50.2], [53.2, 50.2], [53.2, 50.18], [53.18, 50.18]]] });
    await fetch(`${app.url}/api/console/delivery-zones/warehouses`, { method: 'PUT', headers: JSON_BODY, body: JSON.stringify({ warehouses: [{ address: 'Самара Ленинградская 5' }] }) });
    expect((await (await upload(samaraSwapped)).json()).error).toMatchObject({ reason: 'swapped_coordinates', message: expect.stringMatching(/near your warehouses/) });
    // A form post is not a file; a wrong content type is said.
    const form = await upload('a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect((await form.json()).error.reason).toBe('not_a_zone_file');
    // Over the size limit: 413 before anything is read into zones.
    const huge = await upload(Buffer.alloc(33 * 1024 * 1024, 0x20), GEOJSON);
    expect(huge.status).toBe(413);
    const after = await zones();
    expect([after.zones, after.source]).toEqual([before.zones, before.source]); // the warehouse was the only change
    // The crossing file is taken when the admin says so.
    const anyway = await upload(cases[3][1], GEOJSON, '?allow_self_crossing=true');
    expect(anyway.status).toBe(200);
    expect(((await anyway.json()) as DeliveryZonesView).warnings?.map((w) => w.text).join(" ")).toMatch(/cross themselves/);
  });

  it('a GeoJSON sent as application/json is a zone file, not a 32 KB JSON body', async () => {
    const big = JSON.parse(SAMARA_ZONES);
    big.features[0].properties.note = 'x'.repeat(100_000);
    const res = await upload(JSON.stringify(big), JSON_BODY);
    expect(res.status).toBe(200);
  });
});

describe('for amoCRM accounts', () => {
  const A = 37000001;
  const B = 37000002;
  let fake: FakeAmoCrm;
  let app: RunningApp;
  beforeAll(async () => {
    fake = await startFakeAmo({ id: A, subdomain: 'alpha', name: 'A' }, { id: B, subdomain: 'beta', name: 'B' });
    app = await startSamaraApp(amoEnv(fake.url));
    await connectAccount(app, fake, A, 'alpha');
    await connectAccount(app, fake, B, 'beta');
  });
  afterAll(async () => {
    await app.close();
    await fake.stop();
  });
  const as = async (accountId: number, isAdmin: boolean) => ({ 'X-Auth-Token': await widgetToken({ accountId, subdomain: accountId === A ? 'alpha' : 'beta', isAdmin }) });

  it('only an admin uploads; every user sees the zones; another account’s answers carry none of them', async () => {
    const manager = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { ...GEOJSON, ...(await as(A, false)) }, body: SAMARA_ZONES });
    expect(manager.status).toBe(403);
    expect((await manager.json()).error.code).toBe('admin_required');
    const adminRes = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { ...GEOJSON, ...(await as(A, true)) }, body: SAMARA_ZONES });
    expect(adminRes.status).toBe(200);
    const seen = await (await fetch(`${app.url}/api/console/delivery-zones`, { headers: await as(A, false) })).json();
    expect(seen.zones).toHaveLength(2);
    const suggestAs = async (accountId: number) => (await (await fetch(`${app.url}/api/address/suggest?q=${encodeURIComponent('Самара Авроры 110')}`, { headers: await as(accountId, false) })).json()).suggestions[0];
    expect((await suggestAs(A)).data.delivery_zone.name).toBe('Авроры');
    expect(await suggestAs(B)).not.toHaveProperty('data.delivery_zone');
    // Without a token nothing is read or changed.
    expect((await fetch(`${app.url}/api/console/delivery-zones`)).status).toBe(401);
  });

  it('an account that never connected stores no zones, warehouses or prices, and its file is not even read', async () => {
    const C = 37000003;
    const headers = { 'X-Auth-Token': await widgetToken({ accountId: C, subdomain: 'gamma', isAdmin: true }) };
    const res = await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { ...GEOJSON, ...headers }, body: SAMARA_ZONES });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: 'account_not_connected', message: expect.stringContaining('Connect this amoCRM account first') });
    const warehouses = await fetch(`${app.url}/api/console/delivery-zones/warehouses`, { method: 'PUT', headers: { ...JSON_BODY, ...headers }, body: JSON.stringify({ warehouses: [{ address: 'г Самара, ул Ленинградская, д 5', lon: 50.1, lat: 53.2 }] }) });
    expect(warehouses.status).toBe(409);
    const pricing = await fetch(`${app.url}/api/console/delivery-zones/pricing`, { method: 'PUT', headers: { ...JSON_BODY, ...headers }, body: JSON.stringify({ pricing: null }) });
    expect(pricing.status).toBe(409);
    expect(await app.system.zones.get(C)).toBeNull();
  });

  it('a disconnect forgets the account’s zones with the rest of its rows', async () => {
    await fetch(`${app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { ...GEOJSON, ...(await as(B, true)) }, body: SAMARA_ZONES });
    expect((await app.system.zones.get(B))?.zones).toHaveLength(2);
    await app.system.lifecycle.forget(B);
    expect(await app.system.zones.get(B)).toBeNull();
  });
});

describe('an account’s zone uploads have a budget a minute', () => {
  it('past ZONE_UPLOADS_PER_MINUTE an upload is refused before its body is read, with Retry-After; the zones in use stay; another account uploads as before', async () => {
    const A = 37000011;
    const B = 37000012;
    const fake = await startFakeAmo({ id: A, subdomain: 'alpha', name: 'A' }, { id: B, subdomain: 'beta', name: 'B' });
    const app = await startSamaraApp(amoEnv(fake.url, { ZONE_UPLOADS_PER_MINUTE: '2' }));
    try {
      await connectAccount(app, fake, A, 'alpha');
      await connectAccount(app, fake, B, 'beta');
      const put = async (accountId: number, body: string) => fetch(`${app.url}/api/console/delivery-zones`, { method: 'PUT', headers: { ...GEOJSON, 'X-Auth-Token': await widgetToken({ accountId, subdomain: accountId === A ? 'alpha' : 'beta', isAdmin: true }) }, body });
      expect((await put(A, SAMARA_ZONES)).status).toBe(200);
      expect((await put(A, SAMARA_ZONES_CLOSED)).status).toBe(200);
      const refused = await put(A, SAMARA_ZONES);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await refused.json()).error.message).toMatch(/2 zone files a minute/);
      expect((await app.system.zones.listing(A))?.version).toBe(2); // the second upload's, untouched
      expect((await put(B, SAMARA_ZONES)).status).toBe(200);
    } finally {
      await app.close();
      await fake.stop();
    }
  });
});
