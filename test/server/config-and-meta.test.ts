import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { imageSize } from 'image-size';
import { readdirSync, readFileSync } from 'node:fs';
import { ConfigError, configVariables, envSchema, loadConfig } from '../../server/config.js';
import { configTable, readmeTable } from '../../scripts/config-table.js';
import { ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, startApp, tempDir, type RunningApp } from '../helpers.js';

describe('configuration', () => {
  it('starts in demo mode with nothing set, with the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, amo: null, authRequired: false, databasePath: './data/amo-address.db' });
    expect(config.geocoder.provider).toBe('local');
  });

  it('requires the widget token once amoCRM credentials are set', () => {
    const config = loadConfig({ AMOCRM_CLIENT_ID: CLIENT_ID, AMOCRM_CLIENT_SECRET: CLIENT_SECRET, AMOCRM_REDIRECT_URI: REDIRECT_URI });
    expect(config.authRequired).toBe(true);
    expect(config.amo?.redirectUri).toBe(REDIRECT_URI);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ AMOCRM_CLIENT_ID: CLIENT_ID }, /AMOCRM_CLIENT_SECRET, AMOCRM_REDIRECT_URI: set together/],
    [{ AMOCRM_CLIENT_ID: 'not-a-uuid', AMOCRM_CLIENT_SECRET: CLIENT_SECRET, AMOCRM_REDIRECT_URI: REDIRECT_URI }, /AMOCRM_CLIENT_ID: expected the integration ID/],
    [{ TOKEN_ENCRYPTION_KEY: 'short' }, /TOKEN_ENCRYPTION_KEY: expected 32 bytes/],
    [{ GEOCODER: 'dadata' }, /DADATA_API_KEY: required when GEOCODER=dadata/],
    [{ GEOCODER: 'google' }, /GEOCODER/],
    [{ GEOCODER: 'nominatim', NOMINATIM_URL: 'https://nominatim.openstreetmap.org' }, /forbids autocomplete/],
    [{ AMOCRM_TEST_BASE_URL: 'http://evil.test:8080' }, /AMOCRM_TEST_BASE_URL: only loopback/],
    [{ AMOCRM_AUTH_REQUIRED: 'maybe' }, /AMOCRM_AUTH_REQUIRED/],
  ];
  it.each(bad)('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('docs/configuration.md’s table is the one the schema generates (npm run docs:config)', () => {
    expect(readmeTable()).toBe(configTable());
    expect(configVariables().every((v) => v.meaning.length > 10)).toBe(true); // every variable says what it does
    expect(configTable()).toContain('| `AMOCRM_RATE_PER_SECOND` | `6` |'); // defaults come from the schema itself
  });

  it('process.env is read in config.ts only, and every variable it names is in the schema', () => {
    const server = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? server(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const readers = server('server').filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')));
    expect(readers).toEqual([join('server', 'config.ts')]);
    const named = [...readFileSync('server/config.ts', 'utf8').matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]);
    for (const name of named) expect(Object.keys(envSchema.shape)).toContain(name);
  });
});

describe('health, status and logo', () => {
  let app: RunningApp;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ADMIN_TOKEN });
  });
  afterAll(async () => {
    await app.close();
    tmp.cleanup();
  });

  it('healthz reports the database state', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { ok: true, schemaVersion: 12 }, demo: true });
  });

  it('status needs the admin token', async () => {
    expect((await fetch(`${app.url}/api/status`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/status`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${app.url}/api/status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ demo: true, accounts: [] });
  });

  it('serves the integration logo as SVG and as a 256x256 PNG', async () => {
    const svg = await fetch(`${app.url}/integration-logo.svg`);
    expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await svg.text()).toMatch(/<svg[^>]*width="256"[^>]*height="256"/);
    const png = await fetch(`${app.url}/integration-logo.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(imageSize(new Uint8Array(await png.arrayBuffer()))).toMatchObject({ width: 256, height: 256, type: 'png' });
  });

  it('answers unknown routes and bad bodies with JSON errors and security headers', async () => {
    const missing = await fetch(`${app.url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    const badJson = await fetch(`${app.url}/api/address/remember`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": ' });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.code).toBe('invalid_body');
    const huge = await fetch(`${app.url}/api/address/remember`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: 'x'.repeat(40_000) }) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('payload_too_large');
  });
});
