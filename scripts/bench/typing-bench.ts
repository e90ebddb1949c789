/**
 * How the built widget types against a backend that answers in 60 ms: requests per typed address
 * and the time from the last key to the list answering the whole text. Chromium runs the real
 * /demo page with the real script.js (npm run build:widget) loaded by RequireJS; the server is
 * the real one with OpenStreetMap's Moscow extract (../shared/realdata) in its index. A proxy in
 * front of it counts every suggestion request and holds each answer until 60 ms have passed.
 *
 * Typing is a person's, replayed with a fixed seed: 5 real addresses of the extract, each typed
 * 4 times (new intervals each time) as a manager writes them ("москва руставели 2": the city
 * where the extract names it, the street without its type, the number), keys 90–330 ms apart
 * (median about 180 ms), a longer pause after a word now and then. The backend's own answer for
 * each whole text is asked too, to check the list the page showed. The last key → list time is read inside the page:
 * the input event of the last character, and the moment the list says it answers the whole text
 * (the listbox's `data-query`).
 */
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import { readOsmPbf } from '../../server/address-data/osm/read-osm-pbf.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { buildWidget } from '../build-widget.js';
import { launchChromium } from '../chromium.js';
import { freePort, percentiles, waitForHealth } from './http-load.js';

const EXTRACT = resolve(import.meta.dirname, '../../../shared/realdata/gh-moscow.osm.pbf');
const BACKEND_MS = 60;
/** BENCH_TYPING_ADDRESSES (and BENCH_TYPING_RUNS) widen the sample, to check the page's answers against the backend's on more text. */
const ADDRESSES = Number(process.env.BENCH_TYPING_ADDRESSES ?? 5);

/** mulberry32: the same "person" every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STREET_TYPES = /(?<=^|\s)(улица|переулок|проспект|бульвар|площадь|набережная|шоссе|проезд|тупик|аллея)(?=\s|$)/giu;

/** What a manager types for a house: its city when the extract names one, the street's name without its type, the number. */
export function typedForm(record: AddressRecord): string {
  const street = record.street.replace(STREET_TYPES, ' ').replace(/\s+/g, ' ').trim();
  return `${record.city ? `${record.city} ` : ''}${street} ${record.house}`.toLowerCase();
}

/** Milliseconds before each character of `text` (the first is typed at once). */
export function keyIntervals(text: string, rnd: () => number): number[] {
  return [...text].map((_, i) => {
    if (i === 0) return 0;
    // Log-normal-ish around 180 ms, clipped to 90–330: a practised typist on a real keyboard.
    const base = Math.min(330, Math.max(90, 180 * Math.exp((rnd() - 0.5) * 0.9)));
    const afterWord = text[i - 1] === ' ' && rnd() < 0.5 ? 250 + rnd() * 350 : 0;
    return Math.round(base + afterWord);
  });
}

async function sampleAddresses(count: number, rnd: () => number): Promise<string[]> {
  const houses: AddressRecord[] = [];
  for await (const record of readOsmPbf(EXTRACT)) {
    if (record.place || record.area || !record.street || !/^\d{1,3}[а-я]?$/iu.test(record.house)) continue;
    if (!/[а-яё]/iu.test(record.street)) continue;
    houses.push(record);
  }
  const picked = new Set<string>();
  while (picked.size < count && houses.length) picked.add(typedForm(houses[Math.floor(rnd() * houses.length)]));
  return [...picked];
}

/** Forwards everything to the server; suggestion answers are held until BACKEND_MS have passed, and counted. */
async function delayingProxy(target: number): Promise<{ url: string; requests: () => number; close(): void }> {
  let suggests = 0;
  const port = await freePort();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const isSuggest = req.url?.startsWith('/api/address/suggest') ?? false;
    if (isSuggest) suggests++;
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const wait = isSuggest ? Math.max(0, BACKEND_MS - (performance.now() - started)) : 0;
        setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        }, wait);
      });
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, requests: () => suggests, close: () => server.close() };
}

/**
 * In the page: the last keydown's time, and when the list first answered each text. A string,
 * not a function: tsx's transform would add helpers the page does not have.
 */
