/**
 * npm run check:typing — the typing journey as a manager meets it, checked in Chromium on the
 * demo card with the built script.js against the real server on the demo's real data (central
 * Moscow from OpenStreetMap, г Байконур from the registry, ../shared). Kept apart from `npm test`:
 * it types slowly, as a person does.
 *  1. Real addresses typed word by word with 1.2 s after each word: every list at a pause is the
 *     backend's answer for the text in the field.
 *  2. A street picked by keyboard (↓ to it, Enter): the field reads "<street>, " and the list is
 *     that street's houses, the backend's answer for the field's text — never the street again.
 * Prints what it saw and exits 1 on the first kind of failure it finds.
 */
import { launchChromium } from './chromium.js';
import { random, shownList, typeWordByWord, typingTarget } from './bench/typing-bench.js';

const rnd = random(Number(process.env.CHECK_SEED ?? 20261207));
const target = await typingTarget('demo', Number(process.env.CHECK_ADDRESSES ?? 8), rnd);
const failures: string[] = [];
try {
  const browser = await launchChromium();
  try {
    let pauses = 0;
    for (const text of target.addresses) {
      const page = await target.openCard(browser);
      const result = await typeWordByWord(page, target, text, rnd);
      pauses += result.pauses;
      failures.push(...result.wrong);
      console.log(`typed "${text}" word by word: ${result.pauses - result.wrong.length} of ${result.pauses} pauses show the backend's list`);
      await page.close();
    }
    // Each street of the sampled addresses: the words before the number, as typed.
    const streets = [...new Set(target.addresses.map((a) => a.replace(/\s+\S*\d\S*$/, '')))];
    for (const typed of streets) {
      const page = await target.openCard(browser);
      await page.keyboard.type(typed, { delay: 60 });
      await page.waitForFunction(`document.querySelector('.amo-address__list').dataset.query === ${JSON.stringify(typed)}`, undefined, { timeout: 5000 });
      const rows = (await shownList(page)).rows;
      const at = rows.findIndex((r) => !/, (д|зд|влд|уч) /.test(r));
      if (at < 0) {
        failures.push(`"${typed}": no street in the list to pick (${rows.join(' | ')})`);
        await page.close();
        continue;
      }
      for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const field = page.locator('[name="CFV[762381]"]');
      const expectedValue = `${rows[at]}, `;
      await page.waitForFunction(`document.querySelector('.amo-address__list').dataset.query === ${JSON.stringify(expectedValue)}`, undefined, { timeout: 5000 }).catch(() => {});
      const value = await field.inputValue();
      const shown = await shownList(page);
      const backend = await target.answerOf(value);
      const houses = shown.rows.length > 0 && shown.rows.every((r) => r.startsWith(expectedValue));
      const ok = value === expectedValue && shown.query === value && JSON.stringify(shown.rows) === JSON.stringify(backend) && houses;
      console.log(`picked "${rows[at]}" by keyboard: the field reads "${value}", the list shows ${shown.rows.length} rows${houses ? ', all houses of that street' : ''}${ok ? '' : ' — WRONG'}`);
      if (!ok) failures.push(`pick of "${rows[at]}": field "${value}", list for "${shown.query}": ${shown.rows.slice(0, 3).join(' | ')}`);
      await page.close();
    }
    console.log(`\n${pauses} pauses and ${streets.length} street picks checked`);
  } finally {
    await browser.close();
  }
} finally {
  target.close();
}
if (failures.length) {
  console.log(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('check:typing: every list at a pause is the backend’s, and every picked street lists its houses');
