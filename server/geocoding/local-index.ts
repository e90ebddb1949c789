/**
 * The embedded geocoder: search and ranking over the places in store/places-repository.ts
 * (geocoding-notes, "The embedded default"). Rows come in importance order, so a MATCH that
 * stops at LIMIT already holds the best candidates and never sorts the whole match set.
 */
import { ftsExpression } from '../store/fts-expression.js';
import { PlacesRepository, type NewPlaceRow, type PlaceRow } from '../store/places-repository.js';
import type { PlacesSource } from './served-index.js';
import type { Geocoder, Suggestion, SuggestOptions } from './types.js';
import { fromQwertyLayout, indexText, normalize, parseQuery, exactStreetTypeOf, postcodeToken, startsTypeWord, type ParsedQuery } from './normalize.js';
import { houseKey, houseTokens } from './house-number.js';
import { Speller } from './spelling.js';
import { placeToSuggestion, placeValue } from './place-format.js';
import { registryHouseRow, type HouseTypes, type RegistryFields } from './registry-format.js';
import { fromLatin } from './transliteration.js';
import type { GarHouseRow } from '../store/index-rows.js';
import type { SuggestNote } from '../../contract/api.js';
import { registryFields, registryPath } from './registry-path.js';
import { LRUCache } from 'lru-cache';
import { SettlementPoints } from './settlement-points.js';

export interface PlaceInput {
  kind: PlaceRow['kind'];
  country_code: string | null;
  country: string | null;
  region?: string | null;
  city?: string | null;
  settlement?: string | null;
  street?: string | null;
  house?: string | null;
  block?: string | null;
  postal_code?: string | null;
  lat: number | null;
  lon: number | null;
  importance: number;
  /** Extra names the place is found by (Latin and other-language names). */
  aliases?: string[];
  value?: string;
}

/** Houses of one street read to list them in number order (a long avenue has a few hundred). */
const STREET_HOUSES = 2000;
/** Candidates read from the index per pass before ranking. */
const CANDIDATES = 64;
/** Registry streets (and settlements) whose houses are looked at, per pass; houses read per street. */
const REGISTRY_PARENTS = 16;
const HOUSES_PER_PARENT = 12;

export class LocalIndex implements Geocoder {
  readonly name = 'local' as const;
  private readonly speller: Speller;
  private readonly source: PlacesSource;
  private readonly houseTypes = new WeakMap<PlacesRepository, HouseTypes>();
  /** Registry fields of the streets and settlements answered lately, per index file (a switch starts afresh). */
  private readonly fieldCache = new WeakMap<PlacesRepository, LRUCache<number, RegistryFields>>();
  private readonly towns = new SettlementPoints();

  /** A repository of its own (imports, tests), or the served index that a build may switch under it. */
  constructor(places: PlacesRepository | PlacesSource) {
    this.source = places instanceof PlacesRepository ? { current: places } : places;
    this.speller = new Speller(() => this.places);
  }

  get places(): PlacesRepository {
    return this.source.current;
  }

  async suggest(query: string, options: SuggestOptions): Promise<Suggestion[]> {
    return (await this.answer(query, options)).suggestions;
  }

  /** The suggestions, with a note when the list is not what was asked for (no such house, no streets there). */
  async answer(query: string, options: SuggestOptions): Promise<{ suggestions: Suggestion[]; note: SuggestNote | null }> {
    const { rows, note } = this.find(query, options);
    return { suggestions: rows.map((row) => this.toSuggestion(row)), note };
  }

  /** What the registry knows of a registry street or settlement, from `gar_objects` (geocoding/registry-path.ts). */
  private registryFieldsOf(row: PlaceRow): RegistryFields | null {
    const places = this.places;
    let cache = this.fieldCache.get(places);
    if (!cache) this.fieldCache.set(places, (cache = new LRUCache({ max: 20_000 })));
    const cached = cache.get(row.gar_id!);
    if (cached) return cached;
    const object = places.garObject(row.gar_id!);
    if (!object) return null;
    const fields = registryFields(registryPath(object, (id) => places.garObject(id)), row.extra ?? '5');
    cache.set(row.gar_id!, fields);
    return fields;
  }

