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
import { registryFields, registryPath } from './registry-path.js';
import { LRUCache } from 'lru-cache';

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

  /** A repository of its own (imports, tests), or the served index that a build may switch under it. */
  constructor(places: PlacesRepository | PlacesSource) {
    this.source = places instanceof PlacesRepository ? { current: places } : places;
    this.speller = new Speller(() => this.places);
  }

  get places(): PlacesRepository {
    return this.source.current;
  }

  async suggest(query: string, options: SuggestOptions): Promise<Suggestion[]> {
    return this.search(query, options).map((row) => placeToSuggestion(row.gar_id && !row.registry ? { ...row, registry: this.registryFieldsOf(row) as unknown as Record<string, string | null> } : row));
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

  /** Prefix pass; then the keyboard-layout retry; then, if still nothing, the same with typos corrected. */
  search(query: string, options: Pick<SuggestOptions, 'count' | 'city' | 'region' | 'boost'>): PlaceRow[] {
    const parsed = parseQuery(query);
    const found = new Map<number, PlaceRow>();
    const add = (rows: PlaceRow[]) => rows.forEach((r) => found.size < CANDIDATES * 2 && found.set(r.id, r));
    // A preferred city (the widget setting) narrows the index query itself: with millions of
    // houses, the 64 most important matches of "Ленина 5" may all be in other cities.
    const preferred = options.city ?? options.region ?? options.boost;
    if (preferred) {
      const cityWords = indexText(preferred).split(' ').filter((w) => w && !parsed.words.includes(w));
      if (cityWords.length) {
        add(this.registryPass({ ...parsed, words: [...cityWords, ...parsed.words] }));
        add(this.prefixPass({ ...parsed, words: [...cityWords, ...parsed.words] }));
      }
    }
    add(this.registryPass(parsed));
    add(this.prefixPass(parsed));
    // "Самара, у": the last word may be a type word just begun ("улица"), which the index does not hold.
    if (found.size === 0 && parsed.prefix && parsed.words.length && startsTypeWord(parsed.prefix)) add(this.prefixPass({ ...parsed, prefix: null }));
    if (found.size < options.count) {
      const switched = fromQwertyLayout(query);
      if (switched) add(this.prefixPass(parseQuery(switched)));
    }
    // Typos only when the prefix passes found nothing at all.
    if (found.size === 0) {
      const corrected = this.corrected(parsed);
      if (corrected) return rank(this.prefixPass(corrected), corrected, options).slice(0, options.count);
    }
    return rank([...found.values()], parsed, options).slice(0, options.count);
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
    const parents = places.matchRegistry(expression, REGISTRY_PARENTS);
    if (!parents.length) return [];
    let types = this.houseTypes.get(places);
    if (!types) {
      const all = places.garTypes();
      const short = (kind: string) => new Map([...(all.get(kind) ?? new Map<number, { short: string }>())].map(([id, t]) => [id, t.short]));
      this.houseTypes.set(places, (types = { house: short('house'), addhouse: short('addhouse') }));
    }
    const rows: PlaceRow[] = [];
    for (const parent of parents) {
      const houses = places.housesOf(parent.gar_id!, parsed.house, HOUSES_PER_PARENT);
      if (!houses.length) continue;
      const fields = this.registryFieldsOf(parent);
      if (fields) for (const house of houses) rows.push(registryHouseRow(parent, house, types, fields));
    }
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
function rank(rows: PlaceRow[], parsed: ParsedQuery, options: Pick<SuggestOptions, 'city' | 'region' | 'boost'>): PlaceRow[] {
  const preferred = options.city ?? options.region ?? options.boost;
  const bias = preferred ? normalize(preferred) : null;
  const tier = (row: PlaceRow) => {
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
    .sort((a, b) => a.tier[0] - b.tier[0] || a.tier[1] - b.tier[1] || a.tier[2] - b.tier[2] || a.tier[3] - b.tier[3] || a.order - b.order)
    .map((r) => r.row);
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
