/**
 * Chrome's address autofill stays off the widget's field (its dropdown would cover our list),
 * with an `autocomplete` value the HTML standard allows. Chromium's --show-autofill-type-predictions
 * writes its verdict on every field (`autofill-prediction`): on a card like amoCRM's the phone
 * field is predicted a phone and the address field, without the widget, an address — with the
 * widget's token, UNKNOWN_TYPE (nothing offered). Needs a Chromium with autofill (Debian's; the npm
 * package's headless shell has none); .ci/run installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../scripts/chromium.js';
import { startApp, tempDir, type RunningApp } from '../helpers.js';
import { AUTOCOMPLETE_OFF } from '../../widget/src/combobox.js';

const withAutofill = existsSync('/usr/bin/chromium') || !!process.env.CHROME_PATH;
if (!withAutofill) console.warn('autofill test skipped: no Chromium with autofill (install Debian\'s chromium)');

let app: RunningApp;
let browser: Browser;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  if (!withAutofill) return;
  tmp = tempDir();
  app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite') });
  // The card is at amoCRM's origin and the backend on loopback: Local Network Access off, as in amocrm-card.test.ts.
  browser = await launchChromium(['--show-autofill-type-predictions', '--enable-features=AutofillShowTypePredictions', '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights']);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  tmp?.cleanup();
});

/**
 * A card as amoCRM renders one, with the fields Chrome's heuristics look for (name, phone, city,
 * address, postcode), at an https origin, with the real widget build attached to the address
 * field unless `widget` is false.
 */
function cardHtml(backend: string, widget: boolean): string {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"></head><body>
  <form id="card_holder" class="card-holder" action="/ajax/leads/detail/" method="post">
    <label for="f-name">Контакт</label><input id="f-name" name="contact[NAME]" type="text">
    <label for="f-phone">Телефон</label><input id="f-phone" name="CFV[100001]" type="tel">
    <label for="f-city">Город</label><input id="f-city" name="CFV[762387]" type="text">
    <label for="f-address">Адрес доставки</label><input id="f-address" name="CFV[762381]" type="text">
    <label for="f-zip">Индекс</label><input id="f-zip" name="CFV[762385]" type="text">
    <button id="save_and_close_contacts_link" type="button">Сохранить</button>
  </form>
  <script src="${backend}/vendor/require.js"></script>
  <script>
    window.APP = { data: { current_card: { id: 1 } }, getBaseEntity: function () { return 'leads'; }, getWidgetsArea: function () { return 'leads_card'; }, isCard: function () { return true; }, lang_id: 'ru' };
    requirejs.config({ paths: { jquery: '${backend}/vendor/jquery' } });
    ${widget ? `require(['jquery', '${backend}/demo/widget/script.js'], function ($, Widget) {
      var widget = new Widget();
      widget.langs = {};
      widget.system = function () { return { area: 'lcard' }; };
      widget.get_settings = function () { return { field_ids: '762381', backend_url: '${backend}', active: 'Y' }; };
      widget.$authorizedAjax = function (o) { return $.ajax(o); };
      widget.callbacks.render(); widget.callbacks.init(); widget.callbacks.bind_actions();
      document.body.setAttribute('data-ready', 'true');
    });` : "document.body.setAttribute('data-ready', 'true');"}
  </script></body></html>`;
}

/** Chrome's verdict on the phone and address fields, after it parsed the form (on focus). */
async function predictions(page: import('playwright-core').Page, widget: boolean) {
  await page.route('https://acme.amocrm.ru/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: cardHtml(app.url, widget) }));
  await page.goto('https://acme.amocrm.ru/leads/detail/1');
  await page.waitForSelector('body[data-ready="true"]');
  const read = async () => {
    await page.locator('#f-phone').click();
    await page.locator('#f-address').click();
    return page.evaluate(() => ({
      phone: document.getElementById('f-phone')!.getAttribute('autofill-prediction'),
      address: document.getElementById('f-address')!.getAttribute('autofill-prediction'),
      autocomplete: document.getElementById('f-address')!.getAttribute('autocomplete'),
    }));
  };
  await expect.poll(async () => (await read()).phone ?? '', { timeout: 15_000, interval: 300 }).toMatch(/^PHONE_/);
  return read();
}

describe.skipIf(!withAutofill)('Chrome autofill and the address field', () => {
  it('takes the bare field for an address, and the widget’s field for nothing it would fill', async () => {
    const page = await browser.newPage();
    // Without the widget Chrome would lay its saved addresses over the field: the test can fail.
    const bare = await predictions(page, false);
    expect(bare.address).toMatch(/^ADDRESS_HOME_/);
    const withWidget = await predictions(page, true);
    expect(withWidget.autocomplete).toBe(AUTOCOMPLETE_OFF);
    expect(withWidget.address).toBe('UNKNOWN_TYPE');
    await page.close();
  });
});
