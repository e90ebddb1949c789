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
import { shortType, withType, type RegistryFields } from '../../geocoding/registry-format.js';
import type { PointFinder } from './registry-points.js';

/** DaData's fias_level for the registry's levels (AS_OBJECT_LEVELS). */
const FIAS_LEVEL: Record<number, string> = { 1: '1', 2: '3', 3: '3', 5: '4', 6: '6', 7: '65', 8: '7' };
/** Levels that are part of an address; 3 and 4 (municipal) are not in the administrative division's text. */
const ADDRESS_LEVELS = new Set([1, 2, 5, 6, 7, 8]);

interface Path {
  region?: GarObjectRow;
  area?: GarObjectRow;
  city?: GarObjectRow;
  settlement?: GarObjectRow;
  planning?: GarObjectRow;
  street?: GarObjectRow;
  all: GarObjectRow[];
}

export function* registryPlaces(objects: Map<number, GarObjectRow>, houseCounts: Map<number, number>, points: PointFinder, source: string): Generator<NewPlaceRow> {
  const subtree = housesUnder(objects, houseCounts);
  for (const object of objects.values()) {
    if (!ADDRESS_LEVELS.has(object.level)) continue;
    const path = pathOf(object, objects);
    if (!path) continue;
    const row = placeOf(object, path, subtree.get(object.objectid) ?? 0, points, subtree);
    yield { ...row, source };
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

function pathOf(object: GarObjectRow, objects: Map<number, GarObjectRow>): Path | null {
  const path: Path = { all: [] };
  let at: GarObjectRow | undefined = object;
  for (let guard = 0; at && guard < 16; guard++) {
    path.all.unshift(at);
    const slot = ({ 1: 'region', 2: 'area', 5: 'city', 6: 'settlement', 7: 'planning', 8: 'street' } as const)[at.level as 1 | 2 | 5 | 6 | 7 | 8];
    if (slot && !path[slot]) path[slot] = at;
    at = at.parent ? objects.get(at.parent) : undefined;
  }
  return path.region || object.level === 1 ? path : null;
}

function placeOf(object: GarObjectRow, path: Path, houses: number, points: PointFinder, subtree: Map<number, number>): Omit<NewPlaceRow, 'source'> {
  const typed = (o?: GarObjectRow) => (o ? withType(o.name, o.type_short) : null);
  // A federal city is its own region ("г Москва"): DaData gives it as the city too.
  const federalCity = path.region && shortType(path.region.type_short) === 'г' ? path.region : undefined;
  const city = path.city ?? federalCity;
  // A district is part of the address of a settlement outside a city, not of a city's own streets.
  const area = path.area && !path.city && !/^г\.?\s?о|^м\.?\s?о|^го$/i.test(shortType(path.area.type_short)) ? path.area : undefined;
  const street = path.street ?? path.planning;
  const parts = [path.region, area, path.city, path.settlement, path.planning, path.street].filter((o): o is GarObjectRow => !!o && path.all.includes(o));
  const value = parts.map((o) => typed(o)).join(', ');
  const params = object.params ? (JSON.parse(object.params) as { postcode?: string; okato?: string; oktmo?: string; kladr?: string }) : {};
  const point = points.find(city?.name ?? null, path.settlement?.name ?? null, path.street?.name ?? null);
  const size = Math.log10(houses + 10);
  const importance =
    object.level === 1 ? 8 + size / 10 : object.level === 2 ? 7 + size / 10 : object.level === 5 ? Math.max(3 + size, point.importance ?? 0) : object.level === 6 ? 2 + size : parentImportance(path, subtree) - 0.1 + size / 100;
  const fields: RegistryFields = {
    fias_id: object.guid,
    fias_level: FIAS_LEVEL[object.level] ?? String(object.level),
    kladr_id: params.kladr ?? null,
    okato: params.okato ?? null,
    oktmo: params.oktmo ?? null,
    postal_code: params.postcode ?? null,
    region_with_type: typed(path.region),
    region_fias_id: path.region?.guid ?? null,
    area: area?.name ?? null,
    area_with_type: typed(area),
    area_fias_id: area?.guid ?? null,
    city_with_type: typed(city),
    city_fias_id: city?.guid ?? null,
    settlement_with_type: typed(path.settlement),
    settlement_fias_id: path.settlement?.guid ?? null,
    street_with_type: typed(street),
    street_fias_id: street?.guid ?? null,
    qc_geo: point.qc,
  };
  const words = path.all.flatMap((o) => [o.name, ...(o.old_names ? (JSON.parse(o.old_names) as string[]) : [])]);
  return {
    kind: object.level <= 6 ? 'settlement' : 'street',
    value,
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
    extra: JSON.stringify(fields),
  };
}

/** A street ranks just under the settlement or city it lies in. */
function parentImportance(path: Path, subtree: Map<number, number>): number {
  if (path.city) return 3 + Math.log10((subtree.get(path.city.objectid) ?? 0) + 10);
  if (path.settlement) return 2 + Math.log10((subtree.get(path.settlement.objectid) ?? 0) + 10);
  if (path.region) return 3 + Math.log10((subtree.get(path.region.objectid) ?? 0) + 10);
  return 2;
}
