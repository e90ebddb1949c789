/**
 * Plane geometry on longitude/latitude for delivery zones: ring checks (closed, self-crossing)
 * and a point-in-polygon test fast enough to run on every suggestion. Zones are city-sized, so
 * degrees are treated as a plane (the error is far below a hand-drawn border's); distances use
 * the haversine formula on the WGS-84 mean radius.
 */

export type Position = [lon: number, lat: number];
/** A closed ring: the first position is repeated last (GeoJSON RFC 7946 §3.1.6). */
export type Ring = Position[];
/** An outer ring followed by its holes. */
export type Polygon = Ring[];

export interface Bbox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function bboxOf(rings: Ring[]): Bbox {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const ring of rings) {
    for (const [x, y] of ring) {
      if (x < box.minX) box.minX = x;
      if (x > box.maxX) box.maxX = x;
      if (y < box.minY) box.minY = y;
      if (y > box.maxY) box.maxY = y;
    }
  }
  return box;
}

export const inBbox = (b: Bbox, x: number, y: number) => x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY;

/**
 * Where a ring crosses itself, or null. A sweep over edges sorted by their left end: each edge is
 * compared only with the edges whose x-range it overlaps, so a 10,000-vertex ring costs
 * milliseconds, not the 50 million pairs of the naive check. Adjacent edges share a vertex and
 * do not count; nor does a vertex that merely touches another edge's end.
 */
export function selfCrossing(ring: Ring): Position | null {
  const n = ring.length - 1; // edges
  if (n < 4) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.min(ring[a][0], ring[a + 1][0]) - Math.min(ring[b][0], ring[b + 1][0]));
  const active: number[] = [];
  for (const i of order) {
    const left = Math.min(ring[i][0], ring[i + 1][0]);
    // Drop the edges that end before this one starts.
    for (let k = active.length - 1; k >= 0; k--) {
      const j = active[k];
      if (Math.max(ring[j][0], ring[j + 1][0]) < left) active.splice(k, 1);
    }
    for (const j of active) {
      if (Math.abs(i - j) <= 1 || Math.abs(i - j) === n - 1) continue; // neighbours share a vertex
      const hit = properCrossing(ring[i], ring[i + 1], ring[j], ring[j + 1]);
      if (hit) return hit;
    }
    active.push(i);
  }
  return null;
}

const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** The point where segments ab and cd cross in their interiors, or null. */
function properCrossing(a: Position, b: Position, c: Position, d: Position): Position | null {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    const t = d1 / (d1 - d2);
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }
  return null;
}

/**
 * A polygon ready for the point test: each ring's edges bucketed by horizontal band, so a test
 * reads only the edges of the point's band (about 2 % of them for a 1,000-vertex ring). The
 * even–odd rule over all rings makes holes work, and is how Yandex's constructor fills a
 * self-crossing ring drawn in it (ymaps `fillRule: 'evenOdd'`).
 */
export class BandedPolygon {
  readonly bbox: Bbox;
  /** Every band's edges, one after another, as x1, y1, x2, y2. */
  private readonly edges: Float64Array;
  /** Band b's edges are edges[starts[b] .. starts[b + 1]). */
  private readonly starts: Uint32Array;
  private readonly bandHeight: number;
  private readonly count: number;

  constructor(polygon: Polygon) {
    this.bbox = bboxOf(polygon);
    const total = polygon.reduce((sum, ring) => sum + ring.length - 1, 0);
    this.count = Math.max(1, Math.min(256, Math.ceil(total / 8)));
    this.bandHeight = (this.bbox.maxY - this.bbox.minY) / this.count || 1;
    // Two passes into one typed array: counting, then filling (no per-band lists to collect).
    const sizes = new Uint32Array(this.count + 1);
    this.eachEdge(polygon, (from, to) => {
      for (let b = from; b <= to; b++) sizes[b + 1] += 4;
    });
    for (let b = 1; b <= this.count; b++) sizes[b] += sizes[b - 1];
    this.starts = sizes;
    this.edges = new Float64Array(sizes[this.count]);
    const fill = Uint32Array.from(sizes);
    this.eachEdge(polygon, (from, to, x1, y1, x2, y2) => {
      for (let b = from; b <= to; b++) {
        const at = fill[b];
        this.edges[at] = x1;
        this.edges[at + 1] = y1;
        this.edges[at + 2] = x2;
        this.edges[at + 3] = y2;
        fill[b] = at + 4;
      }
    });
  }

  /** Each edge that is not horizontal (those never count in the crossing test) with its bands. */
  private eachEdge(polygon: Polygon, visit: (from: number, to: number, x1: number, y1: number, x2: number, y2: number) => void): void {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i];
        const [x2, y2] = ring[i + 1];
        if (y1 !== y2) visit(this.band(Math.min(y1, y2)), this.band(Math.max(y1, y2)), x1, y1, x2, y2);
      }
    }
  }

  private band(y: number): number {
    return Math.min(this.count - 1, Math.max(0, Math.floor((y - this.bbox.minY) / this.bandHeight)));
  }

  contains(x: number, y: number): boolean {
    if (!inBbox(this.bbox, x, y)) return false;
    const b = this.band(y);
    const edges = this.edges;
    let inside = false;
    for (let i = this.starts[b], end = this.starts[b + 1]; i < end; i += 4) {
      const y1 = edges[i + 1];
      const y2 = edges[i + 3];
      if (y1 > y !== y2 > y) {
        const x1 = edges[i];
        if (x < ((edges[i + 2] - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
      }
    }
    return inside;
  }
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in kilometres. */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Lets the event loop run (other requests) in the middle of long work: zone files and compiles. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
