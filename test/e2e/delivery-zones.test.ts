/**
 * Delivery zones in a real browser (Chromium, playwright-core) on the demo pages served by the real
 * server: the admin uploads a zone file on the console page, sees the zones drawn and checks an
 * address; a manager picks an address in the card and the chip under the field says the zone,
 * price and time, or warns that the address is outside every zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../scripts/chromium.js';
import { startSamaraApp, tempDir, type RunningApp } from '../helpers.js';
import { SAMARA_ZONES } from '../delivery/samara-zones.js';

let app: RunningApp;
let browser: Browser;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir(); // the files the admin "picks from disk"
  app = await startSamaraApp();
  browser = await launchChromium();
  mkdirSync('test-output', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  tmp?.cleanup();
});

async function consolePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
  await page.goto(`${app.url}/demo/console`);
  await page.waitForSelector('#work-area-amo-address .amo-console [data-status="demo"]');
  return page;
}

describe('delivery zones on the console page and in the card', () => {
  it('the admin uploads a Yandex constructor file, sees the zones drawn, edits a price and checks an address', async () => {
    const page = await consolePage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    expect(await page.locator('[data-zones-count="0"]').count()).toBe(1);
    // A file the admin picked from disk, as the constructor exports it.
    const file = join(tmp.dir, 'samara.geojson');
    writeFileSync(file, SAMARA_ZONES);
    await page.setInputFiles('#amo-console-zone-file', file);
    await page.click('[data-key="upload-zones"]');
    await page.waitForSelector('[data-zones-count="2"]');
    expect(await page.locator('[data-zones-message="ok"]').textContent()).toContain('Загружено зон: 2');
    // The preview: one outline per zone in its colour.
    const paths = await page.locator('svg.amo-console__map path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    expect(paths.sort()).toEqual(['#1e98ff', '#56db40']);
    // Edit the price of "Центр" and save: the answers follow.
    await page.fill('[data-key$="-price"] >> nth=1', '450');
    await page.click('[data-key="save-zones"]');
    await page.waitForSelector('[data-zones-message="ok"]:has-text("Зоны сохранены")');
    expect((await app.system.zones.get(1))!.zones.map((z) => z.price)).toEqual([200, 450]);
    // A warehouse found by our own geocoder, then "check an address".
    await page.click('[data-key="add-warehouse"]');
    await page.fill('#amo-console-warehouse-0', 'Самара Ленинградская 5');
    await page.click('[data-key="save-warehouses"]');
    await page.waitForSelector('[data-warehouses="1"]');
    expect(await page.locator('svg.amo-console__map circle[data-point="warehouse"]').count()).toBe(1);
    await page.fill('#amo-console-zone-check', 'Самара Авроры 110');
    await page.click('[data-key="check-zone"]');
    await page.waitForSelector('[data-zone-check]:has-text("Авроры")');
    expect(await page.locator('[data-zone-check]').textContent()).toMatch(/^г Самара, ул Авроры, д 110: зона «Авроры», 200 ₽, 6,3 км от склада\.$/);
    await page.screenshot({ path: 'test-output/console-delivery-zones.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a file that cannot be used is said in words, with "upload anyway" for crossing rings, and the zones stay', async () => {
    const page = await consolePage();
    const file = join(tmp.dir, 'bow-tie.geojson');
    writeFileSync(file, JSON.stringify({ type: 'Polygon', coordinates: [[[50, 53], [50.2, 53.2], [50.2, 53], [50, 53.2], [50, 53]]] }));
    await page.setInputFiles('#amo-console-zone-file', file);
    await page.click('[data-key="upload-zones"]');
    await page.waitForSelector('[data-zones-message="error"]');
    expect(await page.locator('[data-zones-message="error"]').textContent()).toContain('Контур зоны пересекает сам себя');
    expect(await page.locator('[data-zones-details] li').first().textContent()).toMatch(/near 53\.1\d*, 50\.1/);
    expect(await page.locator('[data-zones-count="2"]').count()).toBe(1); // the zones in use, unchanged
    await page.click('[data-key="upload-anyway"]');
    await page.waitForSelector('[data-zones-count="1"]');
    // Back to the Samara zones for the card test.
    writeFileSync(file, SAMARA_ZONES);
    await page.setInputFiles('#amo-console-zone-file', file);
    await page.click('[data-key="upload-zones"]');
    await page.waitForSelector('[data-zones-count="2"]');
    await page.close();
  });

  it('in the card: the chip with zone, price and time in the zone’s colour; a warning outside; nothing after typing on', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 }, bypassCSP: true }); // axe is injected as a script
    await page.goto(`${app.url}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    const field = page.locator('[name="CFV[762381]"]');
    await field.click();
    await page.keyboard.type('Самара Авроры 110', { delay: 20 });
    await page.locator('.amo-address__item', { hasText: 'д 110' }).first().click();
    const chip = page.locator('.amo-address__zone');
    await chip.waitFor();
    expect(await chip.textContent()).toMatch(/^Авроры · 200 ₽ · бесплатно от 3\s000 ₽ · 60 минут · 6,3 км от склада$/);
    expect(await chip.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(86, 219, 64)'); // #56db40
    await page.screenshot({ path: 'test-output/card-zone-chip.png' });
    // The chip is read out (role=status) and passes axe, contrast included, in the field's block.
    await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
    const violations = await page.evaluate(`axe.run(document.querySelector('[name="CFV[762381]"]').parentElement, { resultTypes: ['violations'], rules: { region: { enabled: false } } }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
    expect(violations).toEqual([]);
    await field.fill('');
    await page.keyboard.type('Москва Тверская 1', { delay: 20 });
    expect(await chip.count()).toBe(0); // typing on: the chip was about the picked address
    await page.locator('.amo-address__item', { hasText: 'Тверская' }).first().click();
    await page.locator('.amo-address__zone--outside').waitFor();
    expect(await page.locator('.amo-address__zone').textContent()).toMatch(/^Вне зоны доставки · \d+(,\d)? км от склада$/);
    await page.screenshot({ path: 'test-output/card-zone-outside.png' });
    await page.close();
  });
});
