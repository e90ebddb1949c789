/**
 * What a manager sees while typing, measured in Chromium on the real /demo page with the real
 * script.js (npm run build:widget) loaded by RequireJS, against the real server behind a proxy
 * that counts every suggestion request and holds each answer until 60 ms have passed.
 *
 * A list counts only when it is the backend's answer for the text in the field: the page records
 * every list it lays out (the text it says it answers, `data-query`, and its rows), and each is
 * compared with `GET /api/address/suggest` for that text, asked directly (not counted).
 *  - Typing runs: an address typed as a person types it (keys 115–280 ms apart, a longer pause
 *    after a word now and then; a fixed seed): requests per address, and the time from the last
 *    key to the first list that is the backend's answer for the whole text. DaData's default
 *    plugin (100 ms debounce, a request per pause, its per-text cache) on the same keys is
 *    counted beside it.
 *  - Pause runs: the same addresses typed word by word with 1.2 s after each word, as the issue
 *    that asked for this did; at each pause, whether the list shown is the backend's answer.
 * Two data sets: the demo's real index (central Moscow from OpenStreetMap, г Байконур from the
 * registry, ../shared) and a generated one where most prefixes have 20 matches or more (the
 * common street names in the 300 biggest Russian settlements, 120 houses a street); the bench
 * prints the share of typed prefixes that do.
 */
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import { readOsmPbf } from '../../server/address-data/osm/read-osm-pbf.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { ensureServedIndex, IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { currentIndexFile } from '../../server/store/index-files.js';
import { buildWidget } from '../build-widget.js';
import { launchChromium } from '../chromium.js';
import { generatedAddresses } from './generate-addresses.js';
import { freePort, percentiles, waitForHealth } from './http-load.js';

const SHARED = resolve(import.meta.dirname, '../../../shared');
const MOSCOW = join(SHARED, 'realdata/gh-moscow.osm.pbf');
const BAIKONUR = join(SHARED, 'gar/gar_xml_99_baikonur_20230626.zip');
const BACKEND_MS = 60;
/** DaData's suggestions-jquery defaults (geocoding-notes, Anchors): deferRequestBy 100 ms, minChars 1. */
const DADATA_DEBOUNCE_MS = 100;
const PAUSE_MS = 1200;
const WIDGET_MIN_CHARS = 3;

export type Dataset = 'demo' | 'generated';

/** mulberry32: the same "person" every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STREET_TYPES = /(?<=^|\s)(улица|переулок|проспект|бульвар|площадь|набережная|шоссе|проезд|тупик|аллея|ул|пер|пр-кт|б-р|пл|наб|ш|пр-д|туп)(?=\s|$)/giu;

/** What a manager types for a house: its city, the street's name without its type, the number. */
export function typedForm(record: { city?: string | null; street: string; house: string }): string {
  // A name that is itself a type word ("Набережная улица") keeps it.
  const street = record.street.replace(STREET_TYPES, ' ').replace(/\s+/g, ' ').trim() || record.street.replace(/\s*улица\s*/iu, ' ').trim();
  return `${record.city ? `${record.city} ` : ''}${street} ${record.house}`.toLowerCase();
}

/** Milliseconds before each character of `text` (the first is typed at once). */
export function keyIntervals(text: string, rnd: () => number): number[] {
  return [...text].map((_, i) => {
    if (i === 0) return 0;
    // Log-normal-ish around 180 ms (115–280): a practised typist on a real keyboard.
    const base = Math.min(330, Math.max(90, 180 * Math.exp((rnd() - 0.5) * 0.9)));
    const afterWord = text[i - 1] === ' ' && rnd() < 0.5 ? 250 + rnd() * 350 : 0;
    return Math.round(base + afterWord);
  });
}

/** Requests DaData's default plugin sends for the same keys: one per pause over its debounce, never twice for a text. */
export function dadataRequests(text: string, intervals: number[]): number {
  const asked = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const next = intervals[i + 1] ?? Infinity;
    const typed = text.slice(0, i + 1);
    if (next > DADATA_DEBOUNCE_MS && !asked.has(typed.trim())) asked.add(typed.trim());
  }
  return asked.size;
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
 * In the page: each input event's time, and every list laid out (the text it answers, its rows,
 * when). "Nothing found" is a list of no rows. A string, not a function: tsx's transform would
 * add helpers the page does not have.
 */
