/**
 * Leads whose addresses were typed by hand, from real OpenStreetMap houses (../shared/realdata):
 * the mistakes managers make — no city, abbreviations, a swapped letter, a flat appended — and
 * the cases the check must tell apart: already normalised, empty, nowhere, fitting two cities.
 */
import { readerFor } from '../../server/address-data/osm/readers.js';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { abbreviated, withTypo } from '../../scripts/bench/typed-mistakes.js';
import { realFile } from '../realdata.js';
import type { RunningApp } from '../helpers.js';

/** Real extracts imported into the app's index: central Moscow and Peterhof share "Ботаническая улица". */
export const CLEAN_EXTRACTS = ['kursovaya-moscow.osm', 'gh-moscow.osm.pbf', 'kakadu-spb.osm'];

export async function importRealHouses(app: RunningApp): Promise<AddressRecord[]> {
  const houses: AddressRecord[] = [];
  for (const file of CLEAN_EXTRACTS) {
    const records: AddressRecord[] = [];
    for await (const r of readerFor(realFile(file))!(realFile(file))) records.push(r);
    await importIntoIndex(app.system.config.indexDir, records, `import:${file}`);
    if (file.includes('moscow')) houses.push(...records.filter((r) => !r.place && !r.area && r.street && r.house && /[а-яё]/i.test(r.street)));
  }
  app.system.servedIndex.refresh();
  return houses;
}

export const MISTAKES = ['noCity', 'withCity', 'abbrev', 'typo', 'flat'] as const;

/** One way a manager typed the house (seeded, so a test knows which). */
export function handTyped(r: AddressRecord, mistake: (typeof MISTAKES)[number], seed: number): string {
  if (mistake === 'noCity') return `${r.street} ${r.house}`;
  if (mistake === 'withCity') return `Москва, ${r.street.toLowerCase()}, ${r.house}`;
  if (mistake === 'abbrev') return abbreviated(r);
  if (mistake === 'typo') return withTypo(r, seed);
  return `${r.street} ${r.house} кв ${1 + ((seed * 37) % 240)}`;
}

export const addressField = (value: string) => [{ field_id: 762381, values: [{ value }] }];