  search(query: string, options: Pick<SuggestOptions, 'count' | 'city' | 'region' | 'boost'>): PlaceRow[] {
    return this.find(query, options).rows;
  }

  /**
   * Prefix passes (with the preferred city, then without); Latin text also read as the wrong
   * keyboard layout and as transliterated Russian; then, only when they found nothing, the same
   * with typos corrected, a street without the house typed, and the settlement without streets.
   * A street or settlement typed whole and followed by a separator (as a pick leaves it) answers
   * with its next level: the street's houses in number order, the settlement's streets.
   */
  private find(query: string, options: Pick<SuggestOptions, 'count' | 'city' | 'region' | 'boost'>): { rows: PlaceRow[]; note: SuggestNote | null } {
    const parsed = parseQuery(query);
    const parses = [parsed];
    const found = new Map<number, PlaceRow>();
    /** Which readings of the text found each row: a row is ranked by the best of those only. */
    const readings = new Map<number, ParsedQuery[]>();
    const add = (rows: PlaceRow[], by: ParsedQuery = parsed) =>
      rows.forEach((r) => {
        if (!found.has(r.id) && found.size >= CANDIDATES * 2) return;
        found.set(r.id, found.get(r.id) ?? r);
        readings.set(r.id, [...(readings.get(r.id) ?? []), by]);
      });
    const passes = (p: ParsedQuery, by: ParsedQuery = p) => {
      add(this.registryPass(p), by);
      add(this.prefixPass(p), by);
    };
    // A preferred city (the widget setting) narrows the index query itself: with millions of
    // houses, the 64 most important matches of "Ленина 5" may all be in other cities.
    const preferred = options.city ?? options.region ?? options.boost;
    if (preferred) {
      const cityWords = indexText(preferred).split(' ').filter((w) => w && !parsed.words.includes(w));
      if (cityWords.length) passes({ ...parsed, words: [...cityWords, ...parsed.words] }, parsed);
    }
    passes(parsed);
    // "Самара, у": the last word may be a type word just begun ("улица"), which the index does not hold.
    if (found.size === 0 && parsed.prefix && parsed.words.length && startsTypeWord(parsed.prefix)) add(this.prefixPass({ ...parsed, prefix: null }));
    // Latin letters: the wrong keyboard layout ("vjcrdf"), or Russian transliterated ("moskva").
    if (found.size < options.count && /[a-z]/i.test(query)) {
      for (const other of [fromQwertyLayout(query), fromLatin(query)]) {
        if (!other) continue;
        const p = parseQuery(other);
        parses.push(p);
        passes(p);
      }
    }
    if (found.size === 0) {
      // Typos only when the exact and prefix passes found nothing at all.
      for (const p of [...parses]) {
        const corrected = this.corrected(p);
        if (!corrected) continue;
        parses.push(corrected);
        passes(corrected);
      }
    }
    if (found.size) {
      const ranked = rank([...found.values()], (row) => readings.get(row.id) ?? [parsed], options);
      return { rows: this.nextLevel(query, parses, ranked, options.count) ?? ranked.slice(0, options.count), note: null };
    }
    return this.withoutHouse(parsed, options) ?? this.settlementWithoutStreets(parsed) ?? { rows: [], note: null };
  }

