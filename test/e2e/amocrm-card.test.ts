/**
 * The widget as amoCRM runs it, in Chromium: the card page is served at an amoCRM origin
 * (https://acme.amocrm.ru, answered by the browser's request routing), so every call to the
 * backend on 127.0.0.1 is cross-origin with `X-Auth-Token` and goes through a real preflight.
 * The backend is connected to the fake amoCRM, which receives the write-backs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { launchChromium } from '../../scripts/chromium.js';
import { ACCOUNT, admin, eventually, fieldValue, writeEnv, type WriteEnv } from '../writes/write-helpers.js';
import { widgetToken } from '../helpers.js';

const CARD = 'https://acme.amocrm.ru/leads/detail/';
let env: WriteEnv;
let browser: Browser;
let leadId: number;
let contactId: number;

beforeAll(async () => {
  env = await writeEnv();
  leadId = env.fake.addEntity(ACCOUNT, 'leads', { name: 'Доставка дивана' });
  contactId = env.fake.addEntity(ACCOUNT, 'contacts', { name: 'Иван' });
  const mapped = await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { fields: { leads: { address: 762381, postalCode: 762385 } } });
  if (mapped.status !== 200) throw new Error(`mapping: ${mapped.status}`);
  // The page is public (an amoCRM origin) and our test backend is on loopback: Chromium's Local
  // Network Access would ask the user first. A real backend is a public https host, so the check
  // is switched off here only; CORS and the preflight stay fully on.
  browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights']);
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** A lead card at amoCRM's origin: the lead's own address field and a linked contact's form. */
function cardHtml(backend: string, token: string, id: number, contact: number): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body>
  <div id="card_holder"><div class="card-fields__fields-block"><input name="CFV[762381]" type="text" id="lead-address"></div>
  <div class="linked-forms__item" data-main-item="true"><form class="linked-form" action="/ajax/contacts/detail/"><input type="hidden" name="ID" value="${contact}"><input type="hidden" name="ELEMENT_TYPE" value="1"><input name="CFV[762391]" type="text" id="contact-address"></form></div>
  <button id="save_and_close_contacts_link" type="button">Save</button></div>
  <script src="${backend}/vendor/require.js"></script>
  <script>
    window.APP = { data: { current_card: { id: ${id} } }, getBaseEntity: function () { return 'leads'; }, getWidgetsArea: function () { return 'leads_card'; }, isCard: function () { return true; }, lang_id: 'ru' };
    requirejs.config({ paths: { jquery: '${backend}/vendor/jquery' } });
    require(['jquery', '${backend}/demo/widget/script.js'], function ($, Widget) {
      // amoCRM hands the widget its i18n file itself (self.langs, reference §2).
      (function (langs) {
        var widget = new Widget();
        widget.langs = langs;
        widget.system = function () { return { area: 'lcard' }; };
        widget.settingsActive = 'Y';
        widget.get_settings = function () { return { field_ids: '762381, 762391', backend_url: '${backend}', active: widget.settingsActive }; };
        // amoCRM's $authorizedAjax: jQuery ajax with the disposable token (reference §5).
        widget.$authorizedAjax = function (o) { return $.ajax($.extend({}, o, { headers: { 'X-Auth-Token': '${token}' } })); };
        window.widget = widget;
        widget.callbacks.render(); widget.callbacks.init(); widget.callbacks.bind_actions();
        document.body.setAttribute('data-widget-ready', 'true');
      })(${readFileSync('widget/i18n/ru.json', 'utf8')});
    });
  </script></body></html>`;
}

async function openCard(): Promise<Page> {
  const page = await browser.newPage();
  const token = await widgetToken({ accountId: ACCOUNT });
  await page.route(`${CARD}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: cardHtml(env.app.url, token, leadId, contactId) }));
  await page.goto(`${CARD}${leadId}`);
  await page.waitForSelector('body[data-widget-ready="true"]');
  // With a route in place Playwright answers CORS preflights itself; without it every call from
  // here on is the browser's own, preflight included.
  await page.unrouteAll();
  return page;
}

describe('the widget in an amoCRM card, cross-origin', () => {
  it('blur with a highlight, Enter without one, a linked contact field, Save reaching amoCRM, a card switch, switching off', async () => {
    const page = await openCard();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // The lead's field: ArrowDown highlights, leaving the field picks it as a click would.
    await page.locator('#lead-address').click();
    await page.keyboard.type('Самара Авроры 1', { delay: 30 });
    await page.waitForSelector('#lead-address + .amo-address__list .amo-address__item');
    const first = (await page.locator('#lead-address + .amo-address__list .amo-address__item').first().textContent())!.trim();
    await page.keyboard.press('ArrowDown');
    await page.mouse.click(900, 5); // somewhere empty on the page: the field loses focus
    expect(await page.locator('#lead-address').inputValue()).toBe(first);

    // The linked contact's field: Enter with nothing highlighted picks the one matching suggestion.
    await page.locator('#contact-address').click();
    await page.keyboard.type('самара авроры 112', { delay: 30 });
    await page.waitForSelector('#contact-address + .amo-address__list .amo-address__item');
    await page.keyboard.press('Enter');
    expect(await page.locator('#contact-address').inputValue()).toBe('г Самара, ул Авроры, д 112');
    await page.waitForFunction(() => (window as unknown as { widget: { amoAddress: { chosen: Map<string, unknown> } } }).widget.amoAddress.chosen.size === 2);

    await page.locator('#save_and_close_contacts_link').click();
    await eventually(() => env.fake.patches.length === 2, 'both write-backs reached amoCRM');
    const contact = env.fake.entities.get(ACCOUNT)!.contacts.get(contactId);
    expect(fieldValue(contact, 762391)).toBe('г Самара, ул Авроры, д 112');
    const lead = env.fake.entities.get(ACCOUNT)!.leads.get(leadId);
    expect(fieldValue(lead, 762381)).toBe(first);
    expect(fieldValue(lead, 762385)).toBe('443017');
    // Each call was cross-origin: the browser asked first.
    expect(env.app.logs.text).toMatch(/"method":"OPTIONS","url":"\/api\/amocrm\/leads\/\d+\/address"/);
    expect(env.app.logs.text).toMatch(/"method":"OPTIONS","url":"\/api\/address\/suggest/);

    // amoCRM swaps to another card without calling destroy: the new field works, with one list.
    await page.evaluate(() => {
      document.getElementById('card_holder')!.innerHTML = '<input name="CFV[762381]" type="text" id="next-card">';
    });
    await page.locator('#next-card').click();
    await page.keyboard.type('Самара Ленинград', { delay: 30 });
    await page.waitForSelector('#next-card + .amo-address__list .amo-address__item');
    expect(await page.locator('.amo-address__list').count()).toBe(1);

    // The admin switches the widget off: onSave lets it, destroy cleans up.
    const allowed = await page.evaluate(() => {
      const w = (window as unknown as { widget: { settingsActive: string; callbacks: { onSave(): boolean; destroy(): boolean } } }).widget;
      w.settingsActive = 'N';
      const result = w.callbacks.onSave();
      w.callbacks.destroy();
      return result;
    });
    expect(allowed).toBe(true);
    expect(await page.locator('.amo-address__list').count()).toBe(0);
    expect(await page.locator('#next-card').getAttribute('role')).toBeNull();
    expect(errors).toEqual([]);
    await page.screenshot({ path: join('test-output', 'amocrm-card.png') });
    await page.close();
  });
});
