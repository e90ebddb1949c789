/**
 * Turns house-level records (OpenAddresses CSV, OpenStreetMap XML) into places: one per house and
 * one per street, with importance taken from the gazetteer city's population so that a big
 * city's streets outrank a village's. Re-importing the same source replaces it.
 */
import type { LocalIndex, PlaceInput } from '../local-index.js';
import { normalize } from '../normalize.js';
import type { AddressRecord } from './address-record.js';

/** Within one city: the settlement itself, then its streets, then houses. */
const STREET_OFFSET = -0.1;
const HOUSE_OFFSET = -0.2;
const UNKNOWN_CITY_IMPORTANCE = 3;

export interface ImportResult {
  houses: number;
  streets: number;
  skipped: number;
}

export async function importRecords(index: LocalIndex, records: AsyncIterable<AddressRecord> | Iterable<AddressRecord>, source: string): Promise<ImportResult> {
  const cities = cityLookup(index);
  const houses = new Map<string, PlaceInput>();
  const streets = new Map<string, { place: PlaceInput; lat: number; lon: number; n: number }>();
  let skipped = 0;
  for await (const r of records) {
    if (!r.street?.trim() || !r.house?.trim()) {
      skipped++;
      continue;
    }
    const city = cities.get(normalize(r.city ?? ''));
    const importance = city?.importance ?? UNKNOWN_CITY_IMPORTANCE;
    const base = { country_code: city?.country_code ?? null, country: city?.country ?? null, region: r.region ?? null, city: r.city?.trim() || null, street: r.street.trim() };
    const houseKey = normalize(`${r.city} ${r.street} ${r.house} ${r.block ?? ''}`);
    if (houses.has(houseKey)) continue;
    houses.set(houseKey, { ...base, kind: 'house', house: r.house.trim(), block: r.block ?? null, postal_code: r.postcode ?? null, lat: r.lat, lon: r.lon, importance: importance + HOUSE_OFFSET });
    const streetKey = normalize(`${r.city} ${r.street}`);
    const street = streets.get(streetKey) ?? { place: { ...base, kind: 'street' as const, lat: null, lon: null, importance: importance + STREET_OFFSET }, lat: 0, lon: 0, n: 0 };
    if (r.lat !== null && r.lon !== null) {
      street.lat += r.lat;
      street.lon += r.lon;
      street.n++;
    }
    streets.set(streetKey, street);
  }
  const streetPlaces = [...streets.values()].map((s) => ({ ...s.place, lat: s.n ? round(s.lat / s.n) : null, lon: s.n ? round(s.lon / s.n) : null }));
  index.replacePlaces([...streetPlaces, ...houses.values()], source);
  return { houses: houses.size, streets: streetPlaces.length, skipped };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Gazetteer settlements by normalised name; the most populous wins a shared name. */
function cityLookup(index: LocalIndex): Map<string, { importance: number; country: string | null; country_code: string | null }> {
  return new Map(index.places.settlements().map((r) => [normalize(r.city ?? ''), r]));
}
