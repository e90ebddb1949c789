/**
 * The one answer builder: every source (the registry, OpenStreetMap, the address book, the
 * providers) gives its parts, and this writes DaData's suggestion from them — `data` with every key
 * DaData documents (contract/dadata.ts; null when unknown, numbers as strings), our `lat`/`lon`
 * beside them, and `value`/`unrestricted_value` in DaData's spelling: "г Москва, ул Аргуновская,
 * д 18, кв 5" and "127282, г Москва, ул Аргуновская, д 18, кв 5" (no country; a region named once).
 * docs/api.md says, key by key, what we fill and what stays null.
 */
import { DADATA_ADDRESS_KEYS, type DadataAddressData } from '../../contract/dadata.js';
import type { AddressData, Suggestion, SuggestionSource } from '../../contract/api.js';
import { parseHouse } from './house-number.js';
import { withType } from './registry-format.js';
import { verdictOf } from './verdict.js';

/** Parts as sources give them: any DaData key, coordinates as numbers or strings, anything missing. */
export type AddressParts = Partial<Record<keyof AddressData | 'country_code', unknown>>;

/** Type words of Russian names and how DaData writes them: short (`*_type`) and full (`*_type_full`). */
const TYPES: Array<{ short: string; full: string; forms: string[] }> = [
  { short: 'ул', full: 'улица', forms: ['улица', 'ул'] },
  { short: 'пр-кт', full: 'проспект', forms: ['проспект', 'пр-кт', 'пр-т', 'просп'] },
  { short: 'пер', full: 'переулок', forms: ['переулок', 'пер'] },
  { short: 'б-р', full: 'бульвар', forms: ['бульвар', 'б-р'] },
  { short: 'ш', full: 'шоссе', forms: ['шоссе', 'ш'] },
  { short: 'наб', full: 'набережная', forms: ['набережная', 'наб'] },
  { short: 'пл', full: 'площадь', forms: ['площадь', 'пл'] },
  { short: 'проезд', full: 'проезд', forms: ['проезд', 'пр-д'] },
  { short: 'туп', full: 'тупик', forms: ['тупик', 'туп'] },
  { short: 'аллея', full: 'аллея', forms: ['аллея'] },
  { short: 'мкр', full: 'микрорайон', forms: ['микрорайон', 'мкр'] },
  { short: 'линия', full: 'линия', forms: ['линия'] },
  { short: 'обл', full: 'область', forms: ['область', 'обл'] },
  { short: 'край', full: 'край', forms: ['край'] },
  { short: 'Респ', full: 'республика', forms: ['республика', 'респ'] },
  { short: 'АО', full: 'автономный округ', forms: ['автономный округ', 'ао'] },
  { short: 'г', full: 'город', forms: ['город', 'г'] },
];
const FULL_OF = new Map(TYPES.map((t) => [t.short.toLowerCase(), t.full]));
const FULL_OF_EXTRA: Record<string, string> = { д: 'дом', к: 'корпус', стр: 'строение', зд: 'здание', влд: 'владение', уч: 'участок', соор: 'сооружение', кв: 'квартира', офис: 'офис', пом: 'помещение', р: 'район', 'р-н': 'район', п: 'поселок', с: 'село', рп: 'рабочий поселок', пгт: 'поселок городского типа', тер: 'территория', лит: 'литера' };
const fullOf = (short: string | null) => (short ? (FULL_OF.get(short.toLowerCase()) ?? FULL_OF_EXTRA[short.toLowerCase()] ?? null) : null);

/** Keys DaData always fills (typed clients declare them `string`): "" when unknown. */
export const ALWAYS_TEXT = ['country', 'country_iso_code', 'region', 'region_type', 'region_type_full', 'region_with_type', 'region_fias_id', 'region_kladr_id', 'region_iso_code', 'fias_id', 'fias_code', 'fias_level', 'fias_actuality_state', 'kladr_id'] as const;

/** Cities of federal significance: the city is its own region (DaData: region "Москва", type "г"). */
const FEDERAL_CITIES: Record<string, { iso: string | null; district: string }> = {
  Москва: { iso: 'RU-MOW', district: 'Центральный' },
  'Санкт-Петербург': { iso: 'RU-SPE', district: 'Северо-Западный' },
  Севастополь: { iso: null, district: 'Южный' },
  Байконур: { iso: null, district: 'Южный' },
};

const countryCodes = (() => {
  const names = new Intl.DisplayNames(['ru'], { type: 'region' });
  const byName = new Map<string, string>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      try {
        const name = names.of(code);
        if (name && name !== code && !byName.has(name)) byName.set(name, code);
      } catch {
        /* not a region code */
      }
    }
  }
  return byName;
})();

