/**
 * One OpenStreetMap data block (osmformat.proto's PrimitiveBlock), decoded for one pass of the
 * import (pbf-records.ts), without an object per element: only the elements an address needs
 * leave the block.
 *
 * - pass 1 (relations): the ways that outline an administrative boundary or a settlement, and the
 *   ways of buildings mapped as addressed multipolygons;
 * - pass 2 (ways): the node ids those ways and the addressed or area ways use;
 * - pass 3 (everything): positions of exactly those nodes, written into shared arrays; address and
 *   place nodes; the ways and relations pass 2 chose, with their tags and refs.
 */
import { ProtoReader } from './proto-reader.js';
import { isArea } from '../area-tags.js';

export interface PassContext {
  pass: 1 | 2 | 3;
  /** Pass 2 and 3: sorted ids of ways pass 1 asked for (outlines, parts of addressed buildings). */
  outlineWays?: Float64Array;
  partWays?: Float64Array;
  /** Pass 3: sorted ids of the nodes whose positions are kept, and where they go (1e-7 degrees; MISSING until seen). */
  needed?: Float64Array;
  lats?: Int32Array;
  lons?: Int32Array;
}

export const MISSING = -2147483648;

export interface WayBatch {
  ids: Float64Array;
  /** refs of way i are refs[offsets[i]] … refs[offsets[i + 1] - 1] */
  offsets: Uint32Array;
  refs: Float64Array;
  tags: Array<Record<string, string> | null>;
}

export interface BlockResult {
  /** Nodes in the block (for nodes/s). */
  nodes: number;
  outlineWays?: number[];
  partWays?: number[];
  nodeRefs?: Float64Array;
  /** Pass 2 and 3 while the block is read (finish packs them into nodeRefs and ways). */
  refList?: number[];
  wayList?: { ids: number[]; offsets: number[]; refs: number[]; tags: Array<Record<string, string> | null> };
  tagged?: Array<{ id: number; lat: number; lon: number; tags: Record<string, string> }>;
  ways?: WayBatch;
  relations?: Array<{ id: number; tags: Record<string, string>; members: Array<{ type: string; ref: number; role: string }> }>;
}

const TYPES = ['node', 'way', 'relation'];
const utf8 = new TextDecoder();
const KEYS = ['addr:street', 'addr:housenumber', 'place', 'name', 'boundary'] as const;
const KEY_BYTES = KEYS.map((k) => new TextEncoder().encode(k));

/** The block's strings, decoded when asked (most blocks are nodes that ask none). */
class Strings {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly decoded: Array<string | undefined> = [];
  /** Index of each of KEYS in this table, or -1. */
  readonly key: number[];

  constructor(
    private readonly buf: Uint8Array,
    start: number,
    end: number,
  ) {
    const r = new ProtoReader(buf, start, end);
    while (r.more) {
      const key = r.key();
      if (key === 10) {
        const [s, e] = r.bytes();
        this.starts.push(s);
        this.ends.push(e);
      } else r.skip(key & 7);
    }
    this.key = KEY_BYTES.map((bytes) => this.find(bytes));
  }

  get(i: number): string {
    let s = this.decoded[i];
    if (s === undefined) s = this.decoded[i] = utf8.decode(this.buf.subarray(this.starts[i], this.ends[i]));
    return s;
  }

  private find(bytes: Uint8Array): number {
    outer: for (let i = 0; i < this.starts.length; i++) {
      if (this.ends[i] - this.starts[i] !== bytes.length) continue;
      for (let j = 0; j < bytes.length; j++) if (this.buf[this.starts[i] + j] !== bytes[j]) continue outer;
      return i;
    }
    return -1;
  }
}

const [STREET, HOUSE, PLACE, NAME, BOUNDARY] = [0, 1, 2, 3, 4];

