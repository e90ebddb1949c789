/**
 * The settlement and region a point lies in, from the extract's own areas: administrative
 * boundaries (boundary=administrative, admin_level 4–8) and settlement areas (place=city, town,
 * village, hamlet) — OpenStreetMap wiki "Tag:boundary=administrative" and "Key:place".
 *
 * An area's outline is the set of its member ways' segments: a point is inside when a ray from
 * it crosses them an odd number of times, which holds however the ways join into rings, and
 * inner rings (holes) count by the same rule. Segments are bucketed by latitude band so that a
 * test reads a few dozen of them, not a whole oblast's border.
 *
 * Which boundary is a settlement depends on the country (admin_level 8 is a municipality in
 * Liechtenstein or Finland, a district of Moscow in Russia), so a boundary counts as one only
 * when it carries a `place` tag or a settlement of the same name lies inside it. The region is
 * the admin_level 4 boundary (a Russian federal subject, a Swiss canton, an Austrian state).
 */
import { normalize } from '../../geocoding/normalize.js';

export interface AreaShape {
  name: string;
  /** admin_level of a boundary=administrative relation; null for a place area */
  adminLevel: number | null;
  /** place=* of the area, if any */
  place: string | null;
  /** the member ways, each a polyline of [lat, lon, lat, lon, …] in 1e-7 degrees */
  ways: Int32Array[];
  /** false when a member way (or one of its nodes) lies outside the extract: the outline is unknown */
  complete: boolean;
}

export { SETTLEMENT_KINDS } from './area-tags.js';
import { SETTLEMENT_KINDS } from './area-tags.js';
const REGION_LEVEL = 4;

/** A point of a named settlement (a place node of the extract, a gazetteer settlement). */
export interface NamedPoint {
  name: string | null;
  lat: number | null;
  lon: number | null;
}

/** Settlements are looked up by grid cell (0.1°); one covering more cells than this is checked everywhere. */
const CELL = 0.1;
const MAX_CELLS = 400;

export class AreaFinder {
  private readonly settlements: Polygon[] = [];
  private readonly regions: Polygon[] = [];
  /** Indexes into `settlements` (smallest first) per grid cell their box overlaps, and the big ones. */
  private readonly cells = new Map<string, number[]>();
  private readonly everywhere: number[] = [];

  constructor(areas: Iterable<AreaShape>, namedSettlements: Iterable<NamedPoint>) {
    const candidates: Polygon[] = [];
    for (const area of areas) {
      if (!area.complete) continue;
      const polygon = new Polygon(area);
      if (area.adminLevel === REGION_LEVEL) this.regions.push(polygon);
      if (area.place && SETTLEMENT_KINDS.has(area.place)) this.settlements.push(polygon);
      else if (area.adminLevel !== null) candidates.push(polygon);
    }
    // A boundary is a settlement when a settlement of its own name lies inside it.
    const byName = new Map<string, NamedPoint[]>();
    for (const s of namedSettlements) {
      if (!s.name || s.lat === null || s.lon === null) continue;
      const key = normalize(s.name);
      const same = byName.get(key);
      if (same) same.push(s);
      else byName.set(key, [s]);
    }
    for (const polygon of candidates) {
      if ((byName.get(normalize(polygon.name)) ?? []).some((s) => polygon.contains(s.lat!, s.lon!))) this.settlements.push(polygon);
    }
    // The smallest area wins: a village inside a municipality inside a region.
    this.settlements.sort((a, b) => a.area - b.area);
    this.settlements.forEach((polygon, i) => {
      const [lat0, lat1, lon0, lon1] = [Math.floor(polygon.minLat / CELL), Math.floor(polygon.maxLat / CELL), Math.floor(polygon.minLon / CELL), Math.floor(polygon.maxLon / CELL)];
      if ((lat1 - lat0 + 1) * (lon1 - lon0 + 1) > MAX_CELLS) return void this.everywhere.push(i);
      for (let a = lat0; a <= lat1; a++) {
        for (let o = lon0; o <= lon1; o++) {
          const cell = this.cells.get(`${a}:${o}`);
          if (cell) cell.push(i);
          else this.cells.set(`${a}:${o}`, [i]);
        }
      }
    });
  }

