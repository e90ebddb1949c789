/**
 * The admin console in Chromium, as amoCRM shows it on the widget's advanced settings page: the
 * page is served at an amoCRM origin (https://acme.amocrm.ru) with a disposable token, so every
 * call to the backend on 127.0.0.1 is cross-origin with X-Auth-Token and a real preflight. Each
 * action runs end to end against the fake amoCRM; then a keyboard-only pass, a user who is not an
 * admin, another account's token, and a screenshot of the page in each language (test-output/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { launchChromium } from '../../scripts/chromium.js';
import { ACCOUNT, eventually, fieldValue, postLead, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { addressField, handTyped, importRealHouses } from '../cleaning/clean-helpers.js';
import { connectAccount, widgetToken } from '../helpers.js';

const OTHER = 36000002;
const PAGE = 'https://acme.amocrm.ru/settings/widgets/amo-address/';
let env: WriteEnv;
let browser: Browser;

beforeAll(async () => {
  env = await writeEnv();
  env.fake.addAccount({ id: OTHER, subdomain: 'other', name: 'Other' });
  await connectAccount(env.app, env.fake, OTHER, 'other');
  // As in amocrm-card.test.ts: Local Network Access checks off for a loopback backend only; CORS stays on.
  browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights']);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** The advanced settings page at amoCRM's origin, hosting the real build with the given token. */
async function openConsole(options: { lang?: 'ru' | 'en'; accountId?: number; isAdmin?: boolean; token?: string } = {}): Promise<Page> {
  const accountId = options.accountId ?? ACCOUNT;
  const token = options.token ?? (await widgetToken({ accountId, subdomain: accountId === OTHER ? 'other' : 'acme', isAdmin: options.isAdmin ?? true }));
  const backend = env.app.url;
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body>
    <div id="work-area-amo-address"></div>
    <script>window.AMO_PAGE = ${JSON.stringify({ backend, token, lang: options.lang ?? 'ru', langs: JSON.parse(readFileSync(`widget/i18n/${options.lang ?? 'ru'}.json`, 'utf8')) })};</script>
    <script src="${backend}/vendor/require.js"></script>
    <script src="${backend}/demo/amocrm-advanced-settings.js"></script></body></html>`;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'https://acme.amocrm.ru' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => void dialog.accept());
  await page.route(`${PAGE}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(PAGE);
  await page.waitForSelector('body[data-widget-ready="true"]');
  await page.unrouteAll();
  await page.waitForSelector('.amo-console [data-status], .amo-console [role="alert"]');
  return page;
}

const message = (page: Page, section: string) => page.locator(`[data-message="${section}"]`);