const WATCH_LIST = `(() => {
  window.lastKey = 0;
  window.answered = {};
  // Each character's input event (keyboard.type sends no keydown for letters outside the US layout).
  document.addEventListener('input', () => { window.lastKey = performance.now(); }, true);
  const list = document.querySelector('.amo-address__list');
  new MutationObserver(() => {
    // An answer, whether a list or "nothing found" (which hides the listbox).
    if (list.dataset.query !== undefined && !(list.dataset.query in window.answered)) window.answered[list.dataset.query] = performance.now();
  }).observe(list, { attributes: true, attributeFilter: ['data-query', 'hidden'] });
})()`;

export interface TypingFigures {
  requestsPerAddress: number;
  lastKeyToList: { p50: number; p95: number; n: number };
  perAddress: Array<{ text: string; requests: number; lastKeyToListMs: number | null; sameFirst: boolean; sameList: boolean }>;
}

export async function benchTyping(options: { seed?: number; runs?: number } = {}): Promise<TypingFigures> {
  const rnd = random(options.seed ?? 20261204);
  const dir = mkdtempSync(join(tmpdir(), 'typing-bench-'));
  const port = await freePort();
  await importIntoIndex(join(dir, 'index'), readOsmPbf(EXTRACT), 'import:Москва, центр (OpenStreetMap)');
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_PATH: join(dir, 'db.sqlite'), INDEX_DIR: join(dir, 'index'), RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let proxy: Awaited<ReturnType<typeof delayingProxy>> | null = null;
  try {
    const addresses = await sampleAddresses(ADDRESSES, rnd);
    await waitForHealth(`http://127.0.0.1:${port}/healthz`);
    proxy = await delayingProxy(port);
    await buildWidget({ backendUrl: proxy.url, development: true });
    const browser = await launchChromium();
    const perAddress: TypingFigures['perAddress'] = [];
    try {
      for (let run = 0; run < (options.runs ?? Number(process.env.BENCH_TYPING_RUNS ?? 4)); run++) {
        for (const text of addresses) {
          // A fresh page per address: no in-page cache from the one before, as a new card.
          const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true }); // the waiting below is a string the page's CSP would refuse to run
          await page.goto(`${proxy.url}/demo`);
          await page.waitForSelector('body[data-widget-ready="true"]');
          await page.evaluate(WATCH_LIST);
          const field = page.locator('[name="CFV[762381]"]');
          await field.click();
          const before = proxy.requests();
          const intervals = keyIntervals(text, rnd);
          for (let i = 0; i < text.length; i++) {
            if (intervals[i]) await page.waitForTimeout(intervals[i]);
            await page.keyboard.type(text[i]);
          }
          const took = await page
            .waitForFunction(`(${JSON.stringify(text)} in window.answered) ? window.answered[${JSON.stringify(text)}] - window.lastKey : false`, undefined, { timeout: 3000, polling: 10 })
            .then((h) => h.jsonValue() as Promise<number>)
            .catch(() => null); // never answered: counted as such in the figures
          await page.waitForTimeout(400); // a request still on its way is counted too
          const requests = proxy.requests() - before;
          // What the page shows for the whole text, against what the backend answers for it
          // (asked directly, not counted): a list answered in the page must be the same list.
          const shown = (await page.locator('.amo-address__list:not([hidden]) .amo-address__item').allTextContents()).map((t) => t.trim());
          const direct = (await (await fetch(`http://127.0.0.1:${port}/api/address/suggest?q=${encodeURIComponent(text)}&count=7`)).json()) as { suggestions: Array<{ value: string }> };
          const backend = direct.suggestions.map((x) => x.value);
          perAddress.push({ text, requests, lastKeyToListMs: took, sameFirst: shown[0] === backend[0], sameList: JSON.stringify(shown) === JSON.stringify(backend) });
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
    const times = perAddress.map((a) => a.lastKeyToListMs).filter((t): t is number => t !== null);
    const { p50, p95, n } = percentiles(times);
    return { requestsPerAddress: perAddress.reduce((s, a) => s + a.requests, 0) / perAddress.length, lastKeyToList: { p50, p95, n }, perAddress };
  } finally {
    proxy?.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
