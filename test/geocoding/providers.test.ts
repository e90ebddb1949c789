import { DADATA_ADDRESS_KEYS } from '../../contract/dadata.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeProviders } from '../fakes/fake-providers.js';
import { startApp, tempDir, type RunningApp } from '../helpers.js';

const fake = new FakeProviders();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

const PROVIDERS: Array<[string, (url: string) => Record<string, string>, string]> = [
  ['dadata', (url) => ({ GEOCODER: 'dadata', DADATA_API_KEY: 'dadata-test-key', DADATA_URL: `${url}/suggestions/api/4_1/rs/suggest/address` }), 'dadata-test-key'],
  ['yandex', (url) => ({ GEOCODER: 'yandex', YANDEX_API_KEY: 'yandex-test-key', YANDEX_SUGGEST_URL: `${url}/v1/suggest` }), 'yandex-test-key'],
  ['photon', (url) => ({ GEOCODER: 'photon', PHOTON_URL: url }), ''],
  ['nominatim', (url) => ({ GEOCODER: 'nominatim', NOMINATIM_URL: url }), ''],
];

describe.each(PROVIDERS)('%s adapter', (provider, env, key) => {
  let app: RunningApp;
  let tmp: ReturnType<typeof tempDir>;
  /** The app's clock: the breaker's pause passes when a test moves it, not by waiting. */
  const clock = { offset: 0, now: () => Date.now() + clock.offset };
  beforeEach(async () => {
    fake.mode = 'ok';
    clock.offset = 0;
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), GEOCODER_TIMEOUT_MS: '300', SUGGEST_CACHE_TTL_SECONDS: '0', ...env(fake.url) }, { clock });
  });
  afterEach(async () => {
    await app.close();
    tmp.cleanup();
  });
  const suggest = async (q: string) => {
    const res = await fetch(`${app.url}/api/address/suggest?q=${encodeURIComponent(q)}&count=5`);
    expect(res.status).toBe(200);
    return (await res.json()).suggestions as Array<{ value: string; source: string; data: Record<string, unknown> }>;
  };

  it('maps the provider answer into the DaData shape, nulls for missing parts', async () => {
    const [first] = await suggest('Самара Авроры 110');
    expect(first.source).toBe(provider);
    expect(first.data).toMatchObject({ house: '110', flat: null, block: null });
    expect(first.data.city).toMatch(/Самара/);
    expect(first.data.street).toMatch(/Авроры/);
    // Every key of DaData's data (contract/dadata.ts), ours beside them: one builder for every source.
    expect(Object.keys(first.data).sort()).toEqual([...DADATA_ADDRESS_KEYS, 'lat', 'lon', 'intercom', 'verdict'].sort());
    if (provider === 'dadata') {
      expect(first.data).toMatchObject({ fias_id: expect.any(String), street_with_type: 'ул Авроры', geo_lat: '53.1867', lat: 53.1867 }); // DaData's own fields kept
    } else if (provider === 'yandex') {
      expect(first.data).toMatchObject({ lat: null, lon: null, geo_lat: null, region: 'Самарская', region_with_type: 'Самарская обл', postal_code: null }); // Geosuggest has no coordinates
      expect(first.value).toBe('г Самара, ул Авроры, д 110');
    } else {
      expect(first.data).toMatchObject({ postal_code: '443017', lat: 53.1867, geo_lat: '53.1867', street_with_type: 'ул Авроры', house: '110', house_type: 'д' });
    }
  });

  it.each(['slow', 'error500', 'error429'] as const)('falls back to the local index when the provider is %s', async (mode) => {
    fake.mode = mode;
    fake.slowMs = 1000;
    const suggestions = await suggest('Самар');
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions[0]).toMatchObject({ value: 'г Самара', source: 'local-fallback' });
  });

  it('opens the circuit after repeated failures and stops calling the provider', async () => {
    fake.mode = 'error500';
    for (let i = 0; i < 5; i++) await suggest(`Самар ${i}`);
    const before = fake.callsTo(provider);
    await suggest('Самара');
    expect(fake.callsTo(provider)).toBe(before);
  });

  it('closes the circuit again after its pause: the provider answers once it has recovered', async () => {
    fake.mode = 'error500';
    for (let i = 0; i < 5; i++) await suggest(`Самар ${i}`);
    fake.mode = 'ok';
    const open = fake.callsTo(provider);
    expect((await suggest('Самара'))[0].source).toBe('local-fallback');
    expect(fake.callsTo(provider)).toBe(open); // still open: not asked
    clock.offset += 30_001;
    expect((await suggest('Самара Авроры 110'))[0].source).toBe(provider); // half-open: one try, it works
    expect((await suggest('Самара Авроры 110'))[0].source).toBe(provider); // closed again
    expect(fake.callsTo(provider)).toBe(open + 2);
  });

  // Photon and Nominatim take no key: only DaData's and Yandex's could leak.
  it.runIf(key)('never puts the provider key into answers or logs', async () => {
    fake.mode = 'error500';
    const res = await fetch(`${app.url}/api/address/suggest?q=${encodeURIComponent('Самар')}`);
    expect(res.status).toBe(200);
    expect(app.logs.text).toContain('geocoder failed');
    expect(await res.text()).not.toContain(key);
    expect(app.logs.text).not.toContain(key);
    expect(fake.calls.some((c) => JSON.stringify(c).includes(key))).toBe(true); // the key was really sent
  });
});

describe('resolve', () => {
  it('returns the single best structured match and 404 when nothing matches', async () => {
    const tmp = tempDir();
    const app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), GEOCODER: 'dadata', DADATA_API_KEY: 'dadata-test-key', DADATA_URL: `${fake.url}/suggestions/api/4_1/rs/suggest/address` });
    try {
      fake.mode = 'ok';
      const res = await fetch(`${app.url}/api/address/resolve?q=${encodeURIComponent('г Самара, ул Авроры, д 110')}`);
      expect(res.status).toBe(200);
      const { suggestion } = await res.json();
      expect(suggestion.data).toMatchObject({ postal_code: '443017', lat: 53.1867, lon: 50.192 });
      const last = fake.calls.at(-1)!;
      expect((last.body as { count: number }).count).toBe(1);
    } finally {
      await app.close();
      tmp.cleanup();
    }
    const tmp2 = tempDir();
    const local = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp2.dir, 'db.sqlite') });
    try {
      const res = await fetch(`${local.url}/api/address/resolve?q=${encodeURIComponent('Ыыыыыщщщ')}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('address_not_found');
    } finally {
      await local.close();
      tmp2.cleanup();
    }
  });
});
