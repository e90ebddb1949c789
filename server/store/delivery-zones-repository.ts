/**
 * Each account's delivery zones and warehouses: one row, written whole, so a new file replaces
 * every zone at once and a reader sees the old set or the new one, never a mix. `version` grows
 * with every write; instances compare it to know their compiled copy is stale.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Sql } from './sql.js';
import type { DeliveryZone } from '../../contract/api.js';
import type { DistancePricing } from '../../contract/delivery.js';

/** An outer ring and its holes, each a closed list of [longitude, latitude]. */
export type ZonePolygon = Array<Array<[number, number]>>;

/** A zone as answers carry it (contract/api.ts), with the file's text and its outline. */
export interface StoredZone extends Omit<DeliveryZone, 'approximate'> {
  /** The file's own text for the zone. */
  note: string | null;
  polygons: ZonePolygon[];
}

export interface Warehouse {
  id: number;
  address: string;
  lon: number;
  lat: number;
}

export interface ZoneSource {
  format: 'geojson' | 'kml' | 'kmz' | 'demo';
  uploadedAt: number;
  bytes: number;
}

export interface ZoneSet {
  zones: StoredZone[];
  warehouses: Warehouse[];
  source: ZoneSource | null;
  /** The price by distance from the nearest warehouse (beyond the zones or instead of them). */
  pricing: DistancePricing | null;
  version: number;
  updatedAt: number;
}

export class DeliveryZonesRepository {
  constructor(private readonly sql: Sql) {}

  async get(accountId: number): Promise<ZoneSet | null> {
    const row = await this.sql.get<{ zones: string; warehouses: string; source: string | null; pricing: string | null; version: number; updated_at: number }>(
      'SELECT zones, warehouses, source, pricing, version, updated_at FROM delivery_zones WHERE account_id = ?',
      [accountId],
    );
    if (!row) return null;
    // Zones saved before the minimum order existed read as having none.
    const zones = (JSON.parse(unpackZones(row.zones)) as StoredZone[]).map((z) => ({ ...z, min_order: z.min_order ?? null }));
    return { zones, warehouses: JSON.parse(row.warehouses), source: row.source ? JSON.parse(row.source) : null, pricing: row.pricing ? JSON.parse(row.pricing) : null, version: Number(row.version), updatedAt: Number(row.updated_at) };
  }

  /** The set with its zones as the store's text, unparsed: for a compile in the zone reader's worker. */
  async getPacked(accountId: number): Promise<(Omit<ZoneSet, 'zones'> & { zones: string }) | null> {
    const row = await this.sql.get<{ zones: string; warehouses: string; source: string | null; pricing: string | null; version: number; updated_at: number }>(
      'SELECT zones, warehouses, source, pricing, version, updated_at FROM delivery_zones WHERE account_id = ?',
      [accountId],
    );
    if (!row) return null;
    return { zones: row.zones, warehouses: JSON.parse(row.warehouses), source: row.source ? JSON.parse(row.source) : null, pricing: row.pricing ? JSON.parse(row.pricing) : null, version: Number(row.version), updatedAt: Number(row.updated_at) };
  }

  /** Everything but the zones (their JSON is megabytes): what a replacement of the zones keeps. */
  async head(accountId: number): Promise<Omit<ZoneSet, 'zones'> | null> {
    const row = await this.sql.get<{ warehouses: string; source: string | null; pricing: string | null; version: number; updated_at: number }>(
      'SELECT warehouses, source, pricing, version, updated_at FROM delivery_zones WHERE account_id = ?',
      [accountId],
    );
    if (!row) return null;
    return { warehouses: JSON.parse(row.warehouses), source: row.source ? JSON.parse(row.source) : null, pricing: row.pricing ? JSON.parse(row.pricing) : null, version: Number(row.version), updatedAt: Number(row.updated_at) };
  }

  /** The stored version, or 0: a cheap check that a compiled copy is current. */
  async version(accountId: number): Promise<number> {
    const row = await this.sql.get<{ version: number }>('SELECT version FROM delivery_zones WHERE account_id = ?', [accountId]);
    return row ? Number(row.version) : 0;
  }

  /**
   * Writes the whole set if the stored version is still `expected` (0: no row yet); returns the
   * new version, or null when another write came first (the caller reads again and retries).
   */
  async save(accountId: number, set: Omit<ZoneSet, 'version' | 'updatedAt' | 'zones'> & { zones: StoredZone[] | string }, expected: number, now: number): Promise<number | null> {
    // Zones may come as the store's text already (made where the file was read: packZones below).
    const values = [typeof set.zones === 'string' ? set.zones : JSON.stringify(set.zones), JSON.stringify(set.warehouses), set.source ? JSON.stringify(set.source) : null, set.pricing ? JSON.stringify(set.pricing) : null];
    if (expected === 0) {
      const inserted = await this.sql.run(
        'INSERT INTO delivery_zones (account_id, zones, warehouses, source, pricing, version, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (account_id) DO NOTHING',
        [accountId, ...values, now],
      );
      return inserted ? 1 : null;
    }
    const updated = await this.sql.run('UPDATE delivery_zones SET zones = ?, warehouses = ?, source = ?, pricing = ?, version = version + 1, updated_at = ? WHERE account_id = ? AND version = ?', [
      ...values,
      now,
      accountId,
      expected,
    ]);
    return updated ? expected + 1 : null;
  }
}

/**
 * The zones column holds their JSON, or — for a file's zones, made in the reader's worker — that
 * JSON gzipped and base64-encoded behind "gz1:": a quarter of the bytes, so writing an upload's
 * megabytes of coordinates (and the WAL checkpoint after it) stays short on the thread that
 * answers. Both read back the same; a plain JSON column from older releases reads as it is.
 */
export const packZones = (json: string) => `gz1:${gzipSync(json, { level: 1 }).toString('base64')}`;
export const unpackZones = (text: string) => (text.startsWith('gz1:') ? gunzipSync(Buffer.from(text.slice(4), 'base64')).toString('utf8') : text);