  /**
   * A street or settlement typed whole and followed by a separator ("г Москва, ул Гончарова, "):
   * the street's houses in number order, or the settlement's streets. The place itself stays first
   * unless the text is its own value (it was just picked: offering it again would loop).
   */
  private nextLevel(query: string, parses: ParsedQuery[], ranked: PlaceRow[], count: number): PlaceRow[] | null {
    const [top] = ranked;
    if (!top || !/[\s,]$/.test(query) || top.kind === 'house') return null;
    // Every word of the place typed, and nothing else but its region's ("Самарская обл, г Самара, ул Авроры, ").
    const own = placeText(top).split(' ');
    const region = indexText(top.region).split(' ');
    const whole = parses.some((p) => p.house === null && p.prefix === null && p.words.length && own.every((w) => p.words.includes(w)) && p.words.every((w) => own.includes(w) || region.includes(w)));
    if (!whole) return null;
    // Just picked: the text is the place's value as stored or as answered (answer-builder.ts).
    const picked = [top.value, placeToSuggestion(top).value].some((v) => normalize(query) === normalize(v));
    const next = top.kind === 'street' ? this.housesOf(top) : this.streetsOf(top, count);
    return [...(picked ? [] : [top]), ...next].slice(0, count);
  }

  /** Every house of a street (OpenStreetMap or registry), in number order: 1, 2, 2к1, 2а, 10. */
  private housesOf(street: PlaceRow): PlaceRow[] {
    if (street.gar_id) {
      return this.registryHouses(street, this.places.housesOf(street.gar_id, '', STREET_HOUSES)).sort(byHouseNumber);
    }
    const expression = ftsExpression({ words: placeText(street).split(' ').filter(Boolean), prefix: null });
    if (!expression) return [];
    return this.places
      .match(expression, STREET_HOUSES)
      .filter((r) => r.kind === 'house' && r.street === street.street && r.city === street.city && r.settlement === street.settlement)
      .sort(byHouseNumber);
  }

  /** A settlement's streets, most important first. */
  private streetsOf(settlement: PlaceRow, count: number): PlaceRow[] {
    const expression = ftsExpression({ words: placeText(settlement).split(' ').filter(Boolean), prefix: null });
    if (!expression) return [];
    const name = settlement.city ?? settlement.settlement;
    return this.places
      .match(expression, STREET_HOUSES)
      .filter((r) => r.kind === 'street' && (r.city === name || r.settlement === name))
      .slice(0, count);
  }

  /**
   * A house the data does not have ("бутырская 5"): the street, then its houses nearest to the
   * number typed, with a note saying so. Null when no street matches the words before the number.
   */
  private withoutHouse(parsed: ParsedQuery, options: Pick<SuggestOptions, 'count' | 'city' | 'region' | 'boost'>): { rows: PlaceRow[]; note: SuggestNote } | null {
    if (!parsed.house) return null;
    const token = houseTokens(parsed.house)[0];
    const words = parsed.prefix === token ? parsed.words : parsed.words.at(-1) === token ? parsed.words.slice(0, -1) : null;
    if (!words?.length) return null;
    // The last word before the number may be unfinished ("бутыр 5").
    const street: ParsedQuery = { ...parsed, words: words.slice(0, -1), prefix: words.at(-1)!, house: null, housePartial: false, normalized: words.join(' ') };
    const streetsOnly = (p: ParsedQuery) => this.prefixPass(p).filter((r) => r.kind === 'street');
    let candidates = streetsOnly(street);
    let used = street;
    if (!candidates.length) {
      const corrected = this.corrected(street);
      if (corrected) {
        candidates = streetsOnly(corrected);
        used = corrected;
      }
    }
    const [best] = rank(candidates, [used], options);
    if (!best) return null;
    const wanted = houseNumber(parsed.house);
    const houses = this.housesOf(best).sort((a, b) => Math.abs(houseNumber(houseKeyOf(a)) - wanted) - Math.abs(houseNumber(houseKeyOf(b)) - wanted) || byHouseNumber(a, b));
    return { rows: [best, ...houses].slice(0, options.count), note: { code: 'house_not_found', house: parsed.house, street: best.value } };
  }

