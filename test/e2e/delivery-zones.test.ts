/**
 * Delivery zones in a real browser (Chromium, playwright-core) on the demo pages served by the real
 * server: the admin uploads a zone file on the console page, sees the zones on the map with their
 * names, checks an address and a point clicked on the map, drags a warehouse and sets a price by
 * distance; a manager picks an address in the card and the panel under the field says the verdict,
 * prices the delivery for the lead's budget, and takes the courier's details.
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

/** Text as read: Intl's no-break spaces inside sums ("3 000 ₽") as plain ones. */
const plain = (text: string | null) => text?.replace(/\u00a0/g, ' ');

async function consolePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
  await page.goto(`${app.url}/demo/console`);
  await page.waitForSelector('#work-area-amo-address .amo-console [data-status="demo"]');
  return page;
}

describe('delivery zones on the console page and in the card', () => {
  it('the admin uploads a Yandex constructor file, sees the zones on the map, edits a price, checks an address and a point, drags a warehouse', async () => {
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
    expect(await page.locator('[data-zones-message="ok"]').textContent()).toBe('Загружено 2 зоны. Прежние зоны заменены.'); // the plural form, in Russian
    expect(await page.locator('[data-zones-count="2"]').textContent()).toMatch(/^Сейчас: 2 зоны из файла GEOJSON/);
    // The map: one shape per zone in its colour, each labelled with its name.
    await page.waitForSelector('.amo-console__leaflet path.amo-console__zone');
    const fills = await page.locator('.amo-console__leaflet path.amo-console__zone').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    expect(fills.sort()).toEqual(['#1e98ff', '#56db40']);
    expect((await page.locator('.amo-console__zone-label').allTextContents()).sort()).toEqual(['Авроры', 'Центр']);
    // Fitted to the zones: both lie inside the map's box, and together they span most of it.
    const box = (await page.locator('.amo-console__leaflet').boundingBox())!;
    const shapes = await Promise.all((await page.locator('.amo-console__leaflet path.amo-console__zone').all()).map(async (shape) => (await shape.boundingBox())!));
    for (const b of shapes) {
      expect(b.x).toBeGreaterThanOrEqual(box.x - 1);
      expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 1);
      expect(b.y).toBeGreaterThanOrEqual(box.y - 1);
      expect(b.y + b.height).toBeLessThanOrEqual(box.y + box.height + 1);
    }
    const span = (lo: number[], hi: number[]) => Math.max(...hi) - Math.min(...lo);
    const spanX = span(shapes.map((b) => b.x), shapes.map((b) => b.x + b.width)) / box.width;
    const spanY = span(shapes.map((b) => b.y), shapes.map((b) => b.y + b.height)) / box.height;
    expect(Math.max(spanX, spanY)).toBeGreaterThan(0.6);
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
    expect(await page.locator('[data-zones-message="ok"]').textContent()).toBe('Сохранён 1 склад.');
    await page.waitForSelector('.amo-console__pin--warehouse');
    await page.fill('#amo-console-zone-check', 'Самара Авроры 110');
    await page.click('[data-key="check-zone"]');
    await page.waitForSelector('[data-zone-check]:has-text("Авроры")');
    expect(plain(await page.locator('[data-zone-check]').textContent())).toBe('г Самара, ул Авроры, д 110 (дом найден, точка дома): Авроры, доставка 200 ₽, бесплатно от 3 000 ₽, 60 минут, 6,3 км от склада.');
    await page.waitForSelector('.amo-console__pin--checked');
    await page.screenshot({ path: 'test-output/console-delivery-zones.png', fullPage: true });
    await page.locator('section[aria-labelledby="amo-console-zones"]').screenshot({ path: 'test-output/console-zones-map.png' });
    // A click on the map checks that point: the middle of "Центр"'s shape.
    const centre = (await page.locator('.amo-console__leaflet path[fill="#1e98ff"]').boundingBox())!;
    await page.mouse.click(centre.x + centre.width * 0.3, centre.y + centre.height * 0.3);
    await page.waitForSelector('[data-zone-check]:has-text("Центр")');
    expect(plain(await page.locator('[data-zone-check]').textContent())).toMatch(/^Точка 53\.\d{5}, 50\.\d{5}: Центр, доставка 450 ₽, \d+(,\d)? км от склада\.$/);
    // The warehouse dragged 40 px east: stored where it was dropped, its address kept.
    const before = (await app.system.zones.get(1))!.warehouses[0];
    const pin = (await page.locator('.amo-console__pin--warehouse').boundingBox())!;
    await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
    await page.mouse.down();
    await page.mouse.move(pin.x + pin.width / 2 + 20, pin.y + pin.height / 2, { steps: 5 });
    await page.mouse.move(pin.x + pin.width / 2 + 40, pin.y + pin.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('[data-zones-message="ok"]:has-text("Склад 1 перенесён")');
    const after = (await app.system.zones.get(1))!.warehouses[0];
    expect(after.address).toBe(before.address);
    expect(after.lon).toBeGreaterThan(before.lon);
    expect(after.lat).toBeCloseTo(before.lat, 3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a price by distance prices an address outside every zone, in the console and in answers', async () => {
    const page = await consolePage();
    await page.click('[data-key="pricing-add-band"]');
    await page.fill('[data-key="pricing-band-0-km"]', '5');
    await page.fill('[data-key="pricing-band-0-price"]', '300');
    await page.click('[data-key="pricing-add-band"]');
    await page.fill('[data-key="pricing-band-1-km"]', '20');
    await page.fill('[data-key="pricing-band-1-price"]', '500');
    await page.fill('[data-key="pricing-per-km"]', '50');
    await page.click('[data-key="pricing-save"]');
    await page.waitForSelector('[data-zones-message="ok"]:has-text("Цена по расстоянию сохранена")');
    expect((await app.system.zones.get(1))!.pricing).toEqual({ mode: 'beyond_zones', bands: [{ up_to_km: 5, price: 300 }, { up_to_km: 20, price: 500 }], per_km_beyond: 50, min_order: null, free_from: null });
    // Ленинградская 7 к 2 lies in "Центр" (its own price); a point just outside both zones is priced by distance.
    await page.fill('#amo-console-zone-check', 'Самара Ленинградская 7');
    await page.click('[data-key="check-zone"]');
    await page.waitForSelector('[data-zone-check]:has-text("Центр")');
    const zones = app.system.zones;
    expect(zones.lookup(await zones.index(1), 50.13, 53.2, false)).toMatchObject({ delivery_zone: null, delivery_rate: { basis: 'distance', price: 300 } });
    expect(zones.lookup(await zones.index(1), 50.4, 53.2, false)).toMatchObject({ delivery_zone: null, delivery_rate: { basis: 'distance', price: 500 } });
    await page.click('[data-key="pricing-remove"]');
    await page.waitForSelector('[data-zones-message="ok"]:has-text("Цены по расстоянию больше нет")');
    expect((await app.system.zones.get(1))!.pricing).toBeNull();
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

  it('in the card: the verdict, the delivery priced for the lead’s budget, the courier’s details; a warning outside; nothing after typing on', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, bypassCSP: true }); // axe is injected as a script
    await page.goto(`${app.url}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    const field = page.locator('[name="CFV[762381]"]');
    await field.click();
    await page.keyboard.type('Самара Авроры 110 кв 5 под 2', { delay: 20 });
    await page.locator('.amo-address__item', { hasText: 'д 110' }).first().click();
    const chip = page.locator('.amo-address__zone');
    await chip.waitFor();
    // The demo lead's budget is 3 500 ₽: free from 3 000 ₽.
    expect(plain(await chip.textContent())).toMatch(/^Авроры · бесплатно \(заказ 3 500 ₽ ≥ 3 000 ₽\) · 60 минут · \d+,\d км от склада$/); // the warehouse was dragged above
    expect(await chip.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(86, 219, 64)'); // #56db40
    expect(await page.locator('.amo-address__verdict').textContent()).toBe('дом найден, точка дома');
    // The details typed after the house fill their inputs; a floor added rewrites the field.
    expect(await page.locator('[data-detail="flat"]').inputValue()).toBe('5');
    expect(await page.locator('[data-detail="entrance"]').inputValue()).toBe('2');
    await page.locator('[data-detail="floor"]').fill('3');
    expect(await field.inputValue()).toBe('г Самара, ул Авроры, д 110, кв 5, подъезд 2, этаж 3');
    // A smaller budget: the chip prices the delivery again.
    await page.locator('#lead_card_budget').fill('1 500');
    await page.waitForFunction(() => document.querySelector('.amo-address__zone')?.textContent?.includes('доставка'));
    expect(plain(await chip.textContent())).toMatch(/^Авроры · доставка 200 ₽ · бесплатно от 3 000 ₽ · 60 минут · \d+,\d км от склада$/);
    await page.screenshot({ path: 'test-output/card-delivery-panel.png' });
    // The panel is read out (the verdict is a status) and passes axe, contrast included, in the field's block.
    await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
    const violations = await page.evaluate(`axe.run(document.querySelector('[name="CFV[762381]"]').parentElement, { resultTypes: ['violations'], rules: { region: { enabled: false } } }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
    expect(violations).toEqual([]);
    // Save: the write-back carries the details.
    await page.click('#save_and_close_contacts_link');
    const saved = JSON.parse((await page.locator('#saved').textContent())!);
    expect(saved.address_parts).toMatchObject({ flat: '5', entrance: '2', floor: '3', verdict: 'house' });
    await field.fill('');
    await page.keyboard.type('Москва Тверская 1', { delay: 20 });
    expect(await page.locator('.amo-address__delivery').count()).toBe(0); // typing on: the panel was about the picked address
    await page.locator('.amo-address__item', { hasText: 'Тверская' }).first().click();
    await page.locator('.amo-address__zone--outside').waitFor();
    expect(plain(await page.locator('.amo-address__zone').textContent())).toMatch(/^вне зоны доставки · \d+(,\d)? км от склада$/);
    await page.screenshot({ path: 'test-output/card-zone-outside.png' });
    await page.close();
  });

  it('in a narrow field on a phone, each sum stays whole with its unit, and the inputs are 44 px touch targets', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
    await page.goto(`${app.url}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    await page.addStyleTag({ content: '.linked-form__field__value{width:127px}' });
    await page.locator('#lead_card_budget').fill('');
    const field = page.locator('[name="CFV[762381]"]');
    await field.tap();
    await page.keyboard.type('Самара Авроры 110', { delay: 20 });
    await page.locator('.amo-address__item', { hasText: 'д 110' }).first().tap();
    await page.locator('.amo-address__zone').waitFor();
    // Every sum ("200 ₽", "3 000 ₽") is drawn on one line: a range over it has one box.
    const sums = await page.locator('.amo-address__zone-part').evaluateAll((els) =>
      els.flatMap((el) => {
        const node = el.firstChild as Text;
        return [...node.data.matchAll(/\d[\d\u00a0]*\u00a0₽/g)].map((m) => {
          const range = document.createRange();
          range.setStart(node, m.index!);
          range.setEnd(node, m.index! + m[0].length);
          return { sum: m[0], boxes: range.getClientRects().length };
        });
      }),
    );
    expect(sums.map((s) => s.sum)).toEqual(['200\u00a0₽', '3\u00a0000\u00a0₽']);
    for (const s of sums) expect(s.boxes, s.sum).toBe(1);
    // The chip fits the field's width: nothing is cut off.
    const chipBox = await page.locator('.amo-address__zone').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(chipBox.scroll).toBeLessThanOrEqual(chipBox.client + 1);
    const heights = await page.locator('.amo-address__details input').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: 'test-output/card-delivery-narrow.png' });
    await page.close();
  });
});
