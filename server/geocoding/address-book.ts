/**
 * Each account's own addresses: chosen through the widget, or read from its leads and
 * contacts. Private to the account and ranked first for it (issue: ranking). Yandex answers
 * may be kept at most 30 days (provider terms); Google's are never stored (no Google adapter).
 */
import type { AddressBookRepository } from '../store/address-book-repository.js';
import { localFeed, type ChangeFeed } from '../store/change-feed.js';
import { addressData, type AddressData, type AddressParts, type Suggestion } from './types.js';
import { indexText, parseQuery } from './normalize.js';

export type AddressOrigin = 'widget' | 'amocrm' | 'yandex';

/** The book says where an account delivers when at least this many of its latest addresses, and this share of them, are in one city. */
const HOME_MIN_ADDRESSES = 5;
const HOME_MIN_SHARE = 0.5;
const HOME_SAMPLE = 300;
const YANDEX_RETENTION_MS = 30 * 24 * 3600 * 1000;

export class AddressBook {
  private readonly versions = new Map<number, number>();
  private readonly announcing = new Set<number>();
  private readonly homes = new Map<number, { version: number; city: string | null }>();

  constructor(
    private readonly rows: AddressBookRepository,
    /** Other instances hear of a change here and stop serving their cached answers for the account. */
    private readonly changes: ChangeFeed = localFeed,
  ) {
    changes.subscribe((accountId) => this.bump(accountId));
  }

  private bump(accountId: number): void {
    this.versions.set(accountId, (this.versions.get(accountId) ?? 0) + 1);
  }

  /**
   * Tells the other instances, at most once per 50 ms per account: an import from amoCRM
   * remembers thousands of addresses, and one notice covers them all. Best effort: a lost notice
   * only means their cached answers live out the cache's TTL.
   */
  private announce(accountId: number): void {
    if (this.announcing.has(accountId)) return;
    this.announcing.add(accountId);
    setTimeout(() => {
      this.announcing.delete(accountId);
      this.changes.publish(accountId).catch(() => {});
    }, 50).unref();
  }

  /**
   * Remembers an address for the account. A choice in the widget counts as a use; an address
   * read from amoCRM only seeds the book (uses 0 unless already there).
   */
  async remember(accountId: number, value: string, data: AddressParts, origin: AddressOrigin, now: number): Promise<void> {
    const normalized = indexText(value);
    if (!normalized) return;
    // An upsert keeps `uses`; the normalised text (the FTS column) never changes on update. A
    // courier's comment is for one order, not the address: the book never keeps it.
    await this.rows.save({ accountId, normalized, value, data: JSON.stringify(addressData({ ...data, courier_comment: null })), origin, uses: origin === 'widget' ? 1 : 0, now });
    this.bump(accountId);
    this.announce(accountId);
  }

  async search(accountId: number, query: string, limit: number): Promise<Suggestion[]> {
    const { words, prefix } = parseQuery(query);
    return (await this.rows.search(accountId, { words, prefix }, limit)).map((row) => {
      // Stored by older releases with fewer keys: every answer has all of DaData's (answer-builder.ts).
      const data = addressData(JSON.parse(row.data) as AddressParts);
      return { value: row.value, unrestricted_value: [data.postal_code, row.value].filter(Boolean).join(', '), data, source: 'account' as const };
    });
  }

  /**
   * Where the account delivers, as its own addresses show: the city (or, without one, the region)
   * of most of its latest addresses, or null when they are spread out. Suggestions prefer it when
   * the widget names no city (docs/address-data.md). Read again only after
   * the book changes.
   */
  async home(accountId: number): Promise<string | null> {
    const version = this.version(accountId);
    const known = this.homes.get(accountId);
    if (known && known.version === version) return known.city;
    const counts = new Map<string, number>();
    const rows = await this.rows.recentData(accountId, HOME_SAMPLE);
    for (const row of rows) {
      const data = JSON.parse(row) as AddressData;
      const place = data.city ?? data.region;
      if (place) counts.set(place, (counts.get(place) ?? 0) + 1);
    }
    const [best] = [...counts].sort((a, b) => b[1] - a[1]);
    const city = best && best[1] >= HOME_MIN_ADDRESSES && best[1] >= HOME_MIN_SHARE * rows.length ? best[0] : null;
    this.homes.set(accountId, { version, city });
    return city;
  }

  /** Changes whenever the account's book changes: part of the suggestion cache key. */
  version(accountId: number): number {
    return this.versions.get(accountId) ?? 0;
  }

  /** After the account's rows were deleted (a disconnect): cached answers from them must not be served. */
  forgotten(accountId: number): void {
    this.bump(accountId);
    this.announce(accountId);
  }

  /** Drops Yandex-derived entries older than the provider allows. */
  purgeExpired(now: number): Promise<number> {
    return this.rows.deleteOlderThan('yandex', now - YANDEX_RETENTION_MS);
  }
}
