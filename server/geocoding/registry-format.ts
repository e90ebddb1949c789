/**
 * How the registry's (ГАР) objects and houses read, the way DaData writes them
 * (geocoding-notes, "Our answer shape"): "г Москва, ул Тверская, д 7 стр 1",
 * "Респ Татарстан, г Казань, ул Баумана, д 1", "Московская обл, Одинцовский р-н, д Жуковка".
 * A type stands before the name ("ул Гагарина", "Респ Татарстан"), except after a one-word
 * adjective name of a type other than street or settlement ("Московская обл", "Ленинский пр-кт").
 */
import type { GarHouseRow, PlaceRow } from '../store/places-repository.js';

/** Types that always stand first, whatever the name: street, settlements, micro-district. */
const TYPE_FIRST = new Set(['ул', 'г', 'п', 'с', 'д', 'рп', 'пгт', 'мкр', 'тер', 'снт', 'днт', 'кв-л', 'ст', 'х', 'аул', 'пл-ка', 'респ', 'гп', 'сп', 'нп', 'зд']);
const ADJECTIVE = /(ий|ый|ой|ая|яя|ое|ее|ья|ье)$/;

/** A registry type as DaData spells it: no trailing dot ("обл." → "обл", "мкр." → "мкр"). */
export function shortType(type: string): string {
  return type.trim().replace(/\.$/, '');
}

export function withType(name: string, type: string): string {
  const t = shortType(type);
  if (!t) return name;
  const oneWord = !/\s/.test(name.trim());
  if (!TYPE_FIRST.has(t.toLowerCase()) && oneWord && ADJECTIVE.test(name.toLowerCase())) return `${name} ${t}`;
  return `${t} ${name}`;
}

/** What the registry knows of a place beyond its parts, in DaData's field names (places.extra). */
export interface RegistryFields {
  fias_id: string;
  fias_level: string;
  kladr_id: string | null;
  okato: string | null;
  oktmo: string | null;
  postal_code: string | null;
  region_with_type: string | null;
  region_fias_id: string | null;
  area: string | null;
  area_with_type: string | null;
  area_fias_id: string | null;
  city_with_type: string | null;
  city_fias_id: string | null;
  settlement_with_type: string | null;
  settlement_fias_id: string | null;
  street_with_type: string | null;
  street_fias_id: string | null;
  /** DaData's qc_geo: 0 the house's own point, 2 its street's, 3 its settlement's, 4 its city's, 5 none. */
  qc_geo: string;
  house_fias_id?: string | null;
  house_type?: string | null;
  block_type?: string | null;
}

export interface HouseTypes {
  house: Map<number, string>;
  addhouse: Map<number, string>;
}

/** The house part of an address: "д 7 стр 1", "зд 5", "д 16 к 1", "уч 14". */
export function housePart(house: Pick<GarHouseRow, 'num' | 'type' | 'add1' | 'add_type1' | 'add2' | 'add_type2'>, types: HouseTypes): { house: string | null; houseType: string | null; block: string | null; blockType: string | null; text: string } {
  const houseType = house.type === 0 ? 'уч' : house.type !== null ? shortType(types.house.get(house.type) ?? 'д') : null;
  const add1 = house.add1 ? `${house.add_type1 !== null ? shortType(types.addhouse.get(house.add_type1) ?? 'к') : 'к'} ${house.add1}` : null;
  const add2 = house.add2 ? `${house.add_type2 !== null ? shortType(types.addhouse.get(house.add_type2) ?? 'стр') : 'стр'} ${house.add2}` : null;
  const text = [house.num ? `${houseType ?? 'д'} ${house.num}` : null, add1, add2].filter(Boolean).join(' ');
  const blockType = add1 ? add1.split(' ')[0] : null;
  const block = add1 ? [house.add1, add2].filter(Boolean).join(' ') : add2;
  return { house: house.num, houseType, block, blockType: blockType ?? (add2 ? add2.split(' ')[0] : null), text };
}

/** A registry house as a place row of the answering side, its parts and registry fields taken from its parent's. */
export function registryHouseRow(parent: PlaceRow, house: GarHouseRow, types: HouseTypes, fields: RegistryFields): PlaceRow {
  const part = housePart(house, types);
  const postal = house.postal_code !== null ? String(house.postal_code).padStart(6, '0') : (fields.postal_code ?? parent.postal_code);
  const own = house.lat !== null && house.lon !== null;
  const extra: RegistryFields = {
    ...fields,
    fias_id: formatGuid(house.guid),
    fias_level: house.type === 0 ? '75' : '8',
    house_fias_id: formatGuid(house.guid),
    house_type: part.houseType,
    block_type: part.blockType,
    postal_code: postal,
    okato: house.okato !== null ? String(house.okato) : fields.okato,
    oktmo: house.oktmo !== null ? String(house.oktmo) : fields.oktmo,
    kladr_id: house.kladr ?? fields.kladr_id,
    qc_geo: own ? '0' : fields.qc_geo,
  };
  return {
    ...parent,
    id: -house.objectid,
    kind: 'house',
    value: `${parent.value}, ${part.text}`,
    house: part.house,
    block: part.block,
    postal_code: postal,
    lat: own ? house.lat : parent.lat,
    lon: own ? house.lon : parent.lon,
    registry: extra as unknown as Record<string, string | null>,
    gar_id: house.objectid,
    house_key: house.key,
  };
}

export function formatGuid(guid: Buffer | string): string {
  if (typeof guid === 'string') return guid;
  const hex = guid.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