/** Binary search in a sorted array: whether `id` is in it. */
export function indexIn(sorted: Float64Array, id: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A packed field's numbers, without an array per field: `each` is called with each value. */
function packed(buf: Uint8Array, [start, end]: [number, number], each: (value: number) => void, signed = false): void {
  const r = new ProtoReader(buf, start, end);
  while (r.more) each(signed ? r.svarint() : r.varint());
}

export function decodeBlock(buf: Uint8Array, ctx: PassContext): BlockResult {
  const block = new ProtoReader(buf);
  let strings: [number, number] | null = null;
  const groups: Array<[number, number]> = [];
  let granularity = 100;
  let latOffset = 0;
  let lonOffset = 0;
  while (block.more) {
    const key = block.key();
    if (key === 10) strings = block.bytes();
    else if (key === 18) groups.push(block.bytes());
    else if (key === 136) granularity = block.varint();
    else if (key === 152) latOffset = block.varint();
    else if (key === 160) lonOffset = block.varint();
    else block.skip(key & 7);
  }
  const table = new Strings(buf, ...(strings ?? [0, 0]));
  const result: BlockResult = { nodes: 0 };
  // 1e-9 degrees × (offset + granularity × value) → 1e-7 degrees.
  const coord = (offset: number, value: number) => Math.round((offset + granularity * value) / 100);
  for (const [start, end] of groups) {
    const group = new ProtoReader(buf, start, end);
    while (group.more) {
      const key = group.key();
      const field = key >>> 3;
      if ((key & 7) !== 2) {
        group.skip(key & 7);
        continue;
      }
      const bounds = group.bytes();
      if (field === 2) denseNodes(buf, bounds, table, ctx, result, (v) => coord(latOffset, v), (v) => coord(lonOffset, v));
      else if (field === 1) plainNode(buf, bounds, table, ctx, result, (v) => coord(latOffset, v), (v) => coord(lonOffset, v));
      else if (field === 3 && ctx.pass !== 1) way(buf, bounds, table, ctx, result);
      else if (field === 4 && ctx.pass !== 2) relation(buf, bounds, table, ctx, result);
    }
  }
  return result;
}

function tagsOf(keys: number[], vals: number[], table: Strings): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) tags[table.get(keys[i])] = table.get(vals[i] ?? 0);
  return tags;
}

/** Whether a node's tags make it an address or a named place. */
function nodeWanted(keys: number[], table: Strings): boolean {
  const k = table.key;
  return keys.includes(k[STREET]) || keys.includes(k[HOUSE]) || (keys.includes(k[PLACE]) && keys.includes(k[NAME]));
}

function keep(ctx: PassContext, id: number, lat: number, lon: number): void {
  const at = indexIn(ctx.needed!, id);
  if (at >= 0) {
    ctx.lats![at] = lat;
    ctx.lons![at] = lon;
  }
}

function denseNodes(buf: Uint8Array, [start, end]: [number, number], table: Strings, ctx: PassContext, result: BlockResult, lat: (v: number) => number, lon: (v: number) => number): void {
  const r = new ProtoReader(buf, start, end);
  let ids: [number, number] | null = null;
  let lats: [number, number] | null = null;
  let lons: [number, number] | null = null;
  let keysVals: [number, number] | null = null;
  while (r.more) {
    const key = r.key();
    if (key === 10) ids = r.bytes();
    else if (key === 66) lats = r.bytes();
    else if (key === 74) lons = r.bytes();
    else if (key === 82) keysVals = r.bytes();
    else r.skip(key & 7);
  }
  if (!ids) return;
  if (ctx.pass !== 3) {
    // Passes 1 and 2 need no node: count them (for nodes/s) without decoding positions.
    packed(buf, ids, () => result.nodes++, true);
    return;
  }
  if (!lats || !lons) throw new Error('a damaged block: dense nodes without positions');
  const idr = new ProtoReader(buf, ...ids);
  const latr = new ProtoReader(buf, ...lats);
  const lonr = new ProtoReader(buf, ...lons);
  const kvr = keysVals ? new ProtoReader(buf, ...keysVals) : null;
  const needed = ctx.needed!;
  // Ids ascend within a block (a sorted extract): walk the needed ids alongside instead of searching each.
  let id = 0;
  let la = 0;
  let lo = 0;
  let at = -1;
  const keys: number[] = [];
  const vals: number[] = [];
  while (idr.more) {
    id += idr.svarint();
    la += latr.svarint();
    lo += lonr.svarint();
    result.nodes++;
    if (at < 0 || needed[at] > id) at = lowerBound(needed, id);
    else while (at < needed.length && needed[at] < id) at++;
    if (at < needed.length && needed[at] === id) {
      ctx.lats![at] = lat(la);
      ctx.lons![at] = lon(lo);
    }
    if (!kvr) continue;
    keys.length = 0;
    vals.length = 0;
    for (;;) {
      if (!kvr.more) break;
      const k = kvr.varint();
      if (k === 0) break;
      keys.push(k);
      vals.push(kvr.varint());
    }
    if (keys.length && nodeWanted(keys, table)) (result.tagged ??= []).push({ id, lat: lat(la) / 1e7, lon: lon(lo) / 1e7, tags: tagsOf(keys, vals, table) });
  }
}

