/**
 * Each account's delivery zones: replaced from an uploaded file, edited in the console, and
 * asked on every suggestion (which zone holds this point, how far is the nearest warehouse).
 * The compiled copy of an account's zones lives in memory per stored version; other instances
 * hear of a change through the change feed and compile again on their next lookup.
 */
import type { Clock } from '../clock.js';
import type { ChangeFeed } from '../store/change-feed.js';
import type { DeliveryZonesRepository, StoredZone, Warehouse, ZoneSet, ZoneSource } from '../store/delivery-zones-repository.js';
import { AppError } from '../errors.js';
import { ZoneIndex } from './zone-index.js';
import { readZoneFile, ZoneFileError } from './zone-file.js';
import { editZones, listingOf, prepareZones, type PreparedZoneFile, type ZoneListing } from './stored-zones.js';
import { ZoneReaderBusy, type ZoneReader } from './zone-reader.js';
import type { ZoneWarning } from '../../contract/api.js';
import type { Polygon } from './geometry.js';
import type { CustomField, FieldValue } from '../amo/crm.js';
import type { DeliveryZone } from '../../contract/api.js';
import { zoneFieldValues, type ZonePart } from './zone-fields.js';
import { answerOf, type ZoneLookup } from './zone-answer.js';
import { rateOf } from './delivery-rate.js';
import type { DistancePricing } from '../../contract/delivery.js';

export type { DeliveryZoneAnswer, ZoneLookup } from './zone-answer.js';

/** A zone set as the console lists it: the zones without their full outlines. */
export type ZoneSetListing = Omit<ZoneSet, 'zones'> & { zones: ZoneListing[] };

interface CompiledSet {
  index: ZoneIndex;
  listing: ZoneListing[];
  /** null: the account has no row (no zones, warehouses or prices ever). */
  head: Omit<ZoneSet, 'zones'> | null;
}

export interface PointData {
  lat?: number | string | null;
  lon?: number | string | null;
  house?: string | null;
  qc_geo?: string | null;
}

export const MAX_WAREHOUSES = 20;

/** What the admin edits of a zone: all of what answers carry, not its outline. */
export type ZoneEdit = Omit<DeliveryZone, 'approximate'>;

export class DeliveryZones {
  /** Per account: its zones compiled for lookups, and listed for the console, for one stored version. */
  private readonly compiled = new Map<number, Promise<CompiledSet>>();
  /** Accounts whose file is being read now: one at a time each. */
  private readonly reading = new Set<number>();

  constructor(
    private readonly deps: {
      repo: DeliveryZonesRepository;
      changes: ChangeFeed;
      clock: Clock;
      /** Reads zone files off the request thread; without it (some tests) they are read in place. */
      reader?: ZoneReader;
      /** Compiles stored zones for lookups off the request thread: a reader of its own, so an upload never holds a lookup up. */
      compiler?: ZoneReader;
    },
  ) {
    deps.changes.subscribe((accountId) => this.compiled.delete(accountId));
  }

  /** The account's compiled zones (empty when it has none). */
  async index(accountId: number): Promise<ZoneIndex> {
    return (await this.compiledSet(accountId)).index;
  }

  /** The account's set as the console lists it (no full outlines), from the same compile. */
  async listing(accountId: number): Promise<ZoneSetListing | null> {
    const set = await this.compiledSet(accountId);
    return set.head && { ...set.head, zones: set.listing };
  }

  private compiledSet(accountId: number): Promise<CompiledSet> {
    const cached = this.compiled.get(accountId);
    if (cached) return cached;
    // One compile per account at a time: the requests that arrive meanwhile wait for the same one.
    const entry = this.compile(accountId);
    this.compiled.set(accountId, entry);
    entry.catch(() => {
      if (this.compiled.get(accountId) === entry) this.compiled.delete(accountId); // a failed read is tried again next time
    });
    return entry;
  }

  /**
   * The account's zones compiled, and listed: the parse and the bands in the compile worker when
   * there is one (megabytes of coordinates never parsed on this thread), else here, a few zones at a time.
   */
  private async compile(accountId: number): Promise<CompiledSet> {
    const compiler = this.deps.compiler;
    if (compiler) {
      const set = await this.deps.repo.getPacked(accountId);
      if (!set) return { index: new ZoneIndex([], []), listing: [], head: null };
      const compiled = await compiler.compile(set.zones).catch(() => null); // busy or failed: compiled here instead
      if (compiled) {
        const { zones: _, ...head } = set;
        return { index: ZoneIndex.fromParts(compiled.parts, set.warehouses, set.pricing), listing: compiled.listing, head };
      }
    }
    const set = await this.deps.repo.get(accountId);
    if (!set) return { index: new ZoneIndex([], []), listing: [], head: null };
    const { zones, ...head } = set;
    return { index: await ZoneIndex.build(zones, set.warehouses, set.pricing), listing: zones.map(listingOf), head };
  }

