/**
 * Loads the shipped gazetteer (scripts/build-gazetteer.ts; GeoNames, CC BY 4.0) into the local
 * index once per version of the file: a restart with the same file costs one hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LocalIndex, PlaceInput } from '../geocoding/local-index.js';
import { countryName } from '../geocoding/place-format.js';

export const GAZETTEER_PATH = fileURLToPath(new URL('./data/gazetteer-cis.tsv', import.meta.url));
export const GAZETTEER_SOURCE = 'gazetteer';

export function readGazetteer(text: string): PlaceInput[] {
  const places: PlaceInput[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [, country, , population, lat, lon, name, latin, others] = line.split('\t');
    places.push({
      kind: 'settlement',
      country_code: country,
      country: countryName(country),
      city: name,
      lat: Number(lat),
      lon: Number(lon),
      importance: Math.log10(Number(population) + 10),
      aliases: [latin, ...(others ? others.split('|') : [])],
    });
  }
  return places;
}

/** Returns how many places were (re)loaded: 0 when the stored version is current (`dryRun`: would be loaded, nothing written). */
export function ensureGazetteer(index: LocalIndex, path = GAZETTEER_PATH, options: { dryRun?: boolean } = {}): number {
  const text = readFileSync(path, 'utf8');
  const version = createHash('sha256').update(text).digest('hex');
  if (index.places.loadedVersion(GAZETTEER_SOURCE) === version) return 0;
  if (options.dryRun) return 1;
  const loaded = index.replacePlaces(readGazetteer(text), GAZETTEER_SOURCE);
  index.places.setLoadedVersion(GAZETTEER_SOURCE, version);
  return loaded;
}
