/**
 * The `places` rows of a region's registry objects (settlements, planning structures, streets):
 * each object's address read up its administrative path, in DaData's spelling and fields, the
 * words it is found by (its ancestors' names and every name each had before), its importance
 * (how many houses lie under it) and its point (store/index-database.ts). Houses get no row of
 * their own: they are found through their parent and read through it
 * (geocoding/registry-format.ts), so renaming a street renames its houses at once.
 */
import type { NewPlaceRow } from '../../store/places-repository.js';
import type { GarObjectRow } from '../../store/registry-repository.js';
import { indexText, postcodeToken } from '../../geocoding/normalize.js';
import { registryParts, registryPath, registryValue, type RegistryPath } from '../../geocoding/registry-path.js';
import type { PointFinder } from './registry-points.js';

/** Levels that are part of an address; 3 and 4 (municipal) are not in the administrative division's text. */
const ADDRESS_LEVELS = new Set([1, 2, 5, 6, 7, 8]);

export function* registryPlaces(objects: Map<number, GarObjectRow>, houseCounts: Map<number, number>, points: PointFinder, source: string): Generator<NewPlaceRow> {
  const subtree = housesUnder(objects, houseCounts);
  for (const object of objects.values()) {
    if (!ADDRESS_LEVELS.has(object.level)) continue;
    const path = registryPath(object, (id) => objects.get(id));
    if (!path.region && object.level !== 1) continue;
    yield { ...placeOf(object, path, subtree.get(object.objectid) ?? 0, points, subtree), source };
  }
}

/** Houses under each object, its descendants' included (the object's size, for ranking). */
function housesUnder(objects: Map<number, GarObjectRow>, houseCounts: Map<number, number>): Map<number, number> {
  const total = new Map<number, number>();
  for (const [parent, n] of houseCounts) {
    let at: number | null = parent;
    for (let guard = 0; at !== null && guard < 16; guard++) {
      total.set(at, (total.get(at) ?? 0) + n);
      at = objects.get(at)?.parent ?? null;
    }
  }
  return total;
}

/**
 * The row: text, parts, importance and point. The registry fields are not copied into it: the
 * answering side reads them from `gar_objects` (geocoding/registry-path.ts), keeping the row small;
 * `extra` holds only how good the point is.
 */
function placeOf(object: GarObjectRow, path: RegistryPath, houses: number, points: PointFinder, subtree: Map<number, number>): Omit<NewPlaceRow, 'source'> {
  const { city, street } = registryParts(path);
  const params = object.params ? (JSON.parse(object.params) as { postcode?: string }) : {};
  const point = points.find(city?.name ?? null, path.settlement?.name ?? null, path.street?.name ?? null);
  const size = Math.log10(houses + 10);
  const importance =
    object.level === 1 ? 8 + size / 10 : object.level === 2 ? 7 + size / 10 : object.level === 5 ? Math.max(3 + size, point.importance ?? 0) : object.level === 6 ? 2 + size : parentImportance(path, subtree) - 0.1 + size / 100;
  const words = path.all.flatMap((o) => [o.name, ...(o.old_names ? (JSON.parse(o.old_names) as string[]) : [])]);
  return {
    kind: object.level <= 6 ? 'settlement' : 'street',
    value: registryValue(path),
    country: 'Россия',
    country_code: 'RU',
    region: path.region?.name ?? null,
    city: city?.name ?? null,
    settlement: path.settlement?.name ?? null,
    street: object.level >= 7 ? (street?.name ?? null) : null,
    house: null,
    block: null,
    postal_code: params.postcode ?? null,
    lat: point.lat,
    lon: point.lon,
    importance,
    search_text: [indexText(...words), params.postcode ? postcodeToken(params.postcode) : ''].filter(Boolean).join(' '),
    gar_id: object.objectid,
    extra: point.qc,
  };
}

/** A street ranks just under the settlement or city it lies in. */
function parentImportance(path: RegistryPath, subtree: Map<number, number>): number {
  if (path.city) return 3 + Math.log10((subtree.get(path.city.objectid) ?? 0) + 10);
  if (path.settlement) return 2 + Math.log10((subtree.get(path.settlement.objectid) ?? 0) + 10);
  if (path.region) return 3 + Math.log10((subtree.get(path.region.objectid) ?? 0) + 10);
  return 2;
}