  /** Zone, distance and rate for a point; `approximate` when the point is not the house's own. */
  lookup(index: ZoneIndex, lon: number, lat: number, approximate: boolean): ZoneLookup {
    const zone = index.hasZones ? index.locate(lon, lat) : null;
    const answer = zone ? { ...answerOf(zone), ...(approximate ? { approximate: true as const } : {}) } : null;
    const km = index.distanceKm(lon, lat);
    return { delivery_zone: answer, delivery_distance_km: km, delivery_rate: rateOf(answer, km, index.pricing) };
  }

  /**
   * The zone and distance for an address's parts, or null when the account has neither zones nor
   * warehouses, or the address has no point.
   */
  async locate(accountId: number, data: PointData | null | undefined): Promise<(ZoneLookup & { hasZones: boolean; prices: boolean }) | null> {
    const point = pointOf(data);
    if (!point) return null;
    const index = await this.index(accountId);
    if (!index.hasZones && !index.warehouses.length) return null;
    return { ...this.lookup(index, point.lon, point.lat, point.approximate), hasZones: index.hasZones, prices: index.prices };
  }

  /**
   * The lead field values and tag change for an address: the mapped zone fields, and the
   * "outside" tag added (outside every zone, or in a "no delivery" one) or taken off.
   */
  async forLead(accountId: number, zoneFields: Partial<Record<ZonePart, CustomField>>, data: PointData | null | undefined, budget: number | null = null): Promise<{ fields: FieldValue[]; tag: 'add' | 'remove' | null }> {
    const found = await this.locate(accountId, data);
    if (!found) return { fields: [], tag: null };
    // Outside: not delivered to (outside every zone with no price by distance, a "no delivery" zone, too far).
    const outside = found.prices ? found.delivery_rate === null : found.delivery_zone === null || found.delivery_zone.no_delivery;
    return { fields: zoneFieldValues(zoneFields, found, budget), tag: found.hasZones || found.prices ? (outside ? 'add' : 'remove') : null };
  }

  /**
   * Suggestions with `data.delivery_zone` and `data.delivery_distance_km` added (copies: the
   * answer cache holds the originals). Unchanged when the account has no zones and no warehouses.
   */
  async annotate<T extends { data: object }>(accountId: number, suggestions: T[]): Promise<T[]> {
    const index = await this.index(accountId);
    if (!index.hasZones && !index.warehouses.length) return suggestions;
    return suggestions.map((s) => {
      const point = pointOf(s.data as PointData);
      if (!point) return s;
      const found = this.lookup(index, point.lon, point.lat, point.approximate);
      return {
        ...s,
        data: { ...s.data, ...(index.hasZones ? { delivery_zone: found.delivery_zone } : {}), delivery_distance_km: found.delivery_distance_km, ...(index.prices ? { delivery_rate: found.delivery_rate } : {}) },
      };
    });
  }

  async get(accountId: number): Promise<ZoneSet | null> {
    return this.deps.repo.get(accountId);
  }

  /**
   * Reads a file and, only if all of it is good, swaps every zone for its zones at once. The file
   * is read, and its zones made into the store's JSON, in the reader's worker thread; this thread
   * only writes that text (and never parses the zones it replaces). With `handOver` the caller
   * gives the body away (it moves to the worker without a copy).
   */
  async replace(accountId: number, body: Buffer, options: { allowSelfCrossing: boolean; handOver?: boolean }): Promise<{ set: ZoneSetListing; warnings: ZoneWarning[]; skipped: number }> {
    if (this.reading.has(accountId)) throw new AppError('rate_limited', 'A zone file of this account is being read now; upload again when it is done.', { retryAfterSeconds: 5 });
    this.reading.add(accountId);
    let prepared: PreparedZoneFile;
    const bytes = body.length; // before a body handed over moves to the reader's worker
    let head = await this.deps.repo.head(accountId);
    try {
      const readOptions = { allowSelfCrossing: options.allowSelfCrossing, area: { warehouses: (head?.warehouses ?? []).map((w) => [w.lon, w.lat] as [number, number]) } };
      // New ids for every upload (the console's edits of the old zones cannot land on the new).
      const firstId = ((head?.version ?? 0) + 1) * 1000 + 1;
      prepared = await (this.deps.reader ? this.deps.reader.prepare(body, readOptions, firstId, options.handOver) : readZoneFile(body, readOptions).then((read) => prepareZones(read, firstId)));
    } catch (error) {
      if (error instanceof ZoneFileError) throw new AppError('invalid_zone_file', error.message, { reason: error.reason, details: error.details.slice(0, 20) });
      if (error instanceof ZoneReaderBusy) throw new AppError('rate_limited', 'The server is reading other accounts’ zone files now; upload again in a minute. The zones in use are unchanged.', { retryAfterSeconds: 30 });
      throw error;
    } finally {
      this.reading.delete(accountId);
    }
    const source: ZoneSource = { format: prepared.format, uploadedAt: this.deps.clock.now(), bytes };
    for (let attempt = 0; attempt < 5; attempt++, head = await this.deps.repo.head(accountId)) {
      const now = this.deps.clock.now();
      const rest = { warehouses: head?.warehouses ?? [], source, pricing: head?.pricing ?? null };
      const version = await this.deps.repo.save(accountId, { ...rest, zones: prepared.json }, head?.version ?? 0, now);
      if (version === null) continue;
      await this.changed(accountId);
      return { set: { ...rest, zones: prepared.listing, version, updatedAt: now }, warnings: prepared.warnings, skipped: prepared.skipped };
    }
    throw new AppError('rate_limited', 'The zones were being changed from elsewhere at the same time; try again.', { retryAfterSeconds: 1 });
  }

