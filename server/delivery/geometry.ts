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
 * Where a ring crosses itself, or null: Shamos and Hoey's sweep line (Computational Geometry,
 * Preparata & Shamos §7.2.3). Edge ends are visited left to right; the edges the sweep line cuts
 * are kept ordered by height, and an edge is compared only with its neighbours in that order when
 * it enters, and they with each other when it leaves. The leftmost crossing always makes its two
 * edges neighbours first, so the first crossing found is a real one and the sweep stops there:
 * O(n log n) comparisons whatever the ring's shape (a comb of 10,000 teeth costs milliseconds).
 * The order is a sorted array (binary search, and a move of a few kilobytes per edge). Adjacent
 * edges share a vertex and do not count; nor does a vertex that merely touches another edge.
 */
export function selfCrossing(ring: Ring): Position | null {
  const n = ring.length - 1; // edges
  if (n < 4) return null;
  // Each edge from its left end to its right end (lower end first for an upright one).
  const lx = new Float64Array(n);
  const ly = new Float64Array(n);
  const rx = new Float64Array(n);
  const ry = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = ring[i][0] < ring[i + 1][0] || (ring[i][0] === ring[i + 1][0] && ring[i][1] <= ring[i + 1][1]) ? [ring[i], ring[i + 1]] : [ring[i + 1], ring[i]];
    lx[i] = a[0];
    ly[i] = a[1];
    rx[i] = b[0];
    ry[i] = b[1];
  }
  // Events: 2i an edge's left end (it enters), 2i+1 its right end (it leaves). At one point,
  // edges leave before others enter, so a vertex joining two edges is never a crossing.
  const events = Array.from({ length: 2 * n }, (_, k) => k).sort((a, b) => {
    const ax = a & 1 ? rx[a >> 1] : lx[a >> 1];
    const bx = b & 1 ? rx[b >> 1] : lx[b >> 1];
    if (ax !== bx) return ax - bx;
    const ay = a & 1 ? ry[a >> 1] : ly[a >> 1];
    const by = b & 1 ? ry[b >> 1] : ly[b >> 1];
    if (ay !== by) return ay - by;
    return (b & 1) - (a & 1);
  });
  /** The edge's height where the sweep stands (its lower end for an upright edge). */
  const yAt = (e: number, x: number) => (rx[e] === lx[e] ? ly[e] : ly[e] + ((ry[e] - ly[e]) * (x - lx[e])) / (rx[e] - lx[e]));
  const slope = (e: number) => (rx[e] === lx[e] ? Infinity : (ry[e] - ly[e]) / (rx[e] - lx[e]));
  /** Below (negative) or above (positive) edge f, for edge e entering at its left end. */
  const order = (e: number, f: number) => {
    const d = ly[e] - yAt(f, lx[e]);
    return d !== 0 ? d : slope(e) - slope(f);
  };
  const status: number[] = [];
  const adjacent = (e: number, f: number) => Math.abs(e - f) === 1 || Math.abs(e - f) === n - 1;
  const test = (e: number | undefined, f: number | undefined): Position | null => {
    if (e === undefined || f === undefined || e === f || adjacent(e, f)) return null;
    return properCrossing([lx[e], ly[e]], [rx[e], ry[e]], [lx[f], ly[f]], [rx[f], ry[f]]);
  };
  for (const event of events) {
    const e = event >> 1;
    if ((event & 1) === 0) {
      let lo = 0;
      let hi = status.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (order(e, status[mid]) > 0) lo = mid + 1;
        else hi = mid;
      }
      status.splice(lo, 0, e);
      const hit = test(e, status[lo - 1]) ?? test(e, status[lo + 1]);
      if (hit) return hit;
    } else {
      // Its place by height at its right end (the order holds: no crossing lies left of here),
      // then among the edges of the same height there (those sharing this end).
      const x = rx[e];
      const y = ry[e];
      let lo = 0;
      let hi = status.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (yAt(status[mid], x) < y) lo = mid + 1;
        else hi = mid;
      }
      let at = lo;
      while (at < status.length && status[at] !== e && yAt(status[at], x) <= y) at++;
      if (status[at] !== e) at = status.indexOf(e); // rounding put it elsewhere: read the whole order
      status.splice(at, 1);
      const hit = test(status[at - 1], status[at]);
      if (hit) return hit;
    }
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

export interface BandedParts {
  bbox: Bbox;
  edges: Float64Array;
  starts: Uint32Array;
  bandHeight: number;
  count: number;
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

  /** What the polygon is made of, to pass between threads (the typed arrays move, not copied). */
  get parts(): BandedParts {
    return { bbox: this.bbox, edges: this.edges, starts: this.starts, bandHeight: this.bandHeight, count: this.count };
  }

  /** A polygon compiled elsewhere (the zone reader's worker), from its parts. */
  static fromParts(parts: BandedParts): BandedPolygon {
    const polygon = Object.create(BandedPolygon.prototype) as BandedPolygon;
    Object.assign(polygon, parts);
    return polygon;
  }

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
