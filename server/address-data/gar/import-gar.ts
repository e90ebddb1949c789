/**
 * The registry (ГАР) into the address index, inside a build (address-data/index-build.ts): the
 * full archive region by region, or a delta applied by record ID. Each region is written in one
 * transaction; the index remembers each region's registry version, so an older or repeated delta
 * is refused and a gap is said. Nothing reaches the served index unless the whole import succeeds.
 */
import { RegistryRepository, type GarObjectRow, type NewGarHouse } from '../../store/registry-repository.js';
import { houseKey } from '../../geocoding/house-number.js';
import { shortType } from '../../geocoding/registry-format.js';
import { DataError, type IndexBuild } from '../index-build.js';
import { ZipArchive } from './zip-archive.js';
import { garContents, RECORD_TAGS, type GarContents, type GarRegion, type GarTable } from './gar-archive.js';
import { attr, readRecords } from './gar-records.js';
import { readRegion, type GarObject, type HouseColumns, type RegionRead } from './read-region.js';
import { registryPlaces } from './registry-places.js';
import { linkOsmTwins } from './link-osm.js';
import { PointFinder } from './registry-points.js';
import type { WebPolicy } from '../web-fetch.js';

export interface GarImportOptions {
  regions?: number[];
  /** Land plots (level 9) as addresses too ("уч 14"). */
  steads?: boolean;
  delta?: boolean;
  /** Refuse a delta dated more than this many days after the region's version (deltas come about twice a week). */
  maxGapDays?: number;
  allowEmpty?: boolean;
  /** A delta that carries no folder for a requested region changed nothing there: the region moves to the delta's version. */
  deltaMissingRegionsUnchanged?: boolean;
  /** The release the archive is (its date): a region the delta leaves out moves to it even when the delta holds no region at all. */
  release?: string;
  /** How the archive is read when it is an http(s) address. */
  web?: WebPolicy;
  onProgress?: (progress: GarProgress) => void;
}

export interface GarProgress {
  region: number;
  index: number;
  of: number;
  bytes: number;
  regionBytes: number;
  records: number;
}

export interface GarRegionResult {
  code: number;
  version: string;
  objects: number;
  houses: number;
  closed: number;
  /** Houses whose parent is not an address object of the registry (skipped). */
  orphans: number;
  /** Records without the attributes the XSD requires, or text that is no record (skipped). */
  malformed: number;
}

export interface GarImportResult {
  regions: GarRegionResult[];
  houses: number;
  records: number;
  bytes: number;
  /** Registry houses given the point of their OpenStreetMap twin, and how many had one to find. */
  twins: { matched: number; candidates: number };
  totals: ReturnType<RegistryRepository['counts']>;
}

/** A region whose places are fewer than this share of the index's is written in place rather than by renumbering the table. */
const IN_PLACE_SHARE = 0.05;
const SOURCE = (code: number) => `gar:${String(code).padStart(2, '0')}`;
export const REGION_VERSION_KEY = (code: number) => `gar:version:${String(code).padStart(2, '0')}`;