function lowerBound(sorted: Float64Array, id: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function plainNode(buf: Uint8Array, [start, end]: [number, number], table: Strings, ctx: PassContext, result: BlockResult, lat: (v: number) => number, lon: (v: number) => number): void {
  const r = new ProtoReader(buf, start, end);
  let id = 0;
  let la = 0;
  let lo = 0;
  const keys: number[] = [];
  const vals: number[] = [];
  while (r.more) {
    const key = r.key();
    if (key === 8) id = r.svarint();
    else if (key === 18) packed(buf, r.bytes(), (v) => keys.push(v));
    else if (key === 26) packed(buf, r.bytes(), (v) => vals.push(v));
    else if (key === 64) la = r.svarint();
    else if (key === 72) lo = r.svarint();
    else r.skip(key & 7);
  }
  result.nodes++;
  if (ctx.pass !== 3) return;
  keep(ctx, id, lat(la), lon(lo));
  if (keys.length && nodeWanted(keys, table)) (result.tagged ??= []).push({ id, lat: lat(la) / 1e7, lon: lon(lo) / 1e7, tags: tagsOf(keys, vals, table) });
}

function way(buf: Uint8Array, [start, end]: [number, number], table: Strings, ctx: PassContext, result: BlockResult): void {
  const r = new ProtoReader(buf, start, end);
  let id = 0;
  let keys: [number, number] | null = null;
  let vals: [number, number] | null = null;
  let refs: [number, number] | null = null;
  while (r.more) {
    const key = r.key();
    if (key === 8) id = r.varint();
    else if (key === 18) keys = r.bytes();
    else if (key === 26) vals = r.bytes();
    else if (key === 66) refs = r.bytes();
    else r.skip(key & 7);
  }
  const keyList: number[] = [];
  if (keys) packed(buf, keys, (v) => keyList.push(v));
  const k = table.key;
  const addressed = keyList.includes(k[STREET]) || keyList.includes(k[HOUSE]);
  const member = indexIn(ctx.outlineWays!, id) >= 0 || indexIn(ctx.partWays!, id) >= 0;
  const maybeArea = keyList.includes(k[NAME]) && (keyList.includes(k[BOUNDARY]) || keyList.includes(k[PLACE]));
  if (!addressed && !member && !maybeArea) return;
  const valList: number[] = [];
  if (vals) packed(buf, vals, (v) => valList.push(v));
  const tags = keyList.length ? tagsOf(keyList, valList, table) : null;
  const refList: number[] = [];
  let ref = 0;
  if (refs) packed(buf, refs, (d) => refList.push((ref += d)), true);
  const closedArea = maybeArea && refList.length > 3 && refList[0] === refList.at(-1) && isArea(tags!);
  if (!addressed && !member && !closedArea) return;
  if (ctx.pass === 2) {
    const out = (result.refList ??= []);
    for (const ref of refList) out.push(ref);
    return;
  }
  const list = (result.wayList ??= { ids: [], offsets: [0], refs: [], tags: [] });
  list.ids.push(id);
  for (const ref of refList) list.refs.push(ref);
  list.offsets.push(list.refs.length);
  list.tags.push(tags);
}

/** The block's gathered ways as typed arrays (they move to the main thread without a copy). */
export function finish(result: BlockResult): BlockResult {
  if (result.refList) {
    result.nodeRefs = Float64Array.from(result.refList);
    delete result.refList;
  }
  if (result.wayList) {
    const w = result.wayList;
    result.ways = { ids: Float64Array.from(w.ids), offsets: Uint32Array.from(w.offsets), refs: Float64Array.from(w.refs), tags: w.tags };
    delete result.wayList;
  }
  return result;
}

function relation(buf: Uint8Array, [start, end]: [number, number], table: Strings, ctx: PassContext, result: BlockResult): void {
  const r = new ProtoReader(buf, start, end);
  let id = 0;
  const keys: number[] = [];
  const vals: number[] = [];
  const roles: number[] = [];
  const memids: number[] = [];
  const types: number[] = [];
  while (r.more) {
    const key = r.key();
    if (key === 8) id = r.varint();
    else if (key === 18) packed(buf, r.bytes(), (v) => keys.push(v));
    else if (key === 26) packed(buf, r.bytes(), (v) => vals.push(v));
    else if (key === 66) packed(buf, r.bytes(), (v) => roles.push(v));
    else if (key === 74) {
      let m = 0;
      packed(buf, r.bytes(), (d) => memids.push((m += d)), true);
    } else if (key === 82) packed(buf, r.bytes(), (v) => types.push(v));
    else r.skip(key & 7);
  }
  const k = table.key;
  const addressed = keys.includes(k[STREET]) || keys.includes(k[HOUSE]);
  const maybeArea = keys.includes(k[NAME]) && (keys.includes(k[BOUNDARY]) || keys.includes(k[PLACE]));
  if (!addressed && !maybeArea) return;
  const tags = tagsOf(keys, vals, table);
  const area = maybeArea && isArea(tags);
  if (!addressed && !area) return;
  const members = memids.map((ref, i) => ({ type: TYPES[types[i]] ?? 'node', ref, role: table.get(roles[i] ?? 0) }));
  if (ctx.pass === 1) {
    for (const m of members) {
      if (m.type !== 'way') continue;
      if (area && ['outer', 'inner', ''].includes(m.role)) (result.outlineWays ??= []).push(m.ref);
      if (addressed && m.role !== 'inner') (result.partWays ??= []).push(m.ref);
    }
    return;
  }
  (result.relations ??= []).push({ id, tags, members });
}
