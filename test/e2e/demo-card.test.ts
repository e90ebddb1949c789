/**
 * A real browser (Chromium driven by playwright-core, scripts/chromium.ts) on the real demo card page,
 * served by the real server with the embedded geocoder and a small imported street sample.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../../scripts/chromium.js';
import { startSamaraApp, type RunningApp } from '../helpers.js';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startSamaraApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const suggestRequests = (logs: string) => logs.split('\n').filter((l) => l.includes('"url":"/api/address/suggest')).length;

describe('demo card page in a real browser', () => {
  it('a manager types with pauses, picks the second suggestion with the keyboard, and the card shows as changed', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    const before = suggestRequests(app.logs.text);

    const field = page.locator('[name="CFV[762381]"]');
    await field.click();
    // Typed as a person does: bursts of keys (60 ms apart, under the debounce) and two pauses.
    await page.keyboard.type('Самара', { delay: 60 });
    await page.waitForTimeout(600); // pause 1
    await page.keyboard.type(' Авр', { delay: 60 });
    await page.waitForTimeout(600); // pause 2
    // The list answering the whole text (on a busy machine an earlier answer may show first).
    await page.locator('.amo-address__item', { hasText: 'Авроры' }).first().waitFor();
    const items = await page.locator('.amo-address__item').allTextContents();
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(await field.getAttribute('aria-expanded')).toBe('true');

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/demo-card.png' });

    const value = await field.inputValue();
    expect(value).toBe(items[1].trim());
    expect(value).toMatch(/^г Самара, ул Авроры/);
    expect(await page.locator('#card_holder').getAttribute('class')).toContain('card--changed');
    expect(await page.locator('#save_and_close_contacts_link').isEnabled()).toBe(true);
    expect(errors).toEqual([]);

    const requests = suggestRequests(app.logs.text) - before;
    expect(requests).toBeGreaterThan(0);
    // Ten keys, two pauses: a request at each pause, not one a key (a loaded machine may stretch a key's gap past the 300 ms a word is waited out).
    expect(requests).toBeLessThanOrEqual(4);
    await page.close();
  });

  it('a street picked with the mouse, a tap or the keyboard lists its houses at once, never the street again', async () => {
    for (const how of ['click', 'tap', 'keyboard'] as const) {
      const context = await browser.newContext(how === 'tap' ? { viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true } : { viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const field = await typeInDemo(page, how === 'tap' ? 'tap' : 'click');
      const street = page.locator('.amo-address__item', { hasText: /^г Самара, ул Авроры$/ });
      if (how === 'keyboard') {
        const rows = (await page.locator('.amo-address__item').allTextContents()).map((t) => t.trim());
        for (let i = 0; i <= rows.indexOf('г Самара, ул Авроры'); i++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
      } else if (how === 'tap') await street.tap();
      else await street.click();
      expect(await field.inputValue(), how).toBe('г Самара, ул Авроры, ');
      // The backend's answer for "<street>, ": its houses, in number order.
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.amo-address__list')!.dataset.query === 'г Самара, ул Авроры, ');
      const houses = (await page.locator('.amo-address__item').allTextContents()).map((t) => t.trim());
      expect(houses.length, how).toBeGreaterThan(1);
      expect(houses.every((h) => /^г Самара, ул Авроры, д \d/.test(h)), how).toBe(true);
      const numbers = houses.map((h) => Number(/д (\d+)/.exec(h)![1]));
      expect(numbers, how).toEqual([...numbers].sort((a, b) => a - b));
      await context.close();
    }
  });

  it('Save shows the address and its resolved parts, picked with the mouse', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/demo?lang=en`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    await page.locator('[name="CFV[762381]"]').click();
    await page.keyboard.type('Самара Авроры 110', { delay: 40 });
    await page.locator('.amo-address__item', { hasText: 'д 110' }).click();
    expect(await page.locator('[name="CFV[762381]"]').inputValue()).toBe('г Самара, ул Авроры, д 110');
    await page.waitForFunction(() => (window as unknown as { demoWidget: { amoAddress: { chosen: Map<string, unknown> } } }).demoWidget.amoAddress.chosen.size > 0);
    await page.locator('#save_and_close_contacts_link').click();
    const saved = JSON.parse(await page.locator('#saved').innerText());
    expect(saved.custom_fields_values).toEqual([{ field_id: 762381, values: [{ value: 'г Самара, ул Авроры, д 110' }] }]);
    expect(saved.address_parts).toMatchObject({ postal_code: '443017', house: '110', lat: 53.1867 });
    await page.close();
  });
});

/** Where the list and its rows are, against the viewport. */
async function listBox(page: import('playwright-core').Page) {
  return page.evaluate(() => {
    const list = document.querySelector<HTMLElement>('.amo-address__list')!;
    const field = document.querySelector<HTMLElement>('[name="CFV[762381]"]')!.getBoundingClientRect();
    const box = list.getBoundingClientRect();
    const rows = [...list.querySelectorAll('.amo-address__item')].map((li) => li.getBoundingClientRect());
    return { left: box.left, right: box.right, top: box.top, bottom: box.bottom, fieldTop: field.top, fieldBottom: field.bottom, width: innerWidth, height: innerHeight, rowHeights: rows.map((r) => r.height), rowsRight: Math.max(...rows.map((r) => r.right)) };
  });
}