  get size(): number {
    return this.settlements.length + this.regions.length;
  }

  /** The settlement and region containing a point; null where the extract has none. */
  find(lat: number | null, lon: number | null): { city: string | null; region: string | null } {
    if (lat === null || lon === null) return { city: null, region: null };
    const near = this.cells.get(`${Math.floor(lat / CELL)}:${Math.floor(lon / CELL)}`) ?? [];
    // Both lists are in size order: walk them together, so the smallest containing area wins.
    let city: string | null = null;
    for (let i = 0, j = 0; i < near.length || j < this.everywhere.length; ) {
      const next = j >= this.everywhere.length || (i < near.length && near[i] < this.everywhere[j]) ? near[i++] : this.everywhere[j++];
      if (this.settlements[next].contains(lat, lon)) {
        city = this.settlements[next].name;
        break;
      }
    }
    return { city, region: this.regions.find((p) => p.contains(lat, lon))?.name ?? null };
  }
}

const BANDS_MAX = 256;

class Polygon {
  readonly name: string;
  /** bounding-box area in square degrees, to prefer the smallest of nested areas */
  readonly area: number;
  private readonly segments: Float64Array;
  readonly minLat: number;
  readonly maxLat: number;
  readonly minLon: number;
  readonly maxLon: number;
  private readonly bandCount: number;
  private readonly bandHeight: number;
  private readonly bands: Uint32Array[];

  constructor(shape: AreaShape) {
    this.name = shape.name;
    const n = shape.ways.reduce((sum, w) => sum + Math.max(0, w.length / 2 - 1), 0);
    this.segments = new Float64Array(n * 4);
    let at = 0;
    let [minLat, maxLat, minLon, maxLon] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const way of shape.ways) {
      for (let i = 0; i + 3 < way.length; i += 2) {
        this.segments.set([way[i] / 1e7, way[i + 1] / 1e7, way[i + 2] / 1e7, way[i + 3] / 1e7], at);
        at += 4;
      }
      for (let i = 0; i < way.length; i += 2) {
        minLat = Math.min(minLat, way[i] / 1e7);
        maxLat = Math.max(maxLat, way[i] / 1e7);
        minLon = Math.min(minLon, way[i + 1] / 1e7);
        maxLon = Math.max(maxLon, way[i + 1] / 1e7);
      }
    }
    [this.minLat, this.maxLat, this.minLon, this.maxLon] = [minLat, maxLat, minLon, maxLon];
    this.area = (maxLat - minLat) * (maxLon - minLon);
    this.bandCount = Math.max(1, Math.min(BANDS_MAX, Math.ceil(n / 16)));
    this.bandHeight = (maxLat - minLat) / this.bandCount || 1;
    const lists: number[][] = Array.from({ length: this.bandCount }, () => []);
    for (let s = 0; s < n; s++) {
      const [a, b] = [this.segments[s * 4], this.segments[s * 4 + 2]];
      for (let band = this.band(Math.min(a, b)); band <= this.band(Math.max(a, b)); band++) lists[band].push(s);
    }
    this.bands = lists.map((l) => Uint32Array.from(l));
  }

  contains(lat: number, lon: number): boolean {
    if (lat < this.minLat || lat > this.maxLat || lon < this.minLon || lon > this.maxLon) return false;
    let inside = false;
    const seg = this.segments;
    for (const s of this.bands[this.band(lat)]) {
      const [lat1, lon1, lat2, lon2] = [seg[s * 4], seg[s * 4 + 1], seg[s * 4 + 2], seg[s * 4 + 3]];
      // Half-open on latitude, so a ray through a shared vertex counts once.
      if (lat1 > lat !== lat2 > lat && lon < lon1 + ((lat - lat1) * (lon2 - lon1)) / (lat2 - lat1)) inside = !inside;
    }
    return inside;
  }

  private band(lat: number): number {
    return Math.min(this.bandCount - 1, Math.max(0, Math.floor((lat - this.minLat) / this.bandHeight)));
  }
}