export async function importGar(build: IndexBuild, archivePath: string, options: GarImportOptions = {}): Promise<GarImportResult> {
  const archive = await ZipArchive.open(archivePath, { web: options.web });
  try {
    const contents = garContents(archive);
    const unchanged = options.delta && options.deltaMissingRegionsUnchanged ? (options.regions ?? []).filter((code) => !contents.regions.has(code)) : [];
    const regions = chosenRegions(archivePath, contents, options.regions?.filter((code) => !unchanged.includes(code)), options.delta);
    const registry = new RegistryRepository(build.db);
    await saveDictionaries(archive, contents, registry);
    const types = addrObjTypes(await readDictionary(archive, contents, 'AS_ADDR_OBJ_TYPES'));
    const points = new PointFinder(build.index.places);
    const results: GarRegionResult[] = [];
    let reorder = false;
    let bytes = 0;
    let records = 0;
    for (const [i, region] of regions.entries()) {
      let regionBytes = 0;
      const read = await readRegion(archive, region, {
        steads: options.steads ?? false,
        delta: options.delta,
        onBytes: (n) => {
          regionBytes += n;
          options.onProgress?.({ region: region.code, index: i + 1, of: regions.length, bytes: regionBytes, regionBytes: region.bytes, records });
        },
      });
      bytes += read.stats.bytes;
      records += read.stats.records;
      const stored = build.index.places.meta(REGION_VERSION_KEY(region.code));
      const result = options.delta ? applyDelta(registry, read, stored, options.maxGapDays ?? 7, types) : replaceRegion(registry, read, options.allowEmpty ?? false, types);
      registry.transaction(() => {
        const rows = [...registryPlaces(objectsFor(registry, region.code), registry.houseCounts(region.code), points, SOURCE(region.code))];
        // A delta, or a region small beside what the index holds, goes back in place (in importance order, FTS entries
        // added and removed): no country-wide rewrite. A big import writes whole regions and renumbers once at the end.
        if (options.delta || rows.length < build.index.places.count() * IN_PLACE_SHARE) build.index.places.replaceRowsInPlace(SOURCE(region.code), rows);
        else {
          build.index.places.replaceRows(SOURCE(region.code), rows);
          reorder = true;
        }
        build.index.places.setMeta(REGION_VERSION_KEY(region.code), region.version);
      });
      results.push({ ...result, malformed: read.stats.unreadable + read.stats.skipped });
    }
    const release = options.release ?? [...contents.regions.values()].reduce((v, r) => (r.version > v ? r.version : v), '');
    for (const code of unchanged) if (release && build.index.places.meta(REGION_VERSION_KEY(code))) build.index.places.setMeta(REGION_VERSION_KEY(code), release);
    const twins = linkOsmTwins(build.index.places, registry, regions.map((r) => r.code));
    if (reorder) build.index.places.reorderNow();
    return { regions: results, houses: results.reduce((n, r) => n + r.houses, 0), records, bytes, twins, totals: registry.counts() };
  } finally {
    archive.close();
  }
}

function chosenRegions(path: string, contents: GarContents, wanted?: number[], delta = false): GarRegion[] {
  const present = [...contents.regions.keys()].sort((a, b) => a - b);
  if (delta && wanted && !wanted.length) return [];
  if (!present.length) throw new DataError(`${path}: no region folder inside (only dictionaries); not a ГАР archive with address data`);
  if (!wanted?.length) return present.map((code) => contents.regions.get(code)!);
  const missing = wanted.filter((code) => !contents.regions.has(code));
  if (missing.length) throw new DataError(`${path}: region ${missing.join(', ')} is not in this archive (it holds ${present.map((c) => String(c).padStart(2, '0')).join(', ')})`);
  return wanted.map((code) => contents.regions.get(code)!);
}

async function readDictionary(archive: ZipArchive, contents: GarContents, table: GarTable): Promise<string[]> {
  const entry = contents.dictionaries[table];
  if (!entry) return [];
  const stats = { records: 0, bytes: 0, unreadable: 0 };
  const out: string[] = [];
  for await (const record of readRecords(await archive.open(entry.name), RECORD_TAGS[table], stats)) out.push(record);
  return out;
}

/** AS_HOUSE_TYPES and AS_ADDHOUSE_TYPES: a house's type is a number in its record. */
async function saveDictionaries(archive: ZipArchive, contents: GarContents, registry: RegistryRepository): Promise<void> {
  for (const [table, kind] of [['AS_HOUSE_TYPES', 'house'], ['AS_ADDHOUSE_TYPES', 'addhouse']] as const) {
    const rows = (await readDictionary(archive, contents, table)).map((r) => ({ id: Number(attr(r, 'ID')), short: shortType(attr(r, 'SHORTNAME') ?? ''), full: attr(r, 'NAME') ?? '' })).filter((t) => t.id > 0 && t.short);
    registry.transaction(() => registry.saveTypes(kind, rows));
  }
}

