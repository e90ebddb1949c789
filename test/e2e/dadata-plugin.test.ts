/**
 * DaData's own jQuery plugin (suggestions-jquery from npm, unchanged) on a plain page in Chromium,
 * pointed at our server with `serviceUrl` and one of our site keys as its `token`: typing, picking
 * with the mouse, the street → house step it takes by itself, its enrichment, bounds (a city
 * field), constraints by region, and the data its onSelect hands the page. The page is served from
 * another origin than the API, as a shop's site is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.js';
import { startSamaraApp, type RunningApp } from '../helpers.js';
import { DEMO_ACCOUNT_ID } from '../../server/admin/demo-account.js';

const require = createRequire(import.meta.url);
const PLUGIN = dirname(require.resolve('suggestions-jquery/package.json'));
const FILES: Record<string, [string, string]> = {
  '/jquery.js': [join(dirname(require.resolve('jquery3/package.json')), 'dist/jquery.min.js'), 'application/javascript'],
  '/suggestions.js': [join(PLUGIN, 'dist/js/jquery.suggestions.min.js'), 'application/javascript'],
  '/suggestions.css': [join(PLUGIN, 'dist/css/suggestions.min.css'), 'text/css'],
};

let app: RunningApp;
let site: Server;
let siteUrl: string;
let browser: Browser;
let key: string;

/** A shop's page: three fields with DaData's plugin, as its documentation shows it, and only the service URL changed. */
const page = (serviceUrl: string, token: string) => `<!doctype html><html lang="ru"><head><meta charset="utf-8">
<link rel="stylesheet" href="/suggestions.css"><script src="/jquery.js"></script><script src="/suggestions.js"></script></head>
<body><input id="address" style="width:400px"><input id="city" style="width:400px"><input id="tatarstan" style="width:400px">
<script>
  window.selected = {};
  var common = { token: ${JSON.stringify(token)}, serviceUrl: ${JSON.stringify(serviceUrl)}, type: 'ADDRESS', count: 5 };
  $('#address').suggestions($.extend({}, common, { onSelect: function (s) { window.selected.address = s; } }));
  $('#city').suggestions($.extend({}, common, { bounds: 'city', onSelect: function (s) { window.selected.city = s; } }));
  $('#tatarstan').suggestions($.extend({}, common, { constraints: { locations: { region: 'Татарстан' } } }));
</script></body></html>`;

beforeAll(async () => {
  app = await startSamaraApp();
  key = (await app.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'shop')).key;
  site = createServer((req, res) => {
    const file = FILES[req.url ?? ''];
    if (file) return void res.writeHead(200, { 'content-type': file[1] }).end(readFileSync(file[0]));
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`${app.url}/suggestions/api/4_1/rs`, key));
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://localhost:${(site.address() as { port: number }).port}/`; // another origin than the API's 127.0.0.1
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  site?.close();
  await app?.close();
});

const rows = (p: Page, field: string) => p.locator(`#${field} ~ .suggestions-wrapper .suggestions-suggestion`);

describe("DaData's jQuery plugin against our server", () => {
  it('types, picks a street, then its house; onSelect gets DaData-shaped data with coordinates and postal code', async () => {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(siteUrl);
    await p.locator('#address').click();
    await p.keyboard.type('самара авр', { delay: 40 });
    await rows(p, 'address').filter({ hasText: 'ул Авроры' }).first().waitFor();
    await rows(p, 'address').filter({ hasText: /ул Авроры$/ }).first().click();
    // The plugin appends a space after a street (a click then closes its list: its own choice); the number typed asks for the houses.
    await p.waitForFunction(() => (document.querySelector('#address') as HTMLInputElement).value === 'г Самара, ул Авроры ');
    await p.keyboard.type('11', { delay: 40 });
    await rows(p, 'address').filter({ hasText: 'д 110' }).first().click();
    await p.waitForFunction(() => (window as unknown as { selected: { address?: unknown } }).selected.address);
    const selected = (await p.evaluate('window.selected.address')) as { value: string; data: Record<string, string | null> };
    expect(selected.value).toBe('г Самара, ул Авроры, д 110');
    expect(selected.data).toMatchObject({ postal_code: '443017', geo_lat: '53.1867', geo_lon: '50.192', house: '110', street_with_type: 'ул Авроры', city: 'Самара', region_with_type: 'Самарская обл', qc_geo: '0' });
    // The plugin waits for a flat after a house (its isDataComplete wants `flat` unless bounds end higher): a trailing space.
    expect(await p.locator('#address').inputValue()).toBe('г Самара, ул Авроры, д 110 ');
    expect(errors).toEqual([]);
    await p.close();
  });

  it('bounds: a city field offers settlements only; constraints by region keep out other regions', async () => {
    const p = await browser.newPage();
    await p.goto(siteUrl);
    await p.locator('#city').click();
    await p.keyboard.type('сама', { delay: 40 });
    const first = rows(p, 'city').first();
    await first.waitFor();
    expect((await rows(p, 'city').allTextContents()).every((t) => !/ул |д \d/.test(t))).toBe(true);
    await first.click();
    await p.waitForFunction(() => (window as unknown as { selected: { city?: unknown } }).selected.city);
    expect(await p.locator('#city').inputValue()).toBe('г Самара');
    expect(((await p.evaluate('window.selected.city')) as { data: { city: string; fias_level: string } }).data).toMatchObject({ city: 'Самара', fias_level: '4' });

    await p.locator('#tatarstan').click();
    await p.keyboard.type('самара авроры', { delay: 40 });
    // The plugin asked and got nothing in Татарстан: no rows appear, and it says so.
    await p.waitForResponse((r) => r.url().endsWith('/suggest/address') && r.request().postData()?.includes('самара авроры') === true);
    expect(await rows(p, 'tatarstan').count()).toBe(0);
    await p.close();
  });
});
