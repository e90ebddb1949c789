/**
 * amoCRM's mobile app (the `mobile_card` location): the app opens our page in a lead card's
 * widget block with a disposable token naming the card (amoCRM's mobile widgets page: `data.
 * entity_type`, `data.entity_id`, no `is_admin`). In Chromium at a phone's size, with touch: the
 * page shows the lead's address, a manager types and taps a suggestion, saves, and amoCRM gets it;
 * a manager whose role may not edit the lead is told so in words and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../../scripts/chromium.js';
import { ACCOUNT, admin, eventually, fieldValue, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { widgetToken } from '../helpers.js';
import { rights } from '../fakes/fake-amocrm-users.js';

let env: WriteEnv;
let browser: Browser;
const MANAGER = 601;
const READ_ONLY = 602;

beforeAll(async () => {
  env = await writeEnv();
  const mapped = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762381, postalCode: 762385 } } });
  if (mapped.status !== 200) throw new Error(`mapping: ${mapped.status}`);
  env.fake.addRole(ACCOUNT, { id: 7, name: 'Только чтение', rights: { leads: rights('D'), contacts: rights('D'), companies: rights('D'), status_rights: [] } });
  env.fake.addUser(ACCOUNT, { id: MANAGER, name: 'Менеджер' });
  env.fake.addUser(ACCOUNT, { id: READ_ONLY, name: 'Стажёр', roleId: 7 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function openOnPhone(leadId: number, userId: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2, locale: 'ru-RU' });
  const page = await context.newPage();
  const token = await widgetToken({ accountId: ACCOUNT, userId, isAdmin: false, data: { entity_type: 'leads', entity_id: leadId } });
  await page.goto(`${env.app.url}/mobile/card?token=${encodeURIComponent(token)}&from=ios`);
  return page;
}

/** Taps Save and reads what the page says once the answer is in (again while the pick is still being resolved). */
async function saveAndRead(page: Page): Promise<string> {
  const status = page.locator('#amo-mobile-status');
  for (let i = 0; i < 20; i++) {
    await page.locator('button', { hasText: 'Сохранить адрес' }).tap();
    await expect.poll(async () => status.textContent()).not.toBe('Сохраняем…');
    const said = (await status.textContent()) ?? '';
    if (!said.startsWith('Выберите адрес')) return said;
    await page.waitForTimeout(100);
  }
  return (await status.textContent()) ?? '';
}

describe('the mobile app’s lead card', () => {
  it('shows the lead’s address, a tap on a suggestion and Save write it to amoCRM', async () => {
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'С телефона', responsible_user_id: MANAGER, custom_fields_values: [{ field_id: 762381, values: [{ value: 'самара авроры' }] }] });
    const page = await openOnPhone(leadId, MANAGER);
    const field = page.locator('#amo-mobile-address');
    await field.waitFor();
    expect(await field.inputValue()).toBe('самара авроры');
    expect(await page.locator('label[for="amo-mobile-address"]').textContent()).toBe('Адрес доставки');
    await field.tap();
    await field.fill('');
    await page.keyboard.type('самара авроры 11', { delay: 30 });
    const item = page.locator('.amo-address__item', { hasText: 'д 110' });
    await item.waitFor();
    const box = await page.locator('.amo-address__list').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    await item.tap();
    expect(await field.inputValue()).toBe('г Самара, ул Авроры, д 110');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/mobile-card-375x700.png' });
    // Save once the pick is resolved (its postcode): the page says when it is too early.
    expect(await saveAndRead(page)).toMatch(/^Сохранено/);
    const lead = env.fake.entities.get(ACCOUNT)!.leads.get(leadId)!;
    await eventually(() => fieldValue(lead, 762381) === 'г Самара, ул Авроры, д 110', 'written to amoCRM');
    expect(fieldValue(lead, 762385)).toBe('443017');
    await page.context().close();
  });

  it('a manager whose role may not edit leads is told so, and nothing is written', async () => {
    const leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Чужая', responsible_user_id: MANAGER, custom_fields_values: null });
    const page = await openOnPhone(leadId, READ_ONLY);
    const field = page.locator('#amo-mobile-address');
    await field.waitFor();
    await field.tap();
    await page.keyboard.type('самара авроры 112', { delay: 30 });
    await page.locator('.amo-address__item', { hasText: 'д 112' }).tap();
    expect(await saveAndRead(page)).toMatch(/нет прав менять эту сделку/);
    await env.app.system.worker.whenIdle();
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(leadId), 762381)).toBeUndefined();
    await page.context().close();
  });

  it('a token that names no card, or a customer card, says what to do', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${env.app.url}/mobile/card?token=${encodeURIComponent(await widgetToken({ accountId: ACCOUNT, isAdmin: false }))}`);
    await expect.poll(async () => page.locator('#amo-mobile-status').textContent()).toMatch(/из карточки сделки/);
    await page.goto(`${env.app.url}/mobile/card?token=${encodeURIComponent(await widgetToken({ accountId: ACCOUNT, isAdmin: false, data: { entity_type: 'customers', entity_id: 5 } }))}`);
    await expect.poll(async () => page.locator('#amo-mobile-status').textContent()).toMatch(/из карточки сделки/);
    await context.close();
  });
});
