/**
 * An OpenStreetMap PBF writer for generated benchmark extracts (wiki.openstreetmap.org/wiki/PBF_Format,
 * osmformat.proto and fileformat.proto): blocks of 8,000 dense nodes, ways or relations, each a
 * zlib blob behind its BlobHeader, sorted by type then id as osmium writes them. Enough of the
 * format for what the importer reads (ids, positions, tags, way refs, relation members), plus the
 * version, timestamp and changeset each element carries in a published extract (Geofabrik's
 * keep them), so a generated file packs about as many bytes a node as a real one.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { deflateSync } from 'node:zlib';

class Proto {
  private buf = Buffer.allocUnsafe(1024);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  varint(n: number): this {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.at++] = n;
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  uint(field: number, n: number): this {
    return this.key(field, 0).varint(n);
  }

  bytesField(field: number, data: Buffer): this {
    this.key(field, 2).varint(data.length);
    this.room(data.length);
    data.copy(this.buf, this.at);
    this.at += data.length;
    return this;
  }

  message(field: number, inner: Proto): this {
    return this.bytesField(field, inner.done());
  }

  /** Packed varints (of already zigzagged or unsigned values). */
  packed(field: number, values: number[]): this {
    const inner = new Proto();
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.done());
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const deltas = (values: number[]) => values.map((v, i) => zigzag(v - (i ? values[i - 1] : 0)));

export interface PbfNode {
  id: number;
  lat: number;
  lon: number;
  tags?: Record<string, string>;
}
export interface PbfWay {
  id: number;
  refs: number[];
  tags?: Record<string, string>;
}
export interface PbfRelation {
  id: number;
  members: Array<{ type: 'node' | 'way' | 'relation'; ref: number; role: string }>;
  tags?: Record<string, string>;
}

const BLOCK = 8000;

export class PbfWriter {
  private readonly out: WriteStream;
  private nodes: PbfNode[] = [];
  private ways: PbfWay[] = [];
  private relations: PbfRelation[] = [];
  bytes = 0;

  constructor(path: string) {
    this.out = createWriteStream(path);
  }

  async start(): Promise<void> {
    const header = new Proto();
    header.bytesField(4, Buffer.from('OsmSchema-V0.6')).bytesField(4, Buffer.from('DenseNodes')).bytesField(5, Buffer.from('Sort.Type_then_ID'));
    header.bytesField(16, Buffer.from('amo-address bench (generated, not real data)'));
    await this.blob('OSMHeader', header.done());
  }

  async node(n: PbfNode): Promise<void> {
    this.nodes.push(n);
    if (this.nodes.length === BLOCK) await this.flushNodes();
  }

  async way(w: PbfWay): Promise<void> {
    if (this.nodes.length) await this.flushNodes();
    this.ways.push(w);
    if (this.ways.length === BLOCK) await this.flushWays();
  }

  async relation(r: PbfRelation): Promise<void> {
    if (this.nodes.length) await this.flushNodes();
    if (this.ways.length) await this.flushWays();
    this.relations.push(r);
    if (this.relations.length === BLOCK) await this.flushRelations();
  }

  async end(): Promise<void> {
    if (this.nodes.length) await this.flushNodes();
    if (this.ways.length) await this.flushWays();
    if (this.relations.length) await this.flushRelations();
    this.out.end();
    await once(this.out, 'finish');
  }

  private async flushNodes(): Promise<void> {
    const strings = new StringTable();
    const nodes = this.nodes;
    this.nodes = [];
    const keysVals: number[] = [];
    const tagged = nodes.some((n) => n.tags && Object.keys(n.tags).length);
    for (const n of nodes) {
      if (!tagged) break;
      for (const [k, v] of Object.entries(n.tags ?? {})) keysVals.push(strings.id(k), strings.id(v));
      keysVals.push(0);
    }
    // DenseInfo: versions, timestamps and changesets (deltas), varied as real edits are.
    const info = new Proto()
      .packed(1, nodes.map((n) => 1 + (n.id % 7)))
      .packed(2, deltas(nodes.map((n) => 1_300_000_000 + ((n.id * 7919) % 400_000_000))))
      .packed(3, deltas(nodes.map((n) => 10_000_000 + ((n.id * 104_729) % 140_000_000))));
    const dense = new Proto()
      .packed(1, deltas(nodes.map((n) => n.id)))
      .message(5, info)
      .packed(8, deltas(nodes.map((n) => Math.round(n.lat * 1e7))))
      .packed(9, deltas(nodes.map((n) => Math.round(n.lon * 1e7))));
    if (tagged) dense.packed(10, keysVals);
    await this.block(strings, new Proto().message(2, dense));
  }

  private async flushWays(): Promise<void> {
    const strings = new StringTable();
    const group = new Proto();
    for (const w of this.ways) {
      const tags = Object.entries(w.tags ?? {});
      const way = new Proto().uint(1, w.id);
      if (tags.length) way.packed(2, tags.map(([k]) => strings.id(k))).packed(3, tags.map(([, v]) => strings.id(v)));
      way.message(4, new Proto().uint(1, 1 + (w.id % 5)).uint(2, 1_300_000_000 + ((w.id * 7919) % 400_000_000)).uint(3, 10_000_000 + ((w.id * 104_729) % 140_000_000)));
      way.packed(8, deltas(w.refs));
      group.message(3, way);
    }
    this.ways = [];
    await this.block(strings, group);
  }

  private async flushRelations(): Promise<void> {
    const strings = new StringTable();
    const group = new Proto();
    const TYPES = { node: 0, way: 1, relation: 2 };
    for (const r of this.relations) {
      const tags = Object.entries(r.tags ?? {});
      const rel = new Proto().uint(1, r.id);
      if (tags.length) rel.packed(2, tags.map(([k]) => strings.id(k))).packed(3, tags.map(([, v]) => strings.id(v)));
      rel.packed(8, r.members.map((m) => strings.id(m.role)));
      rel.packed(9, deltas(r.members.map((m) => m.ref)));
      rel.packed(10, r.members.map((m) => TYPES[m.type]));
      group.message(4, rel);
    }
    this.relations = [];
    await this.block(strings, group);
  }

  private async block(strings: StringTable, group: Proto): Promise<void> {
    const block = new Proto().message(1, strings.message()).message(2, group);
    await this.blob('OSMData', block.done());
  }

  private async blob(type: string, raw: Buffer): Promise<void> {
    const blob = new Proto().uint(2, raw.length).bytesField(3, deflateSync(raw, { level: 1 })).done();
    const header = new Proto().bytesField(1, Buffer.from(type)).uint(3, blob.length).done();
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    const frame = Buffer.concat([length, header, blob]);
    this.bytes += frame.length;
    if (!this.out.write(frame)) await once(this.out, 'drain');
  }
}

class StringTable {
  private readonly ids = new Map<string, number>([['', 0]]);

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }

  message(): Proto {
    const table = new Proto();
    for (const s of this.ids.keys()) table.bytesField(1, Buffer.from(s, 'utf8'));
    return table;
  }
}
