/**
 * In Chromium on /demo: for each query, the time from the debounce firing to the list being
 * painted, minus the backend call's own time — that is, from the answer's arrival (the engine
 * calls the transport synchronously when the debounce fires, so nothing else is on the client's
 * side) to the list's style and layout being done, and, separately, to the next animation frame
 * (which adds the wait for the display's next refresh). The demo's $authorizedAjax is wrapped to
 * see the answer arrive; a MutationObserver marks the DOM change.
 */
import { percentiles } from './http-load.js';
import { launchChromium } from '../chromium.js';

export async function measureWidgetRender(base: string, addresses: string[]) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/demo`);
    await page.waitForSelector('body[data-widget-ready="true"]');
    await page.evaluate(() => {
      const w = window as unknown as { demoWidget: { callbacks: Record<string, () => void>; $authorizedAjax: (o: unknown) => { done: (cb: (b: unknown) => void) => unknown } }; benchSamples: number[]; frameSamples: number[] };
      w.benchSamples = [];
      w.frameSamples = [];
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
              list.getBoundingClientRect(); // style and layout done: the list is ready to paint
              w.benchSamples.push(performance.now() - answered);
              requestAnimationFrame(() => w.frameSamples.push(performance.now() - answered));
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
    const samples = await page.evaluate(() => {
      const w = window as unknown as { benchSamples: number[]; frameSamples: number[] };
      return { benchSamples: w.benchSamples, frameSamples: w.frameSamples };
    });
    return { layout: percentiles(samples.benchSamples), frame: percentiles(samples.frameSamples) };
  } finally {
    await browser.close();
  }
}