/** /demo opened, the field tapped or clicked, "Самара Авроры" typed and its list shown. */
async function typeInDemo(page: import('playwright-core').Page, how: 'tap' | 'click') {
  await page.goto(`${app.url}/demo`);
  await page.waitForSelector('body[data-widget-ready="true"]');
  const field = page.locator('[name="CFV[762381]"]');
  await (how === 'tap' ? field.tap() : field.click());
  await page.keyboard.type('Самара Авроры', { delay: 30 });
  await page.locator('.amo-address__item', { hasText: 'Авроры' }).first().waitFor();
  return field;
}

describe('on a phone and on a desktop screen', () => {
  it('375x700, touch: the list stays on screen, wraps, rows are 44 px, and a tap picks', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const field = await typeInDemo(page, 'tap');
    const box = await listBox(page);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(box.width);
    expect(box.rowsRight).toBeLessThanOrEqual(box.width);
    expect(Math.min(...box.rowHeights)).toBeGreaterThanOrEqual(44);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/phone-375x700-list.png' });
    const second = page.locator('.amo-address__item').nth(1);
    const text = (await second.textContent())!.trim();
    await second.tap();
    expect(await field.inputValue()).toBe(text);

    // Near the bottom of the screen the list opens above the field, still on screen.
    await page.evaluate(() => {
      const spacer = document.createElement('div');
      spacer.style.height = `${innerHeight}px`;
      document.body.prepend(spacer);
      document.querySelector('[name="CFV[762381]"]')!.scrollIntoView({ block: 'end' });
    });
    await field.fill('');
    await field.tap();
    await page.keyboard.type('Самара Ленинградская', { delay: 30 });
    // The list for the whole text (a list for "Самара " lists its streets, Ленинградская among them).
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.amo-address__list')?.dataset.query === 'Самара Ленинградская' && !document.querySelector<HTMLElement>('.amo-address__list')!.hidden);
    const high = await listBox(page);
    expect(high.bottom).toBeLessThanOrEqual(high.fieldTop + 1);
    expect(high.top).toBeGreaterThanOrEqual(0);
    await page.screenshot({ path: 'test-output/phone-375x700-above.png' });
    // A phone with a keyboard attached: the arrow keys and Enter pick too.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await field.inputValue()).toMatch(/^г Самара, ул Ленинградская/);
    await context.close();
  });

  it('1280x800, mouse and keyboard: the list sits under the field at its width, rows stay compact', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const field = await typeInDemo(page, 'click');
    const box = await listBox(page);
    expect(box.top).toBeGreaterThanOrEqual(box.fieldBottom - 1);
    expect(box.right).toBeLessThanOrEqual(box.width);
    expect(Math.max(...box.rowHeights)).toBeLessThan(44);
    await page.screenshot({ path: 'test-output/desktop-1280x800-list.png' });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await field.inputValue()).toMatch(/^г Самара, ул Авроры/);
    // And with the mouse.
    await field.fill('');
    await page.keyboard.type('Самара Авроры 11', { delay: 30 });
    await page.locator('.amo-address__item', { hasText: 'д 112' }).click();
    expect(await field.inputValue()).toBe('г Самара, ул Авроры, д 112');
    await page.close();
  });
});

