/**
 * One region of the registry, read out of the archive into memory in the shape the index needs:
 * its current address objects (with their old names and params), its current houses in columns
 * (typed arrays and plain strings: about 100 bytes a house while it is held) and the
 * administrative parent of each. Tables are read in the order the join needs (random access into
 * the zip), so nothing is held twice.
 *
 * "Current" (SOURCES.md): a record with ISACTUAL=1 and ISACTIVE=1; a param or hierarchy row whose
 * ENDDATE is after the release date (the latest STARTDATE wins).
 */
import { DataError } from '../index-build.js';
import type { ZipArchive } from './zip-archive.js';
import { RECORD_TAGS, type GarRegion, type GarTable } from './gar-archive.js';
import { attr, detach, readRecords, type RecordStats } from './gar-records.js';

/** AS_PARAM_TYPES: the params an address answer carries. */
export const PARAM = { postcode: 5, okato: 6, oktmo: 7, kladr: 10 } as const;

export interface GarObject {
  objectid: number;
  guid: string;
  name: string;
  type: string;
  level: number;
  parent: number | null;
  parentStart: number;
  params: { postcode?: string; okato?: string; oktmo?: string; kladr?: string };
  paramStart: Partial<Record<keyof GarObject['params'], number>>;
  oldNames: Set<string>;
}

const GUID_BLOCK = 65_536;

/** Houses (and land plots, with `type` 0) of a region, one index per house. */
export class HouseColumns {
  readonly ids: number[] = [];
  readonly num: string[] = [];
  readonly type: number[] = [];
  readonly add1: Array<string | null> = [];
  readonly addType1: Array<number | null> = [];
  readonly add2: Array<string | null> = [];
  readonly addType2: Array<number | null> = [];
  /** FIAS ids as 16 bytes each, in blocks (a string each would cost ~60 bytes, and worse: see detach). */
  private readonly guidBlocks: Uint8Array[] = [];
  parent = new Float64Array(0);
  parentStart = new Int32Array(0);
  postcode = new Int32Array(0);
  okato = new Float64Array(0);
  oktmo = new Float64Array(0);
  kladr: Array<string | null> = [];
  paramStart = new Int32Array(0);
  readonly at = new Map<number, number>();

  push(id: number, h: { num: string; type: number; add1: string | null; addType1: number | null; add2: string | null; addType2: number | null; guid: string }): void {
    const existing = this.at.get(id);
    const i = existing ?? this.ids.length;
    if (existing === undefined) this.at.set(id, i);
    this.ids[i] = id;
    this.num[i] = h.num;
    this.type[i] = h.type;
    this.add1[i] = h.add1;
    this.addType1[i] = h.addType1;
    this.add2[i] = h.add2;
    this.addType2[i] = h.addType2;
    const block = Math.floor(i / GUID_BLOCK);
    while (this.guidBlocks.length <= block) this.guidBlocks.push(new Uint8Array(GUID_BLOCK * 16));
    const hex = h.guid.replace(/-/g, '');
    const at = (i % GUID_BLOCK) * 16;
    for (let b = 0; b < 16; b++) this.guidBlocks[block][at + b] = parseInt(hex.slice(b * 2, b * 2 + 2), 16) || 0;
  }

  /** The house's FIAS id as the 16 bytes the index stores. */
  guid(i: number): Buffer {
    const at = (i % GUID_BLOCK) * 16;
    return Buffer.from(this.guidBlocks[Math.floor(i / GUID_BLOCK)].subarray(at, at + 16));
  }

  /** After the houses are read: room for what the params and the hierarchy add. */
  seal(): void {
    const n = this.ids.length;
    this.parent = new Float64Array(n);
    this.parentStart = new Int32Array(n);
    this.postcode = new Int32Array(n);
    this.okato = new Float64Array(n);
    this.oktmo = new Float64Array(n);
    this.kladr = new Array<string | null>(n).fill(null);
    this.paramStart = new Int32Array(n * 4);
  }

  get size(): number {
    return this.ids.length;
  }
}