/** A name and the type word in it: "улица Гончарова" → Гончарова, ул; "Самарская область" → Самарская, обл. */
export function splitType(name: string): { name: string; short: string | null; full: string | null } {
  const words = name.trim().split(/\s+/);
  for (const t of TYPES) {
    for (const form of t.forms) {
      const parts = form.split(' ');
      const lower = words.map((w) => w.toLowerCase().replace(/\.$/, ''));
      const at = lower.findIndex((_, i) => parts.every((p, j) => lower[i + j] === p));
      if (at < 0 || words.length === parts.length) continue;
      const rest = [...words.slice(0, at), ...words.slice(at + parts.length)].join(' ');
      return { name: rest, short: t.short, full: t.full };
    }
  }
  return { name: name.trim(), short: null, full: null };
}

const text = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
const number = (v: unknown) => {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

/** DaData's `data` with every key, our `lat`/`lon` beside it, filled from `parts`. */
export function addressData(parts: AddressParts): AddressData {
  const d = Object.fromEntries(DADATA_ADDRESS_KEYS.map((k) => [k, null])) as Record<string, unknown>;
  for (const key of DADATA_ADDRESS_KEYS) {
    const v = parts[key as keyof AddressParts];
    if (key === 'metro' || key === 'history_values' || key === 'divisions') d[key] = Array.isArray(v) ? v : (v ?? null);
    else d[key] = text(v);
  }
  const lat = number(parts.lat ?? parts.geo_lat);
  const lon = number(parts.lon ?? parts.geo_lon);
  const country = text(parts.country);
  const code = text(parts.country_iso_code) ?? text(parts.country_code)?.toUpperCase() ?? (country ? (countryCodes.get(country) ?? null) : null);
  d.country_iso_code = code;
  const russian = code === 'RU' || country === 'Россия';
  if (russian) fillRussianTypes(d);
  d.geo_lat = lat === null ? null : String(lat);
  d.geo_lon = lon === null ? null : String(lon);
  if (d.flat_type && !d.flat_type_full) d.flat_type_full = fullOf(d.flat_type as string);
  d.fias_level ??= russian ? levelOf(d) : '-1';
  d.qc_geo ??= lat === null ? '5' : qcGeoOf(d);
  // DaData fills its identifiers and the region for every Russian address, and typed clients
  // declare them as strings (react-dadata: `fias_id: string`): where we do not know one it is
  // "", never null, so such a client never meets a null there. docs/dadata-api.md lists them.
  for (const key of ALWAYS_TEXT) d[key] ??= '';
  d.capital_marker ??= capitalOf(d.region as string | null, d.city as string | null) ? '2' : '0';
  const intercom = text(parts.intercom);
  const comment = text(parts.courier_comment);
  return { ...(d as DadataAddressData), lat, lon, intercom, ...(comment ? { courier_comment: comment } : {}), verdict: verdictOf(d) } as AddressData;
}

/** The *_type, *_type_full and *_with_type of what a source named in one string ("улица Гончарова"). */
function fillRussianTypes(d: Record<string, unknown>): void {
  const federal = typeof d.city === 'string' ? FEDERAL_CITIES[d.city] : undefined;
  if (federal && (!d.region || d.region === d.city)) {
    d.region = d.city;
    d.region_type ??= 'г';
    d.region_with_type ??= `г ${d.city}`;
    d.region_iso_code ??= federal.iso;
    d.federal_district ??= federal.district;
  }
  for (const level of ['region', 'area', 'city', 'settlement', 'street'] as const) {
    // Only "г Самара" given (as some sources write it): the name and type are read out of it.
    if (!d[level] && typeof d[`${level}_with_type`] === 'string') {
      const split = splitType(d[`${level}_with_type`] as string);
      d[level] = split.name;
      d[`${level}_type`] ??= split.short;
    }
    const name = d[level];
    if (typeof name !== 'string' || !name) continue;
    const withTypeKey = `${level}_with_type`;
    const typeKey = `${level}_type`;
    if (typeof d[withTypeKey] === 'string' && d[typeKey] === null) {
      // The registry gives "ул Гагарина" beside "Гагарина": the type is what is left.
      const rest = (d[withTypeKey] as string).replace(name, '').trim();
      d[typeKey] = rest || null;
    } else if (d[withTypeKey] === null) {
      const split = splitType(name);
      const short = split.short ?? (level === 'city' ? 'г' : null);
      d[level] = split.name;
      d[typeKey] = short;
      d[withTypeKey] = short ? withType(split.name, short) : split.name;
    }
    d[`${typeKey}_full`] ??= fullOf(d[typeKey] as string | null);
  }
  if (typeof d.house === 'string' && d.house_type === null) {
    // "17А к3", "11 с3", "4 к1 с2": DaData keeps the number with its letter in `house`, the rest in `block`.
    const parsed = parseHouse(d.block ? `${d.house} к${d.block}` : d.house);
    if (parsed) {
      const letter = parsed.letter ? (new RegExp(`^\\d+(?:-\\d+)?\\s*(${parsed.letter})`, 'iu').exec(d.house)?.[1] ?? parsed.letter) : '';
      d.house = `${parsed.number}${letter}${parsed.fraction ? `/${parsed.fraction}` : ''}`;
      const blocks = [parsed.korpus ? ['к', parsed.korpus] : null, parsed.stroenie ? ['стр', parsed.stroenie] : null, parsed.litera ? ['лит', parsed.litera.toUpperCase()] : null].filter((b): b is string[] => b !== null);
      d.block_type = blocks[0]?.[0] ?? null;
      d.block = blocks.length ? [blocks[0][1], ...blocks.slice(1).flat()].join(' ') : null;
    }
    d.house_type = 'д';
  }
  d.house_type_full ??= fullOf(d.house_type as string | null);
  d.block_type_full ??= fullOf(d.block_type as string | null);
}

/**
 * DaData's fias_level of the finest part known: 8 house, 7 street, 6 settlement, 4 city, 3 area,
 * 1 region, 0 country. A flat only typed stays at its house's level, as DaData's does for a flat
 * the registry does not list.
 */
function levelOf(d: Record<string, unknown>): string {
  if (d.house) return '8';
  if (d.street) return '7';
  if (d.settlement) return '6';
  if (d.city) return '4';
  if (d.area) return '3';
  if (d.region) return '1';
  return '0';
}

/** DaData's qc_geo for a point given at the level of the finest part: 0 house, 2 street, 3 settlement, 4 city, 5 none. */
function qcGeoOf(d: Record<string, unknown>): string {
  if (d.house) return '0';
  if (d.street) return '2';
  if (d.settlement) return '3';
  if (d.city) return '4';
  return '5';
}

/** What DaData has no place for in its value, written after it: ", подъезд 2, этаж 3, домофон 12К". */
function detailsPart(d: AddressData): string | null {
  const parts = [d.entrance ? `подъезд ${d.entrance}` : null, d.floor ? `этаж ${d.floor}` : null, d.intercom ? `домофон ${d.intercom}` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}

/**
 * Whether the city is its region's namesake capital ("Самарская" обл → Самара, "Новосибирская" →
 * Новосибирск): the first four letters shared. A capital named otherwise (Екатеринбург in the
 * Свердловская обл) keeps its region in the value: we have no capital list to say otherwise.
 */
function capitalOf(region: string | null, city: string | null): boolean {
  if (!region || !city) return false;
  return region.slice(0, 4).toLowerCase() === city.slice(0, 4).toLowerCase();
}

/** The house and flat part as DaData writes it: "д 18 к 2, кв 5" ("д 11 стр 3", "зд 5а"). */
function housePart(d: AddressData): string | null {
  if (!d.house) return null;
  const house = `${d.house_type ?? 'д'} ${d.house}${d.block ? ` ${d.block_type ?? 'к'} ${d.block}` : ''}`;
  return d.flat ? `${house}, ${d.flat_type ?? 'кв'} ${d.flat}` : house;
}

/**
 * DaData's `value` and `unrestricted_value` of Russian parts; `display` (as the source wrote it)
 * for an address elsewhere ("London, 87 Hatton Garden"), or when a registry value is given whole.
 */
export function dadataValues(d: AddressData, display: string | null): { value: string; unrestricted_value: string } {
  if (d.country_iso_code !== 'RU' || (display && d.fias_id)) {
    const value = [display ?? [d.city, d.settlement, d.street, d.house].filter(Boolean).join(', '), d.fias_id && d.flat ? `${d.flat_type ?? 'кв'} ${d.flat}` : null, detailsPart(d)].filter(Boolean).join(', ');
    const head = d.country_iso_code === 'RU' ? [d.postal_code, d.region_with_type && !value.startsWith(d.region_with_type) ? d.region_with_type : null] : [d.postal_code, d.country, d.region];
    return { value, unrestricted_value: [...head, value].filter(Boolean).join(', ') };
  }
  // A city of federal significance is its own region: named once ("г Москва, ул …"). DaData's
  // value leaves out the region of its capital ("г Самара, ул Авроры"); the full value has it.
  const city = d.city_with_type !== d.region_with_type ? d.city_with_type : null;
  const tail = [d.area_with_type, city, d.settlement_with_type, d.street_with_type, housePart(d), detailsPart(d)];
  const shownRegion = d.region_with_type && !(city && capitalOf(d.region, d.city)) ? d.region_with_type : null;
  const value = [shownRegion, ...tail].filter(Boolean).join(', ') || (display ?? '');
  return { value, unrestricted_value: [d.postal_code, d.region_with_type, ...tail].filter(Boolean).join(', ') };
}

/** A whole suggestion from a source's parts. */
export function buildSuggestion(parts: AddressParts, source: SuggestionSource, display: string | null = null): Suggestion {
  const data = addressData(parts);
  return { ...dadataValues(data, display), data, source };
}
