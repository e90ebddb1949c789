/**
 * Registry houses and OpenStreetMap houses of the same settlement, street and number are one
 * real house: the registry house takes the OpenStreetMap point (its qc_geo becomes 0) and the
 * OpenStreetMap row goes, so the house is suggested once, with the registry's names and postcode.
 * Runs at the end of every registry import and of every OpenStreetMap import into an index that
 * holds the registry, so the order the two were imported in does not matter.
 */
import type { PlacesRepository } from '../../store/places-repository.js';
import type { RegistryRepository } from '../../store/registry-repository.js';
import { houseTwinKey, nameKey } from './registry-points.js';

/** Past this many registry houses, reading every OpenStreetMap house once beats asking street by street. */
const LOOKUP_LIMIT = 200_000;

export function linkOsmTwins(places: PlacesRepository, registry: RegistryRepository, regions?: number[]): { matched: number; candidates: number } {
  // The names each registry street is matched by: its settlement (or city) and its own name.
  const streets = new Map<number, { place: string | null; street: string | null } | null>();
  const streetOf = (parent: number) => {
    if (!streets.has(parent)) {
      const row = places.garPlace(parent);
      streets.set(parent, row ? { place: row.settlement ?? row.city, street: row.street } : null);
    }
    return streets.get(parent)!;
  };
  const houses = regions ? [...registry.housesForMatching(regions)] : registry.housesForMatching();
  const osm = Array.isArray(houses) && houses.length <= LOOKUP_LIMIT ? osmHousesOnStreets(places, houses, streetOf) : allOsmHouses(places);
  if (!osm.size) return { matched: 0, candidates: 0 };
  let matched = 0;
  let candidates = 0;
  const drop: number[] = [];
  const points: Array<[number, number, number]> = [];
  for (const house of houses) {
    const street = streetOf(house.parent);
    if (!street?.street) continue;
    candidates++;
    const twin = osm.get(`${houseTwinKey(street.place, street.street, null)}${house.key}`);
    if (!twin) continue;
    matched++;
    points.push([house.objectid, twin.lat, twin.lon]);
    drop.push(twin.id);
  }
  registry.transaction(() => {
    for (const [id, lat, lon] of points) registry.setHousePoint(id, lat, lon);
    places.deleteRows(drop);
  });
  return { matched, candidates };
}

type OsmTwins = Map<string, { id: number; lat: number; lon: number }>;

function allOsmHouses(places: PlacesRepository): OsmTwins {
  const osm: OsmTwins = new Map();
  for (const h of places.osmHouses()) {
    if (h.lat === null || h.lon === null) continue;
    osm.set(houseTwinKey(h.settlement ?? h.city, h.street, h.house, h.block), { id: h.id, lat: h.lat, lon: h.lon });
  }
  return osm;
}

/** The OpenStreetMap houses of the given houses' streets only, found through the FTS index by their street's and settlement's words. */
function osmHousesOnStreets(places: PlacesRepository, houses: Array<{ parent: number }>, streetOf: (parent: number) => { place: string | null; street: string | null } | null): OsmTwins {
  const osm: OsmTwins = new Map();
  const asked = new Set<string>();
  for (const { parent } of houses) {
    const street = streetOf(parent);
    if (!street?.street) continue;
    const words = [...new Set(`${nameKey(street.street)} ${nameKey(street.place)}`.split(' ').filter(Boolean))];
    const expression = words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
    if (!expression || asked.has(expression)) continue;
    asked.add(expression);
    for (const h of places.osmHousesMatching(expression)) {
      if (h.lat === null || h.lon === null) continue;
      osm.set(houseTwinKey(h.settlement ?? h.city, h.street, h.house, h.block), { id: h.id, lat: h.lat, lon: h.lon });
    }
  }
  return osm;
}

/** After an OpenStreetMap import into a build that holds registry houses: the new extract's twins are linked too. */
export function linkAfterOsmImport(places: PlacesRepository, registry: RegistryRepository): { matched: number; candidates: number } {
  if (!registry.hasHouses()) return { matched: 0, candidates: 0 };
  // deleteRows keeps the FTS index and the order: nothing to rebuild.
  return linkOsmTwins(places, registry);
}
