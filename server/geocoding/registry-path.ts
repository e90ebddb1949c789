/**
 * A registry object's administrative path (region → district → city → settlement → planning
 * structure → street) and what DaData says of it: the address text and the fields
 * (`region_with_type`, `city_fias_id`, …). Both sides use it: a build for the text a place is
 * shown and found by, the answering side for the fields, read from `gar_objects` when a
 * suggestion is made (so the index keeps no copy of them per row).
 */
import type { GarObjectRow } from '../store/registry-repository.js';
import { shortType, withType, type RegistryFields } from './registry-format.js';

export interface RegistryPath {
  object: GarObjectRow;
  region?: GarObjectRow;
  area?: GarObjectRow;
  city?: GarObjectRow;
  settlement?: GarObjectRow;
  planning?: GarObjectRow;
  street?: GarObjectRow;
  all: GarObjectRow[];
}

/** DaData's fias_level for the registry's levels (AS_OBJECT_LEVELS). */
const FIAS_LEVEL: Record<number, string> = { 1: '1', 2: '3', 3: '3', 5: '4', 6: '6', 7: '65', 8: '7' };
const SLOT = { 1: 'region', 2: 'area', 5: 'city', 6: 'settlement', 7: 'planning', 8: 'street' } as const;

export function registryPath(object: GarObjectRow, lookup: (objectid: number) => GarObjectRow | undefined): RegistryPath {
  const path: RegistryPath = { object, all: [] };
  let at: GarObjectRow | undefined = object;
  for (let guard = 0; at && guard < 16; guard++) {
    path.all.unshift(at);
    const slot = SLOT[at.level as keyof typeof SLOT];
    if (slot && !path[slot]) path[slot] = at;
    at = at.parent ? lookup(at.parent) : undefined;
  }
  return path;
}

const typed = (o?: GarObjectRow) => (o ? withType(o.name, o.type_short) : null);

/** The parts DaData shows: a federal city is its own region and city ("г Москва"); a district only for a settlement outside a city. */
export function registryParts(path: RegistryPath) {
  const federalCity = path.region && shortType(path.region.type_short) === 'г' ? path.region : undefined;
  const area = path.area && !path.city && !/^г\.?\s?о|^м\.?\s?о|^го$/i.test(shortType(path.area.type_short)) ? path.area : undefined;
  return { city: path.city ?? federalCity, area, street: path.street ?? path.planning };
}

/** "Респ Татарстан, г Казань, ул Баумана", "Московская обл, Одинцовский р-н, д Жуковка". */
export function registryValue(path: RegistryPath): string {
  const { area } = registryParts(path);
  return [path.region, area, path.city, path.settlement, path.planning, path.street].filter((o): o is GarObjectRow => !!o).map((o) => typed(o)).join(', ');
}

export function registryFields(path: RegistryPath, qc: string): RegistryFields {
  const { city, area, street } = registryParts(path);
  const params = path.object.params ? (JSON.parse(path.object.params) as { postcode?: string; okato?: string; oktmo?: string; kladr?: string }) : {};
  return {
    fias_id: path.object.guid,
    fias_level: FIAS_LEVEL[path.object.level] ?? String(path.object.level),
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
    qc_geo: qc,
  };
}
