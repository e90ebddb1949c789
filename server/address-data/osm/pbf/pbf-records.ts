/**
 * An OpenStreetMap PBF extract → address records, in memory set by what addresses need, not by the
 * extract: of Russia's ~500 M nodes only those of addressed buildings and of the areas that place
 * them get a position (osm-records.ts kept all of them, 12 bytes each). Three passes, each decoded
 * on the worker threads (pbf-reader.ts); the file lists nodes, then ways, then relations:
 *
 * 1. relations: the ways that outline an administrative boundary or a settlement, and the ways of
 *    buildings mapped as addressed multipolygons;
 * 2. ways: the nodes of those ways, of addressed ways and of closed area ways, gathered and sorted
 *    (16 bytes each with their position: 8 for the id, 4 + 4 for the position);
 * 3. everything: the workers write those nodes' positions into shared arrays as the nodes stream
 *    by; address and place nodes, addressed ways (at their centre), areas and addressed
 *    relations become records here, as osm-records.ts makes them from XML.
 */
import type { AddressRecord } from '../address-record.js';
import type { ByteProgress } from '../open-file.js';
import { areaRecord, mean, polyline, toRecord, type OsmElement } from '../osm-records.js';
import { isArea } from '../area-tags.js';
import { PositionStore } from '../position-store.js';
import { indexIn, MISSING, type BlockResult, type PassContext } from './primitive-block.js';
import { PbfReader } from './pbf-reader.js';

/** Sorted, without repeats, in shared memory (the workers read it). */
function sortedShared(parts: Iterable<ArrayLike<number>>, total: number): Float64Array {
  const all = new Float64Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  all.sort();
  let kept = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[kept++] = all[i];
  const shared = new Float64Array(new SharedArrayBuffer(kept * 8));
  shared.set(all.subarray(0, kept));
  return shared;
}

/** How many nodes the extract has and how many of them were given a position (the rest cost nothing). */
export type PbfStats = (stats: { nodes: number; kept: number }) => void;

export async function* pbfRecords(path: string, onBytes?: ByteProgress, onStats?: PbfStats): AsyncGenerator<AddressRecord> {
  const reader = new PbfReader();
  const pass = (n: 1 | 2 | 3) => onBytes && ((read: number) => onBytes(read, { pass: n, of: 3 }));
  try {
    // 1. Which ways the relations need.
    const outlineParts: number[][] = [];
    const buildingParts: number[][] = [];
    let nodes = 0;
    for await (const block of reader.blocks(path, { pass: 1 }, pass(1))) {
      nodes += block.nodes;
      if (block.outlineWays) outlineParts.push(block.outlineWays);
      if (block.partWays) buildingParts.push(block.partWays);
    }
    const outlineWays = sortedShared(outlineParts, outlineParts.reduce((n, p) => n + p.length, 0));
    const partWays = sortedShared(buildingParts, buildingParts.reduce((n, p) => n + p.length, 0));
    outlineParts.length = buildingParts.length = 0;

    // 2. Which nodes those ways, the addressed ways and the area ways use.
    const refParts: Float64Array[] = [];
    let refCount = 0;
    for await (const block of reader.blocks(path, { pass: 2, outlineWays, partWays }, pass(2))) {
      if (!block.nodeRefs) continue;
      refParts.push(block.nodeRefs);
      refCount += block.nodeRefs.length;
    }
    let needed = sortedShared(refParts, refCount);
    refParts.length = 0;
    onStats?.({ nodes, kept: needed.length });
    let lats = new Int32Array(new SharedArrayBuffer(needed.length * 4)).fill(MISSING);
    let lons = new Int32Array(new SharedArrayBuffer(needed.length * 4));

    // 3. Records.
    const ctx: PassContext = { pass: 3, outlineWays, partWays, needed, lats, lons };
    const position = (id: number): [number, number] | undefined => {
      const at = indexIn(needed, id);
      return at < 0 || lats[at] === MISSING ? undefined : [lats[at] / 1e7, lons[at] / 1e7];
    };
    const partCentres = new PositionStore();
    const outlines = new Map<number, Int32Array | null>();
    for await (const block of reader.blocks(path, ctx, pass(3))) yield* blockRecords(block, { position, partWays, outlineWays, partCentres, outlines });
    // The caller may hold this finished generator while it writes the index: let the positions go.
    partCentres.clear();
    outlines.clear();
    needed = new Float64Array(new SharedArrayBuffer(0));
    lats = lons = new Int32Array(new SharedArrayBuffer(0));
    ctx.needed = needed;
    ctx.lats = ctx.lons = lats;
  } finally {
    await reader.close();
  }
}

interface State {
  position(id: number): [number, number] | undefined;
  partWays: Float64Array;
  outlineWays: Float64Array;
  partCentres: PositionStore;
  outlines: Map<number, Int32Array | null>;
}

function* blockRecords(block: BlockResult, s: State): Generator<AddressRecord> {
  for (const n of block.tagged ?? []) {
    const record = toRecord({ kind: 'node', id: String(n.id), lat: n.lat, lon: n.lon, tags: n.tags, refs: [] }, s.partCentres);
    if (record) yield record;
  }
  const ways = block.ways;
  if (ways) {
    for (let i = 0; i < ways.ids.length; i++) {
      const id = ways.ids[i];
      const tags = ways.tags[i] ?? {};
      const refs = ways.refs.subarray(ways.offsets[i], ways.offsets[i + 1]);
      const points = Array.from(refs, (r) => s.position(r));
      const centre = mean(points);
      const closedArea = refs.length > 3 && refs[0] === refs[refs.length - 1] && isArea(tags);
      if (indexIn(s.partWays, id) >= 0 && centre) s.partCentres.set(id, centre[0], centre[1]);
      if (indexIn(s.outlineWays, id) >= 0 || closedArea) {
        const outline = polyline(points);
        s.outlines.set(id, outline);
        if (closedArea) yield areaRecord(tags, outline ? [outline] : null);
      }
      if (!tags['addr:street'] && !tags['addr:housenumber']) continue;
      const record = toRecord({ kind: 'way', id: String(id), lat: null, lon: null, tags, refs: [] }, { get: () => centre ?? undefined });
      if (record) yield record;
    }
  }
  for (const r of block.relations ?? []) {
    const el: OsmElement = { kind: 'relation', id: String(r.id), lat: null, lon: null, tags: r.tags, refs: [], members: r.members.map((m) => ({ type: m.type, ref: String(m.ref), role: m.role })) };
    if (isArea(r.tags)) {
      const ways = r.members.filter((m) => m.type === 'way' && ['outer', 'inner', ''].includes(m.role)).map((m) => s.outlines.get(m.ref) ?? null);
      yield areaRecord(r.tags, ways.length && ways.every((w) => w) ? (ways as Int32Array[]) : null);
    }
    const record = toRecord(el, s.partCentres);
    if (record) yield record;
  }
}