export interface RegionRead {
  code: number;
  version: string;
  objects: Map<number, GarObject>;
  houses: HouseColumns;
  /** Objects and houses whose current record closes them (ISACTUAL=1, ISACTIVE=0): a delta removes them. */
  closed: Set<number>;
  /** Hierarchy and params of objects and houses this read does not hold (a delta changes them alone). */
  otherParents: Map<number, number>;
  otherParams: Map<number, GarObject['params']>;
  stats: { records: number; bytes: number; unreadable: number; skipped: number };
}

export interface ReadOptions {
  steads: boolean;
  /** A delta: changes to parents and params of records it does not carry are kept too. */
  delta?: boolean;
  /** Inflated bytes read so far (for the progress line). */
  onBytes?: (bytes: number) => void;
}

const date = (text: string | null) => (text ? Number(text.replace(/-/g, '')) || 0 : 0);
const current = (r: string) => attr(r, 'ISACTUAL') === '1' && attr(r, 'ISACTIVE') === '1';

export async function readRegion(archive: ZipArchive, region: GarRegion, options: ReadOptions): Promise<RegionRead> {
  const asOf = Number(region.version);
  const stats: RecordStats & { skipped: number } = { records: 0, bytes: 0, unreadable: 0, skipped: 0 };
  const objects = new Map<number, GarObject>();
  const names = new Map<number, Set<string>>();
  const houses = new HouseColumns();
  const closed = new Set<number>();
  const otherParents = new Map<number, number>();
  const otherParams = new Map<number, GarObject['params']>();
  const closes = (r: string, objectid: number) => {
    if (attr(r, 'ISACTUAL') === '1' && attr(r, 'ISACTIVE') !== '1') closed.add(objectid);
  };

  const each = async (table: GarTable, visit: (record: string) => void) => {
    const entry = region.tables[table];
    if (!entry) return;
    const stream = await archive.open(entry.name);
    try {
      for await (const record of readRecords(stream, RECORD_TAGS[table], stats, options.onBytes)) visit(record);
    } catch (error) {
      stream.destroy();
      if (error instanceof DataError) throw new DataError(`${archive.path}: ${entry.name}: ${error.message}`);
      throw new DataError(`${archive.path}: ${entry.name} cannot be read (${(error as Error).message}); the archive is damaged or cut short: download it again`);
    }
  };
  /** A param of something this read does not hold: kept for a delta (the latest start wins). */
  const otherStarts = new Map<string, number>();
  const other = (r: string, key: keyof GarObject['params']) => {
    const objectid = id(r);
    if (objectid === null || !options.delta) return;
    const start = date(attr(r, 'STARTDATE'));
    if ((otherStarts.get(`${objectid}:${key}`) ?? -1) > start) return;
    otherStarts.set(`${objectid}:${key}`, start);
    let params = otherParams.get(objectid);
    if (!params) otherParams.set(objectid, (params = {}));
    params[key] = detach(attr(r, 'VALUE')) ?? undefined;
  };
  const id = (r: string) => {
    const n = Number(attr(r, 'OBJECTID'));
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  };

  await each('AS_ADDR_OBJ', (r) => {
    const objectid = id(r);
    const name = attr(r, 'NAME');
    const level = Number(attr(r, 'LEVEL'));
    if (objectid === null || !name || !level) return void stats.skipped++;
    let all = names.get(objectid);
    if (!all) names.set(objectid, (all = new Set()));
    all.add(detach(name));
    closes(r, objectid);
    if (!current(r)) return;
    objects.set(objectid, { objectid, guid: detach(attr(r, 'OBJECTGUID') ?? ''), name: detach(name), type: detach(attr(r, 'TYPENAME') ?? ''), level, parent: null, parentStart: 0, params: {}, paramStart: {}, oldNames: new Set() });
  });
  // Names an object had before (a renamed street): found by, answered with today's name.
  for (const [objectid, object] of objects) for (const name of names.get(objectid) ?? []) if (name !== object.name) object.oldNames.add(name);
  names.clear();

  await each('AS_ADDR_OBJ_PARAMS', (r) => {
    const key = paramKey(Number(attr(r, 'TYPEID')));
    if (!key || date(attr(r, 'ENDDATE')) <= asOf) return;
    const object = objects.get(id(r) ?? 0);
    if (!object) return void other(r, key);
    const start = date(attr(r, 'STARTDATE'));
    if ((object.paramStart[key] ?? -1) > start) return;
    object.paramStart[key] = start;
    object.params[key] = detach(attr(r, 'VALUE')) ?? undefined;
  });

  const readHouses = (r: string, stead: boolean) => {
    const objectid = id(r);
    if (objectid === null) return void stats.skipped++;
    closes(r, objectid);
    if (!current(r)) return;
    const num = stead ? attr(r, 'NUMBER') : attr(r, 'HOUSENUM');
    const add1 = stead ? null : attr(r, 'ADDNUM1');
    const add2 = stead ? null : attr(r, 'ADDNUM2');
    if (!num && !add1) return void stats.skipped++;
    const addType = (name: string) => {
      const v = attr(r, name);
      return v ? Number(v) : null;
    };
    houses.push(objectid, { num: detach(num ?? ''), type: stead ? 0 : Number(attr(r, 'HOUSETYPE') ?? 2), add1: detach(add1), addType1: add1 ? addType('ADDTYPE1') : null, add2: detach(add2), addType2: add2 ? addType('ADDTYPE2') : null, guid: attr(r, 'OBJECTGUID') ?? '' });
  };
  await each('AS_HOUSES', (r) => readHouses(r, false));
  if (options.steads) await each('AS_STEADS', (r) => readHouses(r, true));
  houses.seal();

  const houseParams = (r: string) => {
    // The cheap test first: most params (tax office codes, cadastral numbers) are not ours.
    const key = paramKey(Number(attr(r, 'TYPEID')));
    if (!key) return;
    if (date(attr(r, 'ENDDATE')) <= asOf) return;
    const i = houses.at.get(id(r) ?? 0);
    if (i === undefined) return void other(r, key);
    const slot = i * 4 + PARAM_SLOTS[key];
    const start = date(attr(r, 'STARTDATE'));
    if (houses.paramStart[slot] > start) return;
    houses.paramStart[slot] = start;
    const value = attr(r, 'VALUE') ?? '';
    if (key === 'postcode') houses.postcode[i] = /^\d{6}$/.test(value) ? Number(value) : 0;
    else if (key === 'okato') houses.okato[i] = /^\d{1,15}$/.test(value) ? Number(value) : 0;
    else if (key === 'oktmo') houses.oktmo[i] = /^\d{1,15}$/.test(value) ? Number(value) : 0;
    else houses.kladr[i] = detach(value) || null;
  };
  await each('AS_HOUSES_PARAMS', houseParams);
  if (options.steads) await each('AS_STEADS_PARAMS', houseParams);

  await each('AS_ADM_HIERARCHY', (r) => {
    if (attr(r, 'ISACTIVE') !== '1' || date(attr(r, 'ENDDATE')) <= asOf) return;
    const objectid = id(r);
    const parent = Number(attr(r, 'PARENTOBJID'));
    if (objectid === null || !Number.isSafeInteger(parent)) return void stats.skipped++;
    const start = date(attr(r, 'STARTDATE'));
    const object = objects.get(objectid);
    if (object) {
      if (object.parentStart > start) return;
      object.parent = parent || null;
      object.parentStart = start;
      return;
    }
    const i = houses.at.get(objectid);
    if (i === undefined) return void (options.delta && otherParents.set(objectid, parent));
    if (houses.parentStart[i] > start) return;
    houses.parent[i] = parent;
    houses.parentStart[i] = start;
  });

  return { code: region.code, version: region.version, objects, houses, closed, otherParents, otherParams, stats };
}

const PARAM_SLOTS = { postcode: 0, okato: 1, oktmo: 2, kladr: 3 } as const;

function paramKey(typeId: number): keyof GarObject['params'] | null {
  switch (typeId) {
    case PARAM.postcode:
      return 'postcode';
    case PARAM.okato:
      return 'okato';
    case PARAM.oktmo:
      return 'oktmo';
    case PARAM.kladr:
      return 'kladr';
    default:
      return null;
  }
}