const WATCH_LISTS = `(() => {
  window.lastKey = 0;
  window.lists = [];
  document.addEventListener('input', () => { window.lastKey = performance.now(); }, true);
  const list = document.querySelector('.amo-address__list');
  const status = document.querySelector('.amo-address__status');
  const record = () => {
    if (list.dataset.query === undefined) return;
    const rows = list.hidden ? [] : [...list.querySelectorAll('.amo-address__item')].map((li) => li.textContent.trim());
    if (list.hidden && status.hidden) return; // closed or loading: nothing shown
    const last = window.lists[window.lists.length - 1];
    if (last && last.query === list.dataset.query && JSON.stringify(last.rows) === JSON.stringify(rows)) return;
    window.lists.push({ query: list.dataset.query, rows, at: performance.now() });
  };
  new MutationObserver(record).observe(list, { attributes: true, childList: true, subtree: true, attributeFilter: ['data-query', 'hidden'] });
  new MutationObserver(record).observe(status, { attributes: true, attributeFilter: ['hidden'] });
})()`;

interface ShownList {
  query: string;
  rows: string[];
  at: number;
}

export interface TypingFigures {
  dataset: Dataset;
  requestsPerAddress: number;
  dadataRequestsPerAddress: number;
  lastKeyToList: { p50: number; p95: number; n: number };
  /** Lists laid out while typing that were not the backend's answer for the text they said they answered. */
  wrongWhileTyping: number;
  listsWhileTyping: number;
  pauses: number;
  wrongAtPauses: number;
  examples: string[];
  /** The share of the typed prefixes with 20 matches or more (the answer to count=20 is full). */
  crowdedPrefixes: number;
  perAddress: Array<{ text: string; requests: number; dadata: number; lastKeyToListMs: number | null }>;
}

/** Real houses of the demo index: one in five from the registry's г Байконур, the rest from OpenStreetMap's Moscow. */
async function sampleDemo(dir: string, count: number, rnd: () => number): Promise<string[]> {
  const houses: AddressRecord[] = [];
  for await (const record of readOsmPbf(MOSCOW)) {
    if (record.place || record.area || !record.street || !/^\d{1,3}[а-я]?$/iu.test(record.house)) continue;
    if (!/[а-яё]/iu.test(record.street)) continue;
    houses.push(record);
  }
  const db = openIndexDatabase(currentIndexFile(dir)!, { readonly: true });
  const registry = db
    .prepare("SELECT p.city, p.street, h.num AS house FROM gar_houses h JOIN places p ON p.gar_id = h.parent WHERE p.kind = 'street' AND h.num GLOB '[0-9]*' AND h.add1 IS NULL AND p.street GLOB '*[а-яА-Я][а-яА-Я]*' ORDER BY h.objectid")
    .all() as Array<{ city: string; street: string; house: string }>;
  db.close();
  const picked = new Set<string>();
  while (picked.size < count && houses.length) {
    const fromRegistry = picked.size % 5 === 4 && registry.length;
    picked.add(fromRegistry ? typedForm(registry[Math.floor(rnd() * registry.length)]) : typedForm(houses[Math.floor(rnd() * houses.length)]));
  }
  return [...picked];
}

/** The index of a data set in `dir`, and the addresses to type. */
async function prepare(dataset: Dataset, dir: string, count: number, rnd: () => number): Promise<string[]> {
  if (dataset === 'demo') {
    await IndexBuild.run(dir, async (build) => {
      const { importRecords } = await import('../../server/address-data/osm/import-addresses.js');
      await importRecords(build.index, readOsmPbf(MOSCOW), 'import:Москва, центр (OpenStreetMap)');
      await importGar(build, BAIKONUR);
    });
    return sampleDemo(dir, count, rnd);
  }
  ensureServedIndex(dir);
  const db = openIndexDatabase(currentIndexFile(dir)!, { readonly: true });
  // 120 houses a street: a number's first digits still match 20 houses or more, as on a big city's long streets.
  const records = [...generatedAddresses(db, 300, 120)];
  db.close();
  await importIntoIndex(dir, records, 'import:generated');
  // Typed as a Russian manager types them: settlements with a Russian name.
  const typable = records.filter((r) => /^[а-яё -]+$/i.test(r.city ?? ''));
  const picked = new Set<string>();
  while (picked.size < count) picked.add(typedForm(typable[Math.floor(rnd() * typable.length)]));
  return [...picked];
}

