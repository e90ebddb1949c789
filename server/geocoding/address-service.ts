/**
 * The suggestion use-cases: suggest (account book first, then the provider), resolve (the one
 * best structured match) and remember (a choice made in the widget). Answers are cached per
 * (provider, account book version, normalised query, options).
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { AddressParts, Geocoder, Suggestion, SuggestOptions } from './types.js';
import type { SuggestNote } from '../../contract/api.js';
import { AddressBook, type AddressOrigin } from './address-book.js';
import { indexText, normalize, splitRegion } from './normalize.js';
import { hasDetails, splitDetails, type AddressDetails } from './address-details.js';
import { addressData, dadataValues } from './answer-builder.js';
import { pointOf } from './coordinates.js';

export interface SuggestAnswer {
  suggestions: Suggestion[];
  /** Why the list is not simply what was typed (geocoding/local-index.ts). */
  note: SuggestNote | null;
  cached: boolean;
}

/** A geocoder that can also say why its list is what it is (the embedded index). */
interface NotingGeocoder extends Geocoder {
  answer(query: string, options: SuggestOptions): Promise<{ suggestions: Suggestion[]; note: SuggestNote | null }>;
}
const notes = (g: Geocoder): g is NotingGeocoder => typeof (g as Partial<NotingGeocoder>).answer === 'function';

export class AddressService {
  private readonly cache: LRUCache<string, { suggestions: Suggestion[]; note: SuggestNote | null }> | null;

  constructor(
    private readonly geocoder: Geocoder,
    private readonly book: AddressBook,
    private readonly clock: Clock,
    cache: { ttlSeconds: number; maxBytes: number },
    /** The houses nearest to a point (the embedded index): a pasted point or map link is answered with them. */
    private readonly nearest: ((lat: number, lon: number, radiusMeters: number, count: number) => Suggestion[]) | null = null,
  ) {
    // Capped by bytes, not entries: an answer of 7 suggestions with all their parts is ~14 KB as
    // JS objects, so an entry cap says little about memory. The size is the answer's JSON length
    // (twice for UTF-16 strings) plus the key: a close, cheap stand-in for its heap size.
    this.cache =
      cache.ttlSeconds > 0 && cache.maxBytes > 0
        ? new LRUCache({ maxSize: cache.maxBytes, ttl: cache.ttlSeconds * 1000, perf: clock, sizeCalculation: (value, key) => 2 * (JSON.stringify(value).length + key.length) + 64 })
        : null;
  }

  async suggest(accountId: number | null, typed: string, requested: SuggestOptions): Promise<SuggestAnswer> {
    // "55.7558, 37.6173" or a map link pasted into the field: the houses nearest to it.
    const point = this.nearest ? pointOf(typed) : null;
    if (point) return { suggestions: this.nearest!(point.lat, point.lon, PASTED_POINT_RADIUS_M, requested.count), note: null, cached: false };
    // The flat, entrance, floor and intercom typed after the house are not looked up: they are
    // added to every house the address part finds (geocoding/address-details.ts).
    const { address, details } = splitDetails(typed);
    // Our own full spelling typed back (a DaData client's enrichment, a webhook, a resolve): its region is a preference.
    const { rest: query, region } = splitRegion(address);
    const named = region && !requested.city && !requested.region ? { ...requested, region } : requested;
    // No city named by the widget: the one the account's own addresses show it delivers to is preferred (a boost, not a filter).
    const home = accountId !== null && !named.city && !named.region ? await this.book.home(accountId) : null;
    const options = home ? { ...named, boost: home } : named;
    const key = this.cacheKey(accountId, query, options);
    const hit = this.cache?.get(key);
    if (hit) return { ...withDetails(hit, details), cached: true };
    const own = accountId === null ? [] : await this.book.search(accountId, query, options.count);
    // The embedded index is asked for a few more than wanted: answers that read the same (a
    // settlement both in the gazetteer and in an extract) are dropped below, and a list must
    // still be full when more match ("мос", count 20, answered 19 before).
    const fresh = own.length >= options.count ? { suggestions: [], note: null } : notes(this.geocoder) ? await this.geocoder.answer(query, { ...options, count: options.count + DEDUPE_SLACK }) : { suggestions: await this.geocoder.suggest(query, options), note: null };
    const answer = { suggestions: dedupe([...own, ...fresh.suggestions]).slice(0, options.count), note: own.length ? null : fresh.note };
    // A fallback answer is not cached: the provider should be asked again once it recovers.
    if (!fresh.suggestions.some((s) => s.source === 'local-fallback')) this.cache?.set(key, answer);
    return { ...withDetails(answer, details), cached: false };
  }

  /** After the index switched to a new build: answers from the old one are not served again. */
  forgetCachedAnswers(): void {
    this.cache?.clear();
  }

  async resolve(accountId: number | null, query: string, options: Omit<SuggestOptions, 'count'>): Promise<Suggestion | null> {
    const { suggestions, note } = await this.suggest(accountId, query, { ...options, count: 1 });
    // The street of a house the data lacks is not that house.
    return note ? null : (suggestions[0] ?? null);
  }

  async remember(accountId: number, suggestion: { value: string; data?: AddressParts; source?: string }): Promise<void> {
    const origin: AddressOrigin = suggestion.source === 'yandex' ? 'yandex' : 'widget';
    await this.book.remember(accountId, suggestion.value, suggestion.data ?? {}, origin, this.clock.now());
  }

  private cacheKey(accountId: number | null, query: string, o: SuggestOptions): string {
    const account = accountId === null ? '-' : `${accountId}:${this.book.version(accountId)}`;
    // The text as typed, but for case, ё and runs of spaces: a slash, dash or comma can change
    // the answer ("30/2" is one house, "30 2" is not), and so does a trailing space ("Самара "
    // asks for the next level, "Самара" still types the word).
    return [this.geocoder.name, account, queryKey(query), o.count, o.language, normalize(o.city ?? ''), normalize(o.region ?? ''), normalize(o.boost ?? '')].join('|');
  }
}

/** Extra answers asked of the embedded index, for those the dedupe drops. */
const DEDUPE_SLACK = 5;

/** How far from a pasted point its houses are looked for: a map pin a street's width away from the door. */
const PASTED_POINT_RADIUS_M = 300;

/** Texts that get the same answer: case, ё and spaces aside. The widget keys its cache the same way. */
export const queryKey = (text: string) => text.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').replace(/^ /, '');

/** The details typed after the house, added to each house of the answer (streets stay as they are), values rewritten by the one builder. */
function withDetails<T extends { suggestions: Suggestion[] }>(answer: T, details: AddressDetails | null): T {
  if (!hasDetails(details)) return answer;
  const fields = { flat_type: details.flat ? details.flat_type : null, flat_type_full: null, flat: details.flat, entrance: details.entrance, floor: details.floor, intercom: details.intercom };
  return {
    ...answer,
    suggestions: answer.suggestions.map((s) => {
      if (!s.data.house) return s;
      const data = addressData({ ...s.data, ...fields });
      return { ...s, ...dadataValues(data, s.value), data: { ...data, ...zoneOf(s.data) } };
    }),
  };
}

/** The zone fields an answer carries (added after the cache), kept as they are. */
const zoneOf = (d: Suggestion['data']) => ('delivery_zone' in d ? { delivery_zone: d.delivery_zone, delivery_distance_km: d.delivery_distance_km } : {});

function dedupe(suggestions: Suggestion[]): Suggestion[] {
  const seen = new Set<string>();
  return suggestions.filter((s) => {
    const key = indexText(s.value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
