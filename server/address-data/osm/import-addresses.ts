/**
 * Turns house-level records (OpenAddresses CSV, OpenStreetMap XML) into places: one per house and
 * one per street, with importance taken from the gazetteer city's population so that a big
 * city's streets outrank a village's. Re-importing the same source replaces it.
 */
import type { LocalIndex, PlaceInput } from '../../geocoding/local-index.js';
import { normalize } from '../../geocoding/normalize.js';
import { houseKey } from '../../geocoding/house-number.js';
import { NeighbourCity, SettlementFinder } from './settlement-finder.js';
import { AreaFinder, type AreaShape } from './area-finder.js';
import { HouseColumns } from './house-columns.js';
import type { AddressRecord } from './address-record.js';

/** Within one city: the settlement itself, then its streets, then houses. */
const STREET_OFFSET = -0.1;
const HOUSE_OFFSET = -0.2;
const UNKNOWN_CITY_IMPORTANCE = 3;

export interface ImportResult {
  houses: number;
  streets: number;
  /** Boundaries and settlement areas of the extract used to give houses a city and region. */
  areas: number;
  /** Objects read but not imported, by reason (an area is incomplete when the extract cuts through its outline). */
  skipped: { noStreet: number; noHouseNumber: number; duplicate: number; incompleteArea: number };
}

/**
 * Reads every record (houses, and the extract's own named places and areas), then gives each
 * house a city: its own `addr:city`; else the settlement area of the extract it lies in; else
 * the one its neighbours within 1.5 km name; else the nearest settlement weighed by size — the
 * gazetteer's, or a place of the same extract where the gazetteer has none (outside the CIS).
 * Its region: `addr:region`, else the extract's region boundary containing it, else the
 * gazetteer settlement's.
 */
export async function importRecords(index: LocalIndex, records: AsyncIterable<AddressRecord> | Iterable<AddressRecord>, source: string): Promise<ImportResult> {
  // The gazetteer's settlements, read once: by name, by position, and as named points inside areas.
  const settlements = index.places.settlements();
  const cities = cityLookup(settlements);
  const houseRecords = new HouseColumns();
  const extractPlaces: ExtractPlace[] = [];
  const areas: AreaShape[] = [];
  const skipped = { noStreet: 0, noHouseNumber: 0, duplicate: 0, incompleteArea: 0 };
  for await (const r of records) {
    if (r.area) {
      if (r.area.complete) areas.push(r.area);
      else skipped.incompleteArea++;
      continue;
    }
    if (r.place) {
      extractPlaces.push({ city: r.place.name, region: null, importance: r.place.importance, country: null, country_code: null, lat: r.lat, lon: r.lon });
      continue;
    }
    if (!r.street?.trim()) skipped.noStreet++;
    else if (!r.house?.trim()) skipped.noHouseNumber++;
    else houseRecords.push(r);
  }
  // Cities and streets repeat across thousands of houses: normalise each once.
  const normalized = new Map<string, string>();
  const norm = (text: string) => {
    let n = normalized.get(text);
    if (n === undefined) normalized.set(text, (n = normalize(text)));
    return n;
  };
  const gazetteer = new SettlementFinder(settlements);
  const ownPlaces = new SettlementFinder(extractPlaces);
  const ownByName = new Map(extractPlaces.map((p) => [norm(p.city ?? ''), p]));
  const neighbours = new NeighbourCity(houseRecords.records());
  const named = (p: { city: string | null; lat: number | null; lon: number | null }) => ({ name: p.city, lat: p.lat, lon: p.lon });
  const inArea = new AreaFinder(areas, [...extractPlaces.map(named), ...settlements.map(named)]);
  areas.length = 0;

  // Houses go to the index as they are placed, never held twice; each street keeps the house
  // keys it has seen (different houses are never merged: the key is the whole address, house
  // parts included) and its position, the mean of its houses'.
  let houses = 0;
  const streets = new Map<string, { place: PlaceInput; houses: Set<string>; lat: number; lon: number; n: number }>();
  function* places(): Generator<PlaceInput> {
    for (const r of houseRecords.records()) {
      const area = inArea.find(r.lat, r.lon);
      const name = r.city?.trim() || area.city || neighbours.find(r.lat, r.lon);
      const city = name ? (cities.get(norm(name)) ?? ownByName.get(norm(name))) : (gazetteer.find(r.lat, r.lon) ?? ownPlaces.find(r.lat, r.lon));
      const cityName = name ?? city?.city ?? null;
      const importance = city?.importance ?? UNKNOWN_CITY_IMPORTANCE;
      // A named city's gazetteer region is not trusted: many towns share a name.
      const region = r.region ?? area.region ?? (name ? null : (city?.region ?? null));
      const base = { country_code: city?.country_code ?? null, country: city?.country ?? null, region, city: cityName, street: r.street.trim() };
      const streetKey = `${norm(cityName ?? '')}|${norm(r.street)}`;
      let street = streets.get(streetKey);
      if (!street) streets.set(streetKey, (street = { place: { ...base, kind: 'street', lat: null, lon: null, importance: importance + STREET_OFFSET }, houses: new Set(), lat: 0, lon: 0, n: 0 }));
      const key = houseKey(r.house, r.block) ?? '';
      if (street.houses.has(key)) {
        skipped.duplicate++;
        continue;
      }
      street.houses.add(key);
      houses++;
      if (r.lat !== null && r.lon !== null) {
        street.lat += r.lat;
        street.lon += r.lon;
        street.n++;
      }
      yield { ...base, kind: 'house', house: r.house.trim(), block: r.block ?? null, postal_code: r.postcode ?? null, lat: r.lat, lon: r.lon, importance: importance + HOUSE_OFFSET };
    }
    houseRecords.clear();
    for (const s of streets.values()) yield { ...s.place, lat: s.n ? round(s.lat / s.n) : null, lon: s.n ? round(s.lon / s.n) : null };
  }
  index.replacePlaces(places(), source);
  return { houses, streets: streets.size, areas: inArea.size, skipped };
}

type Settlements = ReturnType<LocalIndex['places']['settlements']>;
type ExtractPlace = ConstructorParameters<typeof SettlementFinder>[0] extends Iterable<infer T> ? T : never;

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Gazetteer settlements by normalised name; the most populous wins a shared name. */
function cityLookup(settlements: Settlements): Map<string, Settlements[number]> {
  return new Map(settlements.map((r) => [normalize(r.city ?? ''), r]));
}