/** The real server on a data set's index behind the 60 ms proxy, the built widget pointing at it, and the backend's own answers. */
export interface TypingTarget {
  addresses: string[];
  proxyUrl: string;
  /** Suggestion requests the proxy has seen. */
  requests(): number;
  /** The backend's own answer for a text (7 rows, as the widget shows, unless told), asked directly and not counted. */
  answerOf(text: string, count?: number): Promise<string[]>;
  /** A fresh demo card (no in-page answers from before, as a new card), the list watcher on, the field focused. */
  openCard(browser: Browser): Promise<Page>;
  close(): void;
}

export async function typingTarget(dataset: Dataset, addressCount: number, rnd: () => number): Promise<TypingTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'typing-bench-'));
  const port = await freePort();
  const addresses = await prepare(dataset, join(dir, 'index'), addressCount, rnd);
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_PATH: join(dir, 'db.sqlite'), INDEX_DIR: join(dir, 'index'), RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const close = () => {
    proxy?.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  let proxy: Awaited<ReturnType<typeof delayingProxy>> | null = null;
  try {
    await waitForHealth(`http://127.0.0.1:${port}/healthz`);
    proxy = await delayingProxy(port);
    await buildWidget({ backendUrl: proxy.url, development: true });
  } catch (error) {
    close();
    throw error;
  }
  const backend = new Map<string, string[]>();
  const url = proxy.url;
  return {
    addresses,
    proxyUrl: url,
    requests: proxy.requests,
    answerOf: async (text, count = 7) => {
      const key = `${count}|${text}`;
      if (!backend.has(key)) {
        const body = (await (await fetch(`http://127.0.0.1:${port}/api/address/suggest?${new URLSearchParams({ q: text, count: String(count) })}`)).json()) as { suggestions: Array<{ value: string }> };
        backend.set(key, body.suggestions.map((s) => s.value));
      }
      return backend.get(key)!;
    },
    openCard: async (browser) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true }); // the watcher is a string the page's CSP would refuse to run
      await page.goto(`${url}/demo`);
      await page.waitForSelector('body[data-widget-ready="true"]');
      await page.evaluate(WATCH_LISTS);
      await page.locator(FIELD).click();
      return page;
    },
    close,
  };
}

const FIELD = '[name="CFV[762381]"]';

/** What the page shows now: the text its list says it answers, and its rows ("nothing found" is no rows). */
export async function shownList(page: Page): Promise<{ query: string | null; rows: string[]; open: boolean }> {
  return (await page.evaluate(`(() => {
    const list = document.querySelector('.amo-address__list');
    const status = document.querySelector('.amo-address__status');
    return { query: list.dataset.query ?? null, rows: list.hidden ? [] : [...list.querySelectorAll('.amo-address__item')].map((li) => li.textContent.trim()), open: !list.hidden || !status.hidden };
  })()`)) as { query: string | null; rows: string[]; open: boolean };
}

/**
 * Types `text` word by word, 1.2 s after each word, and at each pause compares what is shown with
 * the backend's answer for the field's text. Returns the pauses and what differed.
 */
export async function typeWordByWord(page: Page, target: TypingTarget, text: string, rnd: () => number): Promise<{ pauses: number; wrong: string[] }> {
  const words = text.split(' ');
  const wrong: string[] = [];
  let pauses = 0;
  for (let w = 0; w < words.length; w++) {
    for (const ch of `${words[w]}${w < words.length - 1 ? ' ' : ''}`) {
      await page.keyboard.type(ch);
      await page.waitForTimeout(40 + Math.round(rnd() * 60));
    }
    await page.waitForTimeout(PAUSE_MS);
    const typed = await page.locator(FIELD).inputValue();
    if (typed.trim().length < WIDGET_MIN_CHARS) continue;
    pauses++;
    const shown = await shownList(page);
    const expected = await target.answerOf(typed);
    if (!(shown.open && shown.query === typed && JSON.stringify(shown.rows) === JSON.stringify(expected))) {
      wrong.push(`pause at "${typed}": shown ${shown.open ? `${shown.rows.length} rows for "${shown.query}"` : 'nothing'}, the backend ${expected.length} rows`);
    }
  }
  return { pauses, wrong };
}