  /**
   * Nothing found, but the first words name a settlement the index knows ("казань баумана 10" on
   * an index without Kazan's streets): the settlement, with a note that its streets are not in the data.
   */
  private settlementWithoutStreets(parsed: ParsedQuery): { rows: PlaceRow[]; note: SuggestNote } | null {
    const words = parsed.words.filter((w) => !/^\d/.test(w));
    for (let n = Math.min(words.length, 3); n >= 1; n--) {
      const name = words.slice(0, n);
      const settlement = this.prefixPass({ ...parsed, words: name, prefix: null }).find((r) => r.kind === 'settlement' && placeText(r) === name.join(' '));
      if (!settlement) continue;
      const expression = ftsExpression({ words: name, prefix: null })!;
      const city = settlement.city ?? settlement.settlement;
      if (this.places.match(expression, 200).some((r) => r.kind !== 'settlement' && (r.city === city || r.settlement === city))) return null;
      return { rows: [settlement], note: { code: 'no_streets', settlement: settlement.value } };
    }
    return null;
  }

  /**
   * DaData's findById: a registry house or object by its FIAS id, or by its KLADR code (houses
   * by the whole code, objects by its beginning).
   */
  findById(id: string, count: number): Suggestion[] {
    const places = this.places;
    const rows: PlaceRow[] = [];
    const trimmed = id.trim();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(trimmed)) {
      const house = places.houseByGuid(Buffer.from(trimmed.replace(/-/g, ''), 'hex'));
      const parent = house ? places.garPlace(house.parent) : undefined;
      if (house && parent) rows.push(...this.registryHouses(parent, [house]));
      const object = house ? undefined : places.objectByGuid(trimmed);
      const place = object ? places.garPlace(object.objectid) : undefined;
      if (place) rows.push(place);
    } else if (/^\d{11,19}$/.test(trimmed)) {
      for (const house of places.housesByKladr(trimmed, count)) {
        const parent = places.garPlace(house.parent);
        if (parent) rows.push(...this.registryHouses(parent, [house]));
      }
      // A street's 17 digits or a settlement's 13 end in "00" for its actuality: matched by the code's beginning.
      for (const object of places.objectsByKladr(trimmed.replace(/00$/, ''), count)) {
        const place = places.garPlace(object.objectid);
        if (place) rows.push(place);
      }
    }
    return rows.slice(0, count).map((row) => this.toSuggestion(row));
  }

  /** DaData's geolocate: the houses nearest to a point within `radiusMeters`, nearest first. */
  nearest(lat: number, lon: number, radiusMeters: number, count: number): Suggestion[] {
    const places = this.places;
    const dLat = radiusMeters / 111_320;
    const dLon = radiusMeters / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const box = [lat - dLat, lat + dLat, lon - dLon, lon + dLon] as const;
    const rows: PlaceRow[] = [...places.housesInBox(...box, 500)];
    for (const house of places.registryHousesInBox(...box, 500)) {
      const parent = places.garPlace(house.parent);
      if (parent) rows.push(...this.registryHouses(parent, [house]));
    }
    return rows
      .map((row) => ({ row, meters: metersBetween(lat, lon, row.lat!, row.lon!) }))
      .filter((r) => r.meters <= radiusMeters)
      .sort((a, b) => a.meters - b.meters)
      .slice(0, count)
      .map((r) => this.toSuggestion(r.row));
  }

  private toSuggestion(row: PlaceRow): Suggestion {
    let full = row.gar_id && !row.registry ? { ...row, registry: this.registryFieldsOf(row) as unknown as Record<string, string | null> } : row;
    if (full.lat === null || full.lon === null) {
      // No point of its own nor its street's: the settlement's, marked approximate, so a zone is still found.
      const town = this.towns.find(this.places, full);
      if (town) full = { ...full, lat: town.lat, lon: town.lon, registry: { ...full.registry, qc_geo: town.qc } };
    }
    return placeToSuggestion(full);
  }

  /** Registry houses of one street or settlement as answer rows. */
  private registryHouses(parent: PlaceRow, houses: GarHouseRow[]): PlaceRow[] {
    if (!houses.length) return [];
    const fields = this.registryFieldsOf(parent);
    if (!fields) return [];
    const types = this.houseTypesOf(this.places);
    return houses.map((house) => registryHouseRow(parent, house, types, fields));
  }

  private houseTypesOf(places: PlacesRepository): HouseTypes {
    let types = this.houseTypes.get(places);
    if (!types) {
      const all = places.garTypes();
      const short = (kind: string) => new Map([...(all.get(kind) ?? new Map<number, { short: string }>())].map(([id, t]) => [id, t.short]));
      this.houseTypes.set(places, (types = { house: short('house'), addhouse: short('addhouse') }));
    }
    return types;
  }

  private prefixPass(parsed: ParsedQuery): PlaceRow[] {
    const expression = ftsExpression(parsed);
    return expression ? this.places.match(expression, CANDIDATES) : [];
  }

  /**
   * Registry houses (store/index-database.ts: one plain row a house, no FTS row): the words before
   * the house number find its streets (or settlements), and each one's houses are read by the
   * number's beginning. Nothing when no house number was typed.
   */
  private registryPass(parsed: ParsedQuery): PlaceRow[] {
    if (!parsed.house) return [];
    const token = houseTokens(parsed.house)[0];
    let { words, prefix } = parsed;
    if (prefix === token) prefix = null;
    else if (words.at(-1) === token) words = words.slice(0, -1);
    else return [];
    const expression = ftsExpression({ words, prefix });
    if (!expression) return [];
    const places = this.places;
    const rows: PlaceRow[] = [];
    for (const parent of places.matchRegistry(expression, REGISTRY_PARENTS)) rows.push(...this.registryHouses(parent, places.housesOf(parent.gar_id!, parsed.house, HOUSES_PER_PARENT)));
    return rows;
  }

  /** The query with each unknown word replaced by the closest word the index knows; null if nothing changed. */
  private corrected(parsed: ParsedQuery): ParsedQuery | null {
    let changed = false;
    const fix = (word: string, asPrefix: boolean) => {
      const better = this.speller.correct(word, asPrefix);
      if (better) changed = true;
      return better ?? word;
    };
    let words = parsed.words;
    let prefix = parsed.prefix;
    // "Самар " (a pause with a space): an unfinished last word is still a beginning.
    const last = words.at(-1);
    if (prefix === null && last && !this.speller.known(last, false) && this.speller.known(last, true)) {
      words = words.slice(0, -1);
      prefix = last;
      changed = true;
    }
    words = words.map((w) => fix(w, false));
    prefix = prefix ? fix(prefix, true) : null;
    return changed ? { ...parsed, words, prefix, normalized: [...words, ...(prefix ? [prefix] : [])].join(' ') } : null;
  }

  /** Replaces the places of `source` (a file's import, the gazetteer) with `places`; one transaction. */
  replacePlaces(places: Iterable<PlaceInput>, source: string): number {
    return this.places.replaceSource(source, rowsOf(places, source));
  }

  countBySource(): Record<string, number> {
    return this.places.countBySource();
  }
}