/** Presses Tab until `selector` has the focus: proves it is reachable by keyboard. */
async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} not reached by Tab`);
}

describe('the admin console in amoCRM’s advanced settings', () => {
  it('every action end to end: fields, site keys, webhooks, parked writes, the address book', async () => {
    const page = await openConsole();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    expect(await page.locator('[data-status]').textContent()).toContain('Подключено к amoCRM как acme');

    // Fields, chosen from the account's own /custom_fields and /pipelines.
    await page.waitForSelector('#amo-console-leads-address option[value="762381"]', { state: 'attached' });
    expect(await page.locator('#amo-console-leads-address option[value="762381"]').textContent()).toBe('Адрес доставки (streetaddress)');
    await page.selectOption('#amo-console-leads-address', '762381');
    await page.selectOption('#amo-console-leads-postalCode', '762385');
    await page.selectOption('#amo-console-pipeline', '5000');
    await page.selectOption('#amo-console-status', '6001');
    await page.click('[data-key="save-fields"]');
    await expect.poll(() => message(page, 'fields').textContent()).toContain('Сохранено');
    expect((await env.app.system.settings.get(ACCOUNT))).toEqual({ pipelineId: 5000, statusId: 6001, fields: { leads: { address: 762381, postalCode: 762385 } } });
    // A field deleted in amoCRM since: saving says so, in words, and names it.
    const fieldsBefore = env.fake.fields.leads;
    env.fake.fields.leads = fieldsBefore.filter((f) => f.id !== 762385);
    await page.click('[data-key="save-fields"]');
    await expect.poll(() => message(page, 'fields').textContent()).toBe('Сделки → Индекс: такого поля в amoCRM больше нет. Загрузите поля снова и выберите другое.');
    expect((await env.app.system.settings.get(ACCOUNT)).fields.leads?.postalCode).toBe(762385); // nothing saved
    env.fake.fields.leads = fieldsBefore;

    // A site key: shown once, copied, used by a website, listed with its last use, revoked.
    await page.fill('#amo-console-key-name', 'shop.example');
    await page.click('[data-key="create-key"]');
    await page.waitForSelector('#amo-console-new-key');
    const key = await page.inputValue('#amo-console-new-key');
    expect(key).toMatch(/^ak_/);
    expect(await page.locator('.amo-console__snippet pre').textContent()).toContain(`'X-Api-Key': "${key}"`);
    expect(await page.locator('.amo-console__snippet pre').textContent()).toContain(`${env.app.url.replace(/:\d+$/, ':1')}/api/leads`);
    await page.click('[data-key="copy-key"]');
    await expect.poll(() => message(page, 'keys').textContent()).toBe('Скопировано.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect((await postLead(env.app.url, key, { name: 'Иван', phone: '+79170000001' })).status).toBe(202);
    await page.click('[data-key="refresh"]');
    const row = page.locator('tr[data-site-key]', { hasText: 'shop.example' });
    await expect.poll(() => row.locator('td').nth(2).textContent()).not.toBe('никогда');
    await row.locator('button').click();
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('отозван');
    expect((await postLead(env.app.url, key, { name: 'Иван', phone: '+79170000001' })).status).toBe(401);

    // The webhook, subscribed and unsubscribed in amoCRM.
    await page.click('[data-key="subscribe"]');
    await page.waitForSelector('[data-webhook="true"]', { timeout: 20_000 });
    expect(env.fake.webhooks.filter((w) => w.accountId === ACCOUNT)).toHaveLength(1);
    await page.click('[data-key="unsubscribe"]');
    await page.waitForSelector('[data-webhook="false"]', { timeout: 20_000 });
    expect(env.fake.webhooks.filter((w) => w.accountId === ACCOUNT)).toHaveLength(0);

    // Parked writes: listed with the error in words, retried one and all.
    const { outbox, clock } = env.app.system;
    const park = async (error: string) => {
      const id = (await outbox.enqueue(ACCOUNT, 'webhook', { changed: { leads: [], contacts: [], companies: [] } } as never, clock.now())).id;
      await outbox.fail(id, error, clock.now(), null);
      return id;
    };
    const first = await park('amoCRM refused the lead: field 762385 does not exist');
    await page.click('[data-key="refresh"]');
    await expect.poll(() => page.locator(`[data-parked="${first}"]`).textContent()).toContain('field 762385 does not exist');
    await page.click(`[data-key="retry-${first}"]`);
    await expect.poll(() => message(page, 'writes').textContent()).toBe('Возвращено в очередь: 1.');
    await eventually(async () => (await outbox.find(first))!.status !== 'parked', 'retried');
    await park('one');
    await park('two');
    await page.click('[data-key="refresh"]');
    await page.click('[data-key="retry-all"]');
    await expect.poll(() => message(page, 'writes').textContent()).toBe('Возвращено в очередь: 2.');

    // The address book: imported from the account's cards with progress, then cleared.
    env.fake.addEntity(ACCOUNT, 'leads', { name: 'A', custom_fields_values: [{ field_id: 762381, values: [{ value: 'г Самара, ул Авроры, д 110' }] }] });
    env.fake.addEntity(ACCOUNT, 'contacts', { name: 'B', custom_fields_values: [{ field_id: 762391, values: [{ value: 'г Самара, ул Авроры, д 112' }] }] });
    await page.click('[data-key="import-book"]');
    await page.waitForSelector('progress[data-progress="done"]', { timeout: 20_000 });
    expect(await page.locator('[data-count="book"]').textContent()).toBe('Адресов этого аккаунта: 2');
    await page.screenshot({ path: join('test-output', 'console-ru.png'), fullPage: true });
    await page.click('[data-key="clear-book"]');
    await expect.poll(() => page.locator('[data-count="book"]').textContent()).toBe('Адресов этого аккаунта: 0');
    expect(errors).toEqual([]);
    // Every call crossed origins with the token: the browser asked first.
    expect(env.app.logs.text).toMatch(/"method":"OPTIONS","url":"\/api\/console\/site-keys\/\d+"/);
    await page.context().close();
  });

  it('in English, by keyboard alone: a field chosen and saved, a key created, the webhook subscribed', async () => {
    const page = await openConsole({ lang: 'en' });
    expect(await page.locator('h1').textContent()).toBe('Address autocomplete: console');
    await page.waitForSelector('#amo-console-leads-city option[value="762387"]', { state: 'attached' });
    await page.screenshot({ path: join('test-output', 'console-en.png'), fullPage: true });

    await tabTo(page, '#amo-console-leads-city');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown'); // none → Адрес доставки → Индекс → Город
    await tabTo(page, '[data-key="save-fields"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => message(page, 'fields').textContent()).toBe('Saved: amoCRM has every field you chose.');
    expect((await env.app.system.settings.get(ACCOUNT)).fields.leads?.city).toBe(762387);

    await tabTo(page, '#amo-console-key-name');
    await page.keyboard.type('keyboard.example');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#amo-console-new-key');
    expect((await env.app.system.siteKeys.list(ACCOUNT)).some((k) => k.name === 'keyboard.example')).toBe(true);

    await tabTo(page, '[data-key="subscribe"]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-webhook="true"]', { timeout: 20_000 });
    await page.context().close();
  });

  it('a connection that needs the admin says why, with Reconnect; a block says until when', async () => {
    await env.app.system.accounts.markReconnectRequired(OTHER, 'amoCRM refused the refresh token (invalid_grant)', Date.now());
    let page = await openConsole({ accountId: OTHER });
    expect(await page.locator('[data-status="reconnect_required"]').textContent()).toBe('Подключение истекло: подключите аккаунт заново.');
    expect(await page.locator('.amo-console__note', { hasText: 'Причина' }).textContent()).toBe('Причина: amoCRM refused the refresh token (invalid_grant)');
    expect(await page.locator('[data-key="connect"]').textContent()).toBe('Подключить заново');
    expect(await page.locator('[data-key="connect"]').getAttribute('href')).toBe('http://127.0.0.1:1/api/auth/amocrm/start');
    await page.context().close();
    await connectAccount(env.app, env.fake, OTHER, 'other');

    await env.app.system.accounts.pause(OTHER, Date.now() + 3600_000, 'account blocked by amoCRM (403)', Date.now());
    page = await openConsole({ accountId: OTHER, lang: 'en' });
    expect(await page.locator('[data-status="blocked"]').textContent()).toMatch(/^amoCRM has paused this account until .+; writes wait and are sent after\.$/);
    expect(await page.locator('[data-key="connect"]').count()).toBe(0);
    await page.context().close();
    await env.app.system.accounts.pause(OTHER, Date.now() - 1, 'over', Date.now());
  });

  it('"Проверка адресов в базе": a check, its counts and rows, the report downloaded, the ticked row written, then undone', async () => {
    const houses = await importRealHouses(env.app);
    const ids = houses.slice(0, 8).map((r, i) => env.fake.addEntity(ACCOUNT, 'leads', { name: 'Заказ', custom_fields_values: addressField(handTyped(r, 'abbrev', i)) }));
    env.fake.addEntity(ACCOUNT, 'leads', { name: 'Пусто', custom_fields_values: null });
    const page = await openConsole();
    // The file links are on PUBLIC_URL (port 1 here): the browser is sent to the test's server instead.
    await page.context().route('http://127.0.0.1:1/**', (route) => route.continue({ url: route.request().url().replace('http://127.0.0.1:1', env.app.url) }));
    await page.waitForSelector('[data-clean-form]');
    await page.selectOption('#amo-clean-entity', 'leads');
    await page.click('[data-key="clean-start"]');
    await page.waitForSelector('[data-clean-status="checked"]', { timeout: 60_000 });
    const leadsRead = (await env.app.system.clean!.latest(ACCOUNT))!.read;
    expect(await page.locator('[data-clean-status]').textContent()).toBe(`Проверка завершена: прочитано ${leadsRead}.`);
    expect(await page.locator('[data-class="normalise"]').textContent()).toBe('Будут нормализованы: 8');
    expect(await page.locator('[data-class="empty"]').textContent()).toMatch(/^Пустые: [1-9]/);
    expect(await page.locator('[data-clean-rows] tbody tr').count()).toBe(8);
    // The report, as the browser saves it.
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-key="clean-report"]')]);
    const csv = readFileSync((await file.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('"Станет"');
    // One ticked row is written; the button says how many, with its plural.
    await page.check(`[data-key="clean-tick-${ids[0]}"]`);
    expect(await page.locator('[data-key="clean-apply-ticked"]').textContent()).toBe('Записать 1 отмеченный адрес');
    expect(await page.locator('[data-key="clean-apply-all"]').textContent()).toBe('Записать 8 нормализованных адресов');
    await page.click('[data-key="clean-apply-ticked"]');
    await page.waitForSelector('[data-clean-status="applied"]', { timeout: 60_000 });
    expect(await page.locator('[data-clean-results]').textContent()).toBe('Записан 1 адрес.');
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(ids[0]), 762381)).toMatch(/^г Москва, /);
    await page.locator('section[aria-labelledby="amo-console-clean"]').screenshot({ path: join('test-output', 'console-clean.png') }); // docs/images/console-clean.png is a copy
    await page.click('[data-key="clean-undo"]');
    await page.waitForSelector('[data-clean-status="undone"]', { timeout: 60_000 });
    expect(fieldValue(env.fake.entities.get(ACCOUNT)!.leads.get(ids[0]), 762381)).toBe(handTyped(houses[0], 'abbrev', 0));
    await page.context().close();
  }, 180_000);

  it('a user who is not an admin sees the state and no control that changes it', async () => {
    const page = await openConsole({ isAdmin: false });
    expect(await page.locator('.amo-console__note').first().textContent()).toBe('Вы видите состояние; менять его может только администратор этого аккаунта amoCRM.');
    expect(await page.locator('[data-status]').textContent()).toContain('Подключено');
    expect(await page.locator('[data-count="book"]').count()).toBe(1);
    // Only "check an address" (delivery zones), which reads: nothing that changes anything.
    expect(await page.locator('.amo-console select, .amo-console input').evaluateAll((inputs) => inputs.map((i) => i.getAttribute('data-key')))).toEqual(['zone-check']);
    expect(await page.locator('.amo-console button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-key')))).toEqual(['check-zone', 'refresh']);
    await page.context().close();
  });

  it('another account’s token sees that account only, and cannot touch this one’s keys', async () => {
    const mine = (await env.app.system.console.createSiteKey(ACCOUNT, 'acme-only.example'));
    const page = await openConsole({ accountId: OTHER });
    expect(await page.locator('[data-status]').textContent()).toContain('как other');
    expect(await page.locator('.amo-console').textContent()).not.toContain('acme-only.example');
    const status = await page.evaluate(async ([backend, id]) => {
      const w = window as unknown as { widget: { $authorizedAjax(o: object): { then(ok: () => void, fail: (x: { status: number }) => void): void } } };
      return new Promise<number>((resolve) => w.widget.$authorizedAjax({ url: `${backend}/api/console/site-keys/${id}`, type: 'DELETE' }).then(() => resolve(204), (x) => resolve(x.status)));
    }, [env.app.url, mine.id] as const);
    expect(status).toBe(404);
    expect((await env.app.system.siteKeys.list(ACCOUNT)).find((k) => k.id === mine.id)!.revokedAt).toBeNull();
    await page.context().close();

    const forged = await openConsole({ token: await widgetToken({ accountId: ACCOUNT, secret: 'not-our-secret-0123456789' }) });
    expect(await page.isClosed()).toBe(true);
    expect(await forged.locator('[role="alert"]').textContent()).toContain('Сервер не принял вход из amoCRM');
    expect(await forged.locator('[data-status]').count()).toBe(0);
    await forged.context().close();
  });
});