describe('accessibility (axe-core in the page)', () => {
  /** axe's violations on the widget's own elements (the field, the list, its status lines); the demo page's own markup is not the widget's. */
  async function widgetViolations(page: import('playwright-core').Page): Promise<Array<{ id: string; targets: string[] }>> {
    // "region" (content outside landmarks) is about the host page's structure, amoCRM's here: off.
    // Only the field's block is checked (the field, the list, its status lines and notice all sit
    // there): the whole demo page took axe long enough on a loaded CI machine to time the test out.
    const all = (await page.evaluate(`axe.run(document.querySelector('[name="CFV[762381]"]').parentElement, { resultTypes: ['violations'], rules: { region: { enabled: false } } }).then((r) => r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as Array<{ id: string; targets: string[] }>;
    return all
      .map((v) => ({ id: v.id, targets: v.targets.filter((t) => /amo-address|cf-address|CFV/.test(t)) }))
      .filter((v) => v.targets.length > 0);
  }

  it("finds nothing of the widget's with the list open, empty and in error", async () => {
    const page = await browser.newPage({ bypassCSP: true }); // axe is injected as a script
    page.setDefaultTimeout(20_000); // a step that hangs names itself before the test's own timeout
    await page.goto(`${app.url}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
    const field = page.locator('[name="CFV[762381]"]');
    await field.click();
    await page.keyboard.type('Самара Авроры', { delay: 20 });
    await page.locator('.amo-address__item').first().waitFor();
    expect(await widgetViolations(page)).toEqual([]);
    expect(await page.locator('.amo-address__live').textContent()).toMatch(/адрес/);

    // A house the data lacks: the note is the list's first row, a disabled option.
    await page.keyboard.type(' 5', { delay: 20 });
    await page.locator('.amo-address__caption').waitFor();
    expect(await widgetViolations(page)).toEqual([]);
    expect(await page.locator('.amo-address__live').textContent()).toMatch(/Дома 5 нет в данных/);

    await field.fill('');
    await page.keyboard.type('Самара Авроры ыыыыы', { delay: 20 });
    await page.locator('.amo-address__status:not([hidden])').waitFor();
    expect(await widgetViolations(page)).toEqual([]);
    expect(await page.locator('.amo-address__live').textContent()).toMatch(/Ничего не найдено/);

    await page.route('**/api/address/suggest**', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"storage_unavailable","message":"x"}}' }));
    await field.fill('');
    await page.keyboard.type('Самара Ленин', { delay: 20 });
    await page.locator('.amo-address__notice').waitFor();
    expect(await widgetViolations(page)).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('demo console page (npm start, no amoCRM credentials)', () => {
  it('is linked from /demo, hosted as amoCRM hosts a widget’s advanced settings page, and works for the demo account', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}/demo?lang=en`);
    await page.click('a[href^="/demo/console"]');
    await page.waitForSelector('#work-area-amo-address .amo-console [data-status="demo"]');
    expect(await page.locator('[data-status]').textContent()).toContain('Demo mode');
    await page.fill('#amo-console-key-name', 'demo.example');
    await page.click('[data-key="create-key"]');
    await page.waitForSelector('#amo-console-new-key');
    expect((await app.system.siteKeys.list(1)).map((k) => k.name)).toContain('demo.example');
    expect(await page.locator('.amo-console select').count()).toBe(0); // the fields come from amoCRM
    await page.screenshot({ path: 'test-output/demo-console.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