function* rowsOf(places: Iterable<PlaceInput>, source: string): Iterable<NewPlaceRow> {
  // The words of a city + street repeat for every house of the street: computed once.
  const streetWords = new Map<string, string>();
  for (const place of places) {
    const value = place.value ?? placeValue(place);
    yield {
      kind: place.kind,
      source,
      value,
      country: place.country,
      country_code: place.country_code,
      region: place.region ?? null,
      city: place.city ?? null,
      settlement: place.settlement ?? null,
      street: place.street ?? null,
      house: place.house ?? null,
      block: place.block ?? null,
      postal_code: place.postal_code ?? null,
      lat: place.lat,
      lon: place.lon,
      importance: place.importance,
      search_text: [placeText({ ...place, value }, streetWords), ...(place.aliases ?? []).map((a) => indexText(a)), place.postal_code ? postcodeToken(place.postal_code) : ''].filter(Boolean).join(' '),
    };
  }
}

/**
 * Ranking, most telling first: the preferred city or region; the house typed (the exact house,
 * then houses whose number starts with it, then the rest); a street type typed ("пер." puts the
 * переулок before the улица of the same name); the typed text as the place's own name (exact,
 * then ending it); then importance (population, precision), the order rows arrive in.
 */
function rank(rows: PlaceRow[], readingsOf: ParsedQuery[] | ((row: PlaceRow) => ParsedQuery[]), options: Pick<SuggestOptions, 'city' | 'region' | 'boost'>): PlaceRow[] {
  const preferred = options.city ?? options.region ?? options.boost;
  const bias = preferred ? normalize(preferred) : null;
  // Each row by the reading of the text that suits it best (as typed, as transliterated, corrected).
  const tier = (row: PlaceRow) => (typeof readingsOf === 'function' ? readingsOf(row) : readingsOf).map((parsed) => tierFor(row, parsed)).reduce((best, t) => (compareTiers(t, best) < 0 ? t : best));
  const tierFor = (row: PlaceRow, parsed: ParsedQuery) => {
    const biased = bias && normalize(`${row.city ?? ''} ${row.region ?? ''} ${row.settlement ?? ''}`).includes(bias) ? 0 : 1;
    let house = 0;
    if (parsed.house) {
      const key = row.house_key ?? houseKey(row.house, row.block);
      house = key === null ? 2 : key === parsed.house && !parsed.housePartial ? 0 : key.startsWith(parsed.house) ? 1 : 3;
    }
    const streetType = parsed.streetTypes.length ? (row.street && streetTypesIn(row.street).some((t) => parsed.streetTypes.includes(t)) ? 0 : 1) : 0;
    const text = placeText(row);
    const exact = text === parsed.normalized ? 0 : text.endsWith(parsed.normalized) || text.startsWith(parsed.normalized) ? 1 : 2;
    return [biased, house, streetType, exact];
  };
  return rows
    .map((row, order) => ({ row, order, tier: tier(row) }))
    .sort((a, b) => compareTiers(a.tier, b.tier) || a.order - b.order)
    .map((r) => r.row);
}

