/**
 * The registry (ГАР) inside the address index file (store/index-database.ts): its address objects
 * as read, its houses, its type dictionaries. Rows of `places` derived from the objects are
 * written through PlacesRepository; this holds what they are derived from.
 */
import type { Db } from './database.js';
import type { GarHouseRow, GarObjectRow } from './index-rows.js';

export type { GarObjectRow };


export type NewGarHouse = Omit<GarHouseRow, 'lat' | 'lon'> & { lat?: number | null; lon?: number | null };

const HOUSE_COLUMNS = 'objectid, parent, key, num, type, add1, add_type1, add2, add_type2, postal_code, guid, okato, oktmo, kladr, lat, lon';

export class RegistryRepository {
  private readonly insertHouseStmt;
  private readonly upsertObjectStmt;

  constructor(private readonly db: Db) {
    this.insertHouseStmt = db.prepare(`INSERT OR REPLACE INTO gar_houses (${HOUSE_COLUMNS}) VALUES (${HOUSE_COLUMNS.split(', ').map((c) => `@${c}`).join(', ')})`);
    this.upsertObjectStmt = db.prepare(
      'INSERT OR REPLACE INTO gar_objects (objectid, parent, region, level, name, type_short, type_full, guid, params, old_names, houses) VALUES (@objectid, @parent, @region, @level, @name, @type_short, @type_full, @guid, @params, @old_names, @houses)',
    );
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  saveTypes(kind: string, types: Array<{ id: number; short: string; full: string }>): void {
    const save = this.db.prepare('INSERT OR REPLACE INTO gar_types (kind, id, short, full) VALUES (?, ?, ?, ?)');
    for (const t of types) save.run(kind, t.id, t.short, t.full);
  }

  /** Drops a region: its objects, the houses under them and their places (a full re-import replaces it). */
  deleteRegion(region: number): void {
    this.db.prepare('DELETE FROM gar_houses WHERE parent IN (SELECT objectid FROM gar_objects WHERE region = ?)').run(region);
    this.db.prepare('DELETE FROM gar_objects WHERE region = ?').run(region);
  }

  upsertObject(row: GarObjectRow): void {
    this.upsertObjectStmt.run(row);
  }

  deleteObject(objectid: number): boolean {
    return this.db.prepare('DELETE FROM gar_objects WHERE objectid = ?').run(objectid).changes > 0;
  }

  object(objectid: number): GarObjectRow | undefined {
    return this.db.prepare('SELECT * FROM gar_objects WHERE objectid = ?').get(objectid) as GarObjectRow | undefined;
  }

  objectsOfRegion(region: number): GarObjectRow[] {
    return this.db.prepare('SELECT * FROM gar_objects WHERE region = ?').all(region) as GarObjectRow[];
  }

  /** Objects of other regions a region's objects hang under (rare: a settlement moved across a border). */
  objectsByIds(ids: number[]): GarObjectRow[] {
    if (!ids.length) return [];
    return this.db.prepare(`SELECT * FROM gar_objects WHERE objectid IN (${ids.map(() => '?').join(',')})`).all(...ids) as GarObjectRow[];
  }

  setObjectParent(objectid: number, parent: number): boolean {
    return this.db.prepare('UPDATE gar_objects SET parent = ? WHERE objectid = ?').run(parent, objectid).changes > 0;
  }

  setObjectParams(objectid: number, params: string): boolean {
    return this.db.prepare('UPDATE gar_objects SET params = ? WHERE objectid = ?').run(params, objectid).changes > 0;
  }

  /** Houses directly under each of the region's objects. */
  houseCounts(region: number): Map<number, number> {
    const rows = this.db.prepare('SELECT h.parent AS parent, COUNT(*) AS n FROM gar_objects o JOIN gar_houses h ON h.parent = o.objectid WHERE o.region = ? GROUP BY h.parent').all(region) as Array<{ parent: number; n: number }>;
    return new Map(rows.map((r) => [r.parent, r.n]));
  }

  insertHouse(row: NewGarHouse): void {
    this.insertHouseStmt.run({ lat: null, lon: null, ...row });
  }

  house(objectid: number): GarHouseRow | undefined {
    return this.db.prepare('SELECT * FROM gar_houses WHERE objectid = ?').get(objectid) as GarHouseRow | undefined;
  }

  deleteHouse(objectid: number): boolean {
    return this.db.prepare('DELETE FROM gar_houses WHERE objectid = ?').run(objectid).changes > 0;
  }

  setHouseParent(objectid: number, parent: number): boolean {
    return this.db.prepare('UPDATE gar_houses SET parent = ? WHERE objectid = ?').run(parent, objectid).changes > 0;
  }

  setHouseParams(objectid: number, params: { postal_code?: number | null; okato?: number | null; oktmo?: number | null; kladr?: string | null }): boolean {
    const sets = Object.keys(params).map((k) => `${k} = @${k}`);
    if (!sets.length) return false;
    return this.db.prepare(`UPDATE gar_houses SET ${sets.join(', ')} WHERE objectid = @objectid`).run({ ...params, objectid }).changes > 0;
  }

  /** Every house (or those of `regions`) with the names it is matched by, for giving houses the points of their OpenStreetMap twins. */
  housesForMatching(regions?: number[]): Iterable<{ objectid: number; parent: number; key: string }> {
    if (!regions) return this.db.prepare('SELECT objectid, parent, key FROM gar_houses').iterate() as Iterable<{ objectid: number; parent: number; key: string }>;
    // Through the region's objects and gar_houses_parent: a region's houses, not a scan of the country's.
    const list = regions.map(Number).filter(Number.isInteger).join(',') || 'NULL';
    return this.db.prepare(`SELECT h.objectid, h.parent, h.key FROM gar_objects o JOIN gar_houses h ON h.parent = o.objectid WHERE o.region IN (${list})`).iterate() as Iterable<{ objectid: number; parent: number; key: string }>;
  }

  setHousePoint(objectid: number, lat: number | null, lon: number | null): void {
    this.db.prepare('UPDATE gar_houses SET lat = ?, lon = ? WHERE objectid = ?').run(lat, lon, objectid);
  }

  hasHouses(): boolean {
    return this.db.prepare('SELECT 1 FROM gar_houses LIMIT 1').get() !== undefined;
  }

  counts(): { objects: number; houses: number; withPostcode: number; withPoint: number } {
    return this.db
      .prepare('SELECT (SELECT COUNT(*) FROM gar_objects) AS objects, COUNT(*) AS houses, COUNT(postal_code) AS withPostcode, COUNT(lat) AS withPoint FROM gar_houses')
      .get() as { objects: number; houses: number; withPostcode: number; withPoint: number };
  }
}