export async function benchTyping(options: { dataset?: Dataset; seed?: number; addresses?: number; runs?: number; pauseAddresses?: number } = {}): Promise<TypingFigures> {
  const dataset = options.dataset ?? 'demo';
  const rnd = random(options.seed ?? 20261207);
  const target = await typingTarget(dataset, options.addresses ?? Number(process.env.BENCH_TYPING_ADDRESSES ?? 6), rnd);
  const { addresses, answerOf } = target;
  const sameAsBackend = async (list: ShownList) => JSON.stringify(list.rows) === JSON.stringify(await answerOf(list.query));
  const examples: string[] = [];
  try {
    const browser = await launchChromium();
    const perAddress: TypingFigures['perAddress'] = [];
    let wrongWhileTyping = 0;
    let listsWhileTyping = 0;
    let pauses = 0;
    let wrongAtPauses = 0;
    try {
      for (let run = 0; run < (options.runs ?? Number(process.env.BENCH_TYPING_RUNS ?? 3)); run++) {
        for (const text of addresses) {
          const page = await target.openCard(browser);
          const before = target.requests();
          const intervals = keyIntervals(text, rnd);
          for (let i = 0; i < text.length; i++) {
            if (intervals[i]) await page.waitForTimeout(intervals[i]);
            await page.keyboard.type(text[i]);
          }
          // Until the whole text's list is laid out (or 3 s), then a little longer for a request still on its way.
          await page.waitForFunction(`window.lists.some((l) => l.query === ${JSON.stringify(text)})`, undefined, { timeout: 3000, polling: 10 }).catch(() => {});
          await page.waitForTimeout(300);
          const requests = target.requests() - before;
          const { lists, lastKey } = (await page.evaluate('({ lists: window.lists, lastKey: window.lastKey })')) as { lists: ShownList[]; lastKey: number };
          let arrived: number | null = null;
          for (const list of lists) {
            listsWhileTyping++;
            const same = await sameAsBackend(list);
            if (!same) {
              wrongWhileTyping++;
              if (examples.length < 5) examples.push(`"${list.query}": shown ${list.rows.length} rows [${list.rows.slice(0, 2).join(' | ')}…], the backend ${(await answerOf(list.query)).length}`);
            }
            if (same && arrived === null && list.query === text) arrived = list.at - lastKey;
          }
          perAddress.push({ text, requests, dadata: dadataRequests(text, intervals), lastKeyToListMs: arrived });
          await page.close();
        }
      }
      for (const text of addresses.slice(0, options.pauseAddresses ?? Number(process.env.BENCH_TYPING_PAUSE_ADDRESSES ?? addresses.length))) {
        const page = await target.openCard(browser);
        const result = await typeWordByWord(page, target, text, rnd);
        pauses += result.pauses;
        wrongAtPauses += result.wrong.length;
        examples.push(...result.wrong.slice(0, 10 - examples.length));
        await page.close();
      }
    } finally {
      await browser.close();
    }
    // How crowded the data is: the share of the typed prefixes (3+ characters) that match 20 places or more.
    let crowded = 0;
    let prefixes = 0;
    for (const text of addresses) {
      for (let i = WIDGET_MIN_CHARS; i <= text.length; i++) {
        prefixes++;
        if ((await target.answerOf(text.slice(0, i), 20)).length >= 20) crowded++;
      }
    }
    const times = perAddress.map((a) => a.lastKeyToListMs).filter((t): t is number => t !== null);
    // An address whose list never arrived counts as the slowest.
    const { p50, p95, n } = percentiles([...times, ...perAddress.filter((a) => a.lastKeyToListMs === null).map(() => Number.POSITIVE_INFINITY)]);
    const mean = (f: (a: TypingFigures['perAddress'][number]) => number) => perAddress.reduce((s, a) => s + f(a), 0) / perAddress.length;
    return { dataset, requestsPerAddress: mean((a) => a.requests), dadataRequestsPerAddress: mean((a) => a.dadata), lastKeyToList: { p50, p95, n }, wrongWhileTyping, listsWhileTyping, pauses, wrongAtPauses, examples, perAddress, crowdedPrefixes: crowded / prefixes };
  } finally {
    target.close();
  }
}