/** AS_ADDR_OBJ_TYPES: a short type name at a level → its full name ("ул" → "улица"). */
function addrObjTypes(records: string[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const r of records) {
    const short = attr(r, 'SHORTNAME');
    if (short) types.set(`${attr(r, 'LEVEL')}|${shortType(short)}`, attr(r, 'NAME') ?? short);
  }
  return types;
}

function objectRow(region: number, o: GarObject, types: Map<string, string>, existing?: GarObjectRow): GarObjectRow {
  const params = { ...(existing?.params ? (JSON.parse(existing.params) as GarObject['params']) : {}), ...o.params };
  const oldNames = new Set([...(existing?.old_names ? (JSON.parse(existing.old_names) as string[]) : []), ...o.oldNames]);
  if (existing && existing.name !== o.name) oldNames.add(existing.name);
  oldNames.delete(o.name);
  return {
    objectid: o.objectid,
    parent: o.parentStart ? o.parent : (existing?.parent ?? null),
    region,
    level: o.level,
    name: o.name,
    type_short: shortType(o.type),
    type_full: types.get(`${o.level}|${shortType(o.type)}`) ?? null,
    guid: o.guid,
    params: Object.keys(params).length ? JSON.stringify(params) : null,
    old_names: oldNames.size ? JSON.stringify([...oldNames]) : null,
    houses: 0,
  };
}

function replaceRegion(registry: RegistryRepository, read: RegionRead, allowEmpty: boolean, types: Map<string, string>): Omit<GarRegionResult, 'malformed'> {
  const before = registry.objectsOfRegion(read.code).length;
  if (read.objects.size === 0 && before > 0 && !allowEmpty) {
    throw new DataError(`region ${read.code}: no current address object in the archive, where the index holds ${before.toLocaleString('en')}; the served index is unchanged (a damaged archive? --allow-empty removes the region)`);
  }
  let orphans = 0;
  let houses = 0;
  registry.transaction(() => {
    registry.deleteRegion(read.code);
    for (const o of read.objects.values()) registry.upsertObject(objectRow(read.code, o, types));
    const order = [...read.houses.ids.keys()].sort((a, b) => read.houses.ids[a] - read.houses.ids[b]);
    for (const i of order) {
      const parent = read.houses.parent[i];
      if (!parent || !read.objects.has(parent)) {
        orphans++;
        continue;
      }
      const row = houseRow(read.houses, i, parent);
      // Most houses share their street's OKATO and OKTMO: stored only where they differ (answers fall back to the street's).
      const street = read.objects.get(parent)!.params;
      if (row.okato !== null && String(row.okato) === street.okato) row.okato = null;
      if (row.oktmo !== null && String(row.oktmo) === street.oktmo) row.oktmo = null;
      registry.insertHouse(row);
      houses++;
    }
  });
  return { code: read.code, version: read.version, objects: read.objects.size, houses, closed: 0, orphans };
}

