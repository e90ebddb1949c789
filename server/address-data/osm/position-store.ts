/**
 * Positions by OpenStreetMap id, kept compactly while an extract streams by: 12 bytes an entry
 * (a 32-bit offset from its chunk's first id, latitude and longitude in 1e-7 degrees) instead of
 * ~100 in a Map of arrays, so a regional extract's tens of millions of nodes fit in memory.
 * Chunks are fixed-size and never copied, so growing never holds two copies at once. Extracts
 * list ids in ascending order (osmium sorts them), so a lookup is a binary search; an id out of
 * order goes to a small Map on the side.
 */
const CHUNK = 1 << 16;
const MAX_OFFSET = 2 ** 32;

interface Chunk {
  first: number;
  offsets: Uint32Array;
  lats: Int32Array;
  lons: Int32Array;
  size: number;
}

export class PositionStore {
  private readonly chunks: Chunk[] = [];
  private last = -Infinity;
  private readonly unsorted = new Map<number, [number, number]>();

  get count(): number {
    return this.chunks.reduce((n, c) => n + c.size, 0) + this.unsorted.size;
  }

  set(id: number, lat: number, lon: number): void {
    if (id <= this.last) {
      this.unsorted.set(id, [lat, lon]);
      return;
    }
    let chunk = this.chunks.at(-1);
    if (!chunk || chunk.size === CHUNK || id - chunk.first >= MAX_OFFSET) {
      chunk = { first: id, offsets: new Uint32Array(CHUNK), lats: new Int32Array(CHUNK), lons: new Int32Array(CHUNK), size: 0 };
      this.chunks.push(chunk);
    }
    const at = chunk.size++;
    chunk.offsets[at] = id - chunk.first;
    // 1e-7 degrees (about 1 cm): OpenStreetMap's own precision.
    chunk.lats[at] = Math.round(lat * 1e7);
    chunk.lons[at] = Math.round(lon * 1e7);
    this.last = id;
  }

  /** Lets the memory go (a finished generator keeps its locals reachable until it is collected itself). */
  clear(): void {
    this.chunks.length = 0;
    this.unsorted.clear();
    this.last = -Infinity;
  }

  get(id: number): [number, number] | undefined {
    const chunk = this.chunkFor(id);
    if (chunk) {
      const offset = id - chunk.first;
      let lo = 0;
      let hi = chunk.size - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const at = chunk.offsets[mid];
        if (at === offset) return [chunk.lats[mid] / 1e7, chunk.lons[mid] / 1e7];
        if (at < offset) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return this.unsorted.get(id);
  }

  /** The last chunk starting at or before `id`. */
  private chunkFor(id: number): Chunk | undefined {
    let lo = 0;
    let hi = this.chunks.length - 1;
    let found: Chunk | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid].first <= id) {
        found = this.chunks[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
