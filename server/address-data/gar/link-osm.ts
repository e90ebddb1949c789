/**
 * Registry houses and OpenStreetMap houses of the same settlement, street and number are one
 * real house: the registry house takes the OpenStreetMap point (its qc_geo becomes 0) and the
 * OpenStreetMap row goes, so the house is suggested once, with the registry's names and postcode.
 * Runs at the end of every registry import and of every OpenStreetMap import into an index that
 * holds the registry, so the order the two were imported in does not matter.
 */
import type { PlacesRepository } from '../../store/places-repository.js';
import type { RegistryRepository } from '../../store/registry-repository.js';
import { houseTwinKey } from './registry-points.js';

export function linkOsmTwins(places: PlacesRepository, registry: RegistryRepository, regions?: number[]): { matched: number; candidates: number } {
  const osm = new Map<string, { id: number; lat: number; lon: number }>();
  for (const h of places.osmHouses()) {
    if (h.lat === null || h.lon === null) continue;
    osm.set(houseTwinKey(h.settlement ?? h.city, h.street, h.house, h.block), { id: h.id, lat: h.lat, lon: h.lon });
  }
  if (!osm.size) return { matched: 0, candidates: 0 };
  // The names each registry street is matched by: its settlement (or city) and its own name.
  const streets = new Map<number, { place: string | null; street: string | null } | null>();
  const streetOf = (parent: number) => {
    if (!streets.has(parent)) {
      const row = places.garPlace(parent);
      streets.set(parent, row ? { place: row.settlement ?? row.city, street: row.street } : null);
    }
    return streets.get(parent)!;
  };
  let matched = 0;
  let candidates = 0;
  const drop: number[] = [];
  const points: Array<[number, number, number]> = [];
  // After a registry import only its regions' houses can have new twins (the others were linked when they came).
  for (const house of registry.housesForMatching(regions)) {
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

/** After an OpenStreetMap import into a build that holds registry houses: the new extract's twins are linked too. */
export function linkAfterOsmImport(places: PlacesRepository, registry: RegistryRepository): { matched: number; candidates: number } {
  if (!registry.hasHouses()) return { matched: 0, candidates: 0 };
  const twins = linkOsmTwins(places, registry);
  if (twins.matched) places.reorderNow();
  return twins;
}
