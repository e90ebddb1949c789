/**
 * In Chromium on /demo: for each query, the time from the debounce firing to the list being
 * painted, minus the backend call's own time — that is, from the answer's arrival to the next
 * frame after the list changed (the engine calls the transport synchronously when the debounce
 * fires, so nothing else is on the client's side). The demo's $authorizedAjax is wrapped to see
 * the answer arrive; a MutationObserver plus requestAnimationFrame marks the paint.
 */
import { chromium } from 'playwright-core';
import { percentiles } from './http-load.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function measureWidgetRender(base: string, addresses: string[]) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    await page.evaluate(() => {
      const w = window as unknown as { demoWidget: { callbacks: Record<string, () => void>; $authorizedAjax: (o: unknown) => { done: (cb: (b: unknown) => void) => unknown } }; benchSamples: number[] };
      w.benchSamples = [];
      const original = w.demoWidget.$authorizedAjax;
      w.demoWidget.$authorizedAjax = function (options: unknown) {
        const deferred = original.call(this, options) as { done: (cb: (b: unknown) => void) => unknown };
        const done = deferred.done.bind(deferred);
        deferred.done = (cb: (b: unknown) => void) =>
          done((body: unknown) => {
            const answered = performance.now();
            const list = document.querySelector('.amo-address__list')!;
            const observer = new MutationObserver(() => {
              observer.disconnect();
              requestAnimationFrame(() => w.benchSamples.push(performance.now() - answered));
            });
            observer.observe(list, { childList: true, subtree: true, attributes: true });
            cb(body);
          });
        return deferred;
      };
      // The widget takes $authorizedAjax when it attaches: attach again, as amoCRM does on re-render.
      w.demoWidget.callbacks.destroy();
      w.demoWidget.callbacks.bind_actions();
    });
    const field = page.locator('[name="CFV[762381]"]');
    for (const address of addresses) {
      await field.fill('');
      await field.click();
      await page.keyboard.type(address.slice(0, Math.min(address.length, 12)), { delay: 0 });
      await page.waitForTimeout(400);
    }
    const samples = (await page.evaluate(() => (window as unknown as { benchSamples: number[] }).benchSamples)) as number[];
    return percentiles(samples);
  } finally {
    await browser.close();
  }
}