  /**
   * Names, prices, colours and the order, as the admin edited them; every zone must be listed
   * once. The ids are checked against the listing; the zones (megabytes of outlines) are changed
   * in the reader's worker when there is one.
   */
  async edit(accountId: number, edits: ZoneEdit[]): Promise<void> {
    const ids = ((await this.listing(accountId))?.zones ?? []).map((z) => z.id);
    const given = new Set(edits.map((e) => e.id));
    if (given.size !== edits.length || edits.length !== ids.length || edits.some((e) => !ids.includes(e.id))) {
      throw new AppError('invalid_body', `List every zone once, by its id (${ids.join(', ') || 'there are none'}), in the order they should be tried; nothing was changed.`, { field: 'zones' });
    }
    await this.writeKeeping(accountId, async (packed) => {
      const zones = this.deps.reader ? await this.deps.reader.edit(packed, edits) : editZones(packed, edits);
      if (zones === null) throw new AppError('rate_limited', 'The zones were replaced meanwhile; look at them again and repeat the edit.', { retryAfterSeconds: 1 });
      return { zones };
    });
  }

  async setWarehouses(accountId: number, warehouses: Array<Omit<Warehouse, 'id'>>): Promise<void> {
    if (warehouses.length > MAX_WAREHOUSES) throw new AppError('invalid_body', `At most ${MAX_WAREHOUSES} warehouses; nothing was changed.`, { field: 'warehouses' });
    await this.writeKeeping(accountId, () => ({ warehouses: warehouses.map((w, i) => ({ id: i + 1, ...w })) }));
  }

  /** The price by distance (null: none). Bands are kept in order of distance. */
  async setPricing(accountId: number, pricing: DistancePricing | null): Promise<void> {
    const sorted = pricing ? { ...pricing, bands: [...pricing.bands].sort((a, b) => a.up_to_km - b.up_to_km) } : null;
    await this.writeKeeping(accountId, () => ({ pricing: sorted }));
  }

  /** Removes every zone (the warehouses and the price by distance stay). */
  async clear(accountId: number): Promise<void> {
    await this.writeKeeping(accountId, () => ({ zones: '[]', source: null }));
  }

  /**
   * Read the set with its zones as stored text (never parsed here), change what `change` returns,
   * write if nobody wrote meanwhile (else again), then tell the other instances.
   */
  private async writeKeeping(accountId: number, change: (zones: string) => Promise<Partial<Omit<ZoneSet, 'zones' | 'version' | 'updatedAt'> & { zones: string }>> | Partial<Omit<ZoneSet, 'zones' | 'version' | 'updatedAt'> & { zones: string }>): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const prev = await this.deps.repo.getPacked(accountId);
      const base = { zones: prev?.zones ?? '[]', warehouses: prev?.warehouses ?? [], source: prev?.source ?? null, pricing: prev?.pricing ?? null };
      const next = { ...base, ...(await change(base.zones)) };
      const version = await this.deps.repo.save(accountId, next, prev?.version ?? 0, this.deps.clock.now());
      if (version !== null) return void (await this.changed(accountId));
    }
    throw new AppError('rate_limited', 'The zones were being changed from elsewhere at the same time; try again.', { retryAfterSeconds: 1 });
  }

  /** This instance compiles again on its next lookup; the others hear it through the change feed. */
  private async changed(accountId: number): Promise<void> {
    this.compiled.delete(accountId);
    await this.deps.changes.publish(accountId).catch(() => {});
  }


}


/** The point of an address and whether it is the house's own (DaData's qc_geo 0) or an approximation. */
export function pointOf(data: PointData | null | undefined): { lon: number; lat: number; approximate: boolean } | null {
  if (!data) return null;
  const lon = Number(data.lon);
  const lat = Number(data.lat);
  if (data.lon === null || data.lat === null || data.lon === undefined || data.lat === undefined || !Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  const approximate = !data.house || (data.qc_geo !== undefined && data.qc_geo !== null && data.qc_geo !== '0');
  return { lon, lat, approximate };
}
