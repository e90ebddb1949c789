/**
 * react-dadata (npm), a typed React client written for DaData's API, unchanged but for its `url`
 * and `token`, in Chromium against our server: typing, the list, a pick, and the suggestion its
 * onChange hands the page — the typed DaDataAddressSuggestion its users compile against (its
 * declared types are checked key by key in test/geocoding/dadata-client-types.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.js';
import { startSamaraApp, type RunningApp } from '../helpers.js';
import { DEMO_ACCOUNT_ID } from '../../server/admin/demo-account.js';

const require = createRequire(import.meta.url);

/** A shop's page: react-dadata's AddressSuggestions as its README shows it, `url` pointed at us. */
const ENTRY = `
import React from 'react';
import { createRoot } from 'react-dom/client';
import { AddressSuggestions } from 'react-dadata';
window.picked = null;
const params = new URLSearchParams(location.search);
createRoot(document.getElementById('app')).render(React.createElement(AddressSuggestions, {
  token: params.get('token'),
  url: params.get('url'),
  count: 5,
  inputProps: { id: 'address' },
  onChange: (suggestion) => { window.picked = suggestion; },
}));
`;

let app: RunningApp;
let site: Server;
let siteUrl: string;
let browser: Browser;

beforeAll(async () => {
  app = await startSamaraApp();
  const { key } = await app.system.siteKeyIssuer.create(DEMO_ACCOUNT_ID, 'react shop');
  const bundle = await build({ stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'js' }, bundle: true, write: false, format: 'iife', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  const css = readFileSync(join(dirname(require.resolve('react-dadata/package.json')), 'dist/react-dadata.css'), 'utf8');
  site = createServer((req, res) => {
    if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'application/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body><div id="app"></div><script src="/app.js"></script></body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const port = (site.address() as { port: number }).port;
  siteUrl = `http://localhost:${port}/?${new URLSearchParams({ token: key, url: `${app.url}/suggestions/api/4_1/rs/suggest/address` })}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  site?.close();
  await app?.close();
});

describe('react-dadata against our server', () => {
  it('lists our suggestions as it lists DaData’s, and a pick hands the page DaData-shaped data', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(siteUrl);
    await page.locator('#address').click();
    await page.keyboard.type('самара авроры 11', { delay: 40 });
    const option = page.locator('.react-dadata__suggestion', { hasText: 'д 110' });
    await option.waitFor();
    expect(await page.locator('.react-dadata__suggestion').count()).toBeGreaterThan(1);
    await option.dispatchEvent('mousedown');
    await page.waitForFunction(() => (window as unknown as { picked: unknown }).picked !== null);
    const picked = (await page.evaluate('window.picked')) as { value: string; unrestricted_value: string; data: Record<string, string | null> };
    expect(picked.value).toBe('г Самара, ул Авроры, д 110');
    expect(picked.data).toMatchObject({ postal_code: '443017', geo_lat: '53.1867', house: '110', city_with_type: 'г Самара' });
    expect(await page.locator('#address').inputValue()).toBe('г Самара, ул Авроры, д 110');
    expect(errors).toEqual([]);
    await page.close();
  });
});