/** Great-circle distance in metres (haversine). */
function metersBetween(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

const compareTiers = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];

const houseKeyOf = (row: PlaceRow) => row.house_key ?? houseKey(row.house, row.block) ?? '';

/** The leading number of a house key ("17к1" → 17), or Infinity for none. */
function houseNumber(key: string): number {
  const m = /^\d+/.exec(key);
  return m ? Number(m[0]) : Number.POSITIVE_INFINITY;
}

/** Number order: 2 before 10, and 2 before 2а, 2к1, 2с1. */
function byHouseNumber(a: PlaceRow, b: PlaceRow): number {
  const ka = houseKeyOf(a);
  const kb = houseKeyOf(b);
  return houseNumber(ka) - houseNumber(kb) || ka.length - kb.length || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

/**
 * The words a place is found by, from its parts where it has them, in one order whatever the
 * display order ("London, 87 Hatton Garden" and "Москва, улица Авроры, д 5" alike): city,
 * settlement, street, then the house with its корпус.
 */
function placeText(place: { value: string; city?: string | null; settlement?: string | null; street?: string | null; house?: string | null; block?: string | null; house_key?: string | null }, memo?: Map<string, string>): string {
  if (!place.street) return indexText(place.value);
  const streetKey = `${place.city ?? ''}|${place.settlement ?? ''}|${place.street}`;
  let street = memo?.get(streetKey);
  if (street === undefined) {
    street = indexText(place.city, place.settlement, place.street);
    memo?.set(streetKey, street);
  }
  const key = place.house_key ?? houseKey(place.house, place.block);
  if (!key) return street;
  const words = new Set(street ? street.split(' ') : []);
  // A number we could not parse ("13 A, 5. krs.") is indexed by its words, as any text.
  const canonical = /^[\p{L}\p{N}/-]+$/u.test(key);
  for (const token of canonical ? houseTokens(key) : indexText(key).split(' ')) if (token) words.add(token);
  return [...words].join(' ');
}

/** The street types a street's name carries ("Малый Власьевский переулок" → переулок). */
function streetTypesIn(street: string): string[] {
  return normalize(street).split(' ').map(exactStreetTypeOf).filter((t): t is string => t !== null);
}
