/**
 * The suggestion use-cases: suggest (account book first, then the provider), resolve (the one
 * best structured match) and remember (a choice made in the widget). Answers are cached per
 * (provider, account book version, normalised query, options).
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { AddressParts, Geocoder, Suggestion, SuggestOptions } from './types.js';
import { AddressBook, type AddressOrigin } from './address-book.js';
import { indexText, normalize } from './normalize.js';

export interface SuggestAnswer {
  suggestions: Suggestion[];
  cached: boolean;
}

export class AddressService {
  private readonly cache: LRUCache<string, Suggestion[]> | null;

  constructor(
    private readonly geocoder: Geocoder,
    private readonly book: AddressBook,
    private readonly clock: Clock,
    cache: { ttlSeconds: number; maxBytes: number },
  ) {
    // Capped by bytes, not entries: an answer of 7 suggestions with all their parts is ~14 KB as
    // JS objects, so an entry cap says little about memory. The size is the answer's JSON length
    // (twice for UTF-16 strings) plus the key: a close, cheap stand-in for its heap size.
    this.cache =
      cache.ttlSeconds > 0 && cache.maxBytes > 0
        ? new LRUCache({ maxSize: cache.maxBytes, ttl: cache.ttlSeconds * 1000, perf: clock, sizeCalculation: (value, key) => 2 * (JSON.stringify(value).length + key.length) + 64 })
        : null;
  }

  async suggest(accountId: number | null, query: string, requested: SuggestOptions): Promise<SuggestAnswer> {
    // No city named by the widget: the one the account's own addresses show it delivers to is preferred (a boost, not a filter).
    const home = accountId !== null && !requested.city && !requested.region ? await this.book.home(accountId) : null;
    const options = home ? { ...requested, boost: home } : requested;
    const key = this.cacheKey(accountId, query, options);
    const hit = this.cache?.get(key);
    if (hit) return { suggestions: hit, cached: true };
    const own = accountId === null ? [] : await this.book.search(accountId, query, options.count);
    const fresh = own.length >= options.count ? [] : await this.geocoder.suggest(query, options);
    const suggestions = dedupe([...own, ...fresh]).slice(0, options.count);
    // A fallback answer is not cached: the provider should be asked again once it recovers.
    if (!fresh.some((s) => s.source === 'local-fallback')) this.cache?.set(key, suggestions);
    return { suggestions, cached: false };
  }

  /** After the index switched to a new build: answers from the old one are not served again. */
  forgetCachedAnswers(): void {
    this.cache?.clear();
  }

  async resolve(accountId: number | null, query: string, options: Omit<SuggestOptions, 'count'>): Promise<Suggestion | null> {
    const { suggestions } = await this.suggest(accountId, query, { ...options, count: 1 });
    return suggestions[0] ?? null;
  }

  async remember(accountId: number, suggestion: { value: string; data?: AddressParts; source?: string }): Promise<void> {
    const origin: AddressOrigin = suggestion.source === 'yandex' ? 'yandex' : 'widget';
    await this.book.remember(accountId, suggestion.value, suggestion.data ?? {}, origin, this.clock.now());
  }

  private cacheKey(accountId: number | null, query: string, o: SuggestOptions): string {
    const account = accountId === null ? '-' : `${accountId}:${this.book.version(accountId)}`;
    // Trailing space matters: "Самара " asks for the next level, "Самара" still types the word.
    const tail = /\s$/.test(query) ? ' ' : '';
    return [this.geocoder.name, account, normalize(query) + tail, o.count, o.language, normalize(o.city ?? ''), normalize(o.region ?? ''), normalize(o.boost ?? '')].join('|');
  }
}

function dedupe(suggestions: Suggestion[]): Suggestion[] {
  const seen = new Set<string>();
  return suggestions.filter((s) => {
    const key = indexText(s.value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