function applyDelta(registry: RegistryRepository, read: RegionRead, stored: string | null, maxGapDays: number, types: Map<string, string>): Omit<GarRegionResult, 'malformed'> {
  if (!stored) throw new DataError(`region ${read.code}: a delta without its base — the region was never imported in full; import the full archive (gar_xml.zip) first`);
  if (read.version <= stored) throw new DataError(`region ${read.code}: this delta (${read.version}) is not newer than the index (${stored}); it was applied already or is older`);
  const gap = (Date.parse(iso(read.version)) - Date.parse(iso(stored))) / 86_400_000;
  if (gap > maxGapDays) {
    throw new DataError(`region ${read.code}: a gap — the index is at ${stored}, this delta is of ${read.version} (${Math.round(gap)} days later; deltas come about twice a week): apply the deltas between, or re-import the full archive`);
  }
  let houses = 0;
  let closed = 0;
  registry.transaction(() => {
    for (const o of read.objects.values()) registry.upsertObject(objectRow(read.code, o, types, registry.object(o.objectid)));
    for (let i = 0; i < read.houses.size; i++) {
      const id = read.houses.ids[i];
      const existing = registry.house(id);
      const parent = read.houses.parentStart[i] ? read.houses.parent[i] : existing?.parent;
      if (!parent) continue;
      const row = houseRow(read.houses, i, parent);
      registry.insertHouse({
        ...row,
        postal_code: row.postal_code ?? existing?.postal_code ?? null,
        okato: row.okato ?? existing?.okato ?? null,
        oktmo: row.oktmo ?? existing?.oktmo ?? null,
        kladr: row.kladr ?? existing?.kladr ?? null,
        lat: existing?.lat ?? null,
        lon: existing?.lon ?? null,
      });
      houses++;
    }
    for (const [id, parent] of read.otherParents) if (!registry.setObjectParent(id, parent)) registry.setHouseParent(id, parent);
    for (const [id, params] of read.otherParams) {
      const object = registry.object(id);
      if (object) registry.setObjectParams(id, JSON.stringify({ ...(object.params ? JSON.parse(object.params) : {}), ...params }));
      else registry.setHouseParams(id, houseParams(params));
    }
    for (const id of read.closed) if (registry.deleteObject(id) || registry.deleteHouse(id)) closed++;
  });
  return { code: read.code, version: read.version, objects: read.objects.size, houses, closed, orphans: 0 };
}

/** AS_ADDHOUSE_TYPES' ids as the house key spells them (house-number.ts: "7с1", "16к1"). */
const ADD_TYPE_WORD: Record<number, string> = { 1: 'к', 2: 'стр', 3: 'соор', 4: 'лит' };

function houseRow(houses: HouseColumns, i: number, parent: number): NewGarHouse {
  const add = (num: string | null, type: number | null, fallback: string) => (num ? ` ${(type !== null && ADD_TYPE_WORD[type]) || fallback} ${num}` : '');
  const typed = `${houses.num[i]}${add(houses.add1[i], houses.addType1[i], 'к')}${add(houses.add2[i], houses.addType2[i], 'стр')}`.trim();
  return {
    objectid: houses.ids[i],
    parent,
    key: houseKey(typed) ?? typed.toLowerCase(),
    num: houses.num[i] || null,
    type: houses.type[i],
    add1: houses.add1[i],
    add_type1: houses.addType1[i],
    add2: houses.add2[i],
    add_type2: houses.addType2[i],
    postal_code: houses.postcode[i] || null,
    guid: houses.guid(i),
    okato: houses.okato[i] || null,
    oktmo: houses.oktmo[i] || null,
    kladr: houses.kladr[i],
  };
}

function houseParams(params: GarObject['params']): Parameters<RegistryRepository['setHouseParams']>[1] {
  const out: Parameters<RegistryRepository['setHouseParams']>[1] = {};
  if (params.postcode !== undefined) out.postal_code = /^\d{6}$/.test(params.postcode) ? Number(params.postcode) : null;
  if (params.okato !== undefined) out.okato = Number(params.okato) || null;
  if (params.oktmo !== undefined) out.oktmo = Number(params.oktmo) || null;
  if (params.kladr !== undefined) out.kladr = params.kladr || null;
  return out;
}

/** The region's objects with the parents they hang under in other regions (the whole path is needed). */
function objectsFor(registry: RegistryRepository, code: number): Map<number, GarObjectRow> {
  const objects = new Map(registry.objectsOfRegion(code).map((o) => [o.objectid, o]));
  let missing = [...new Set([...objects.values()].map((o) => o.parent).filter((p): p is number => p !== null && !objects.has(p)))];
  for (let guard = 0; missing.length && guard < 8; guard++) {
    const found = registry.objectsByIds(missing);
    for (const o of found) objects.set(o.objectid, o);
    missing = [...new Set(found.map((o) => o.parent).filter((p): p is number => p !== null && !objects.has(p)))];
  }
  return objects;
}

const iso = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
