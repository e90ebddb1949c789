/**
 * OpenStreetMap elements → address records: nodes and ways tagged addr:street +
 * addr:housenumber. A way's position is the mean of its nodes, so node coordinates are kept
 * while the file streams by (extracts list nodes before ways).
 */
import type { AddressRecord } from './address-record.js';
import { PositionStore } from './position-store.js';
import { adminLevelOf, isArea } from './area-tags.js';

export interface OsmElement {
  kind: 'node' | 'way' | 'relation';
  id: string;
  lat: number | null;
  lon: number | null;
  tags: Record<string, string>;
  /** a way's nodes */
  refs: string[];
  /** a relation's member ways (outer rings first; inner rings are not needed for a point) */
  members?: Array<{ type: string; ref: string; role: string }>;
}

/** Reads an extract's elements; called once per pass. */
export type OpenElements = (pass: 1 | 2) => AsyncIterable<OsmElement>;

/**
 * Two passes over the extract, which lists nodes, then ways, then relations. The first finds the
 * ways that outline an administrative boundary or a settlement (its relations come after their
 * ways); the second keeps node positions and each way's centre while the file streams by (so a
 * building mapped as a multipolygon relation — 23% of central Moscow's address objects — gets a
 * position too), keeps the outlines the first pass asked for, and yields houses, places and areas.
 */
export async function* osmRecords(open: OpenElements): AsyncGenerator<AddressRecord> {
  const outlineWays = new Set<number>();
  for await (const el of open(1)) {
    if (el.kind === 'relation' && isArea(el.tags)) for (const m of el.members ?? []) if (m.type === 'way') outlineWays.add(Number(m.ref));
  }
  const coords = new PositionStore();
  const wayCentres = new PositionStore();
  const outlines = new Map<number, Int32Array | null>();
  for await (const el of open(2)) {
    if (el.kind === 'node' && el.lat !== null && el.lon !== null) coords.set(Number(el.id), el.lat, el.lon);
    if (el.kind === 'way') {
      const points = el.refs.map((r) => coords.get(Number(r)));
      const centre = mean(points);
      if (centre) wayCentres.set(Number(el.id), centre[0], centre[1]);
      const closedArea = el.refs.length > 3 && el.refs[0] === el.refs.at(-1) && isArea(el.tags);
      if (outlineWays.has(Number(el.id)) || closedArea) {
        const outline = polyline(points);
        outlines.set(Number(el.id), outline);
        if (closedArea) yield areaRecord(el.tags, outline ? [outline] : null);
      }
    }
    if (el.kind === 'relation' && isArea(el.tags)) {
      const ways = (el.members ?? []).filter((m) => m.type === 'way' && ['outer', 'inner', ''].includes(m.role)).map((m) => outlines.get(Number(m.ref)) ?? null);
      yield areaRecord(el.tags, ways.length && ways.every((w) => w) ? (ways as Int32Array[]) : null);
    }
    const record = toRecord(el, wayCentres);
    if (record) yield record;
  }
  // The caller may hold this finished generator through the index build: drop what it kept.
  coords.clear();
  wayCentres.clear();
  outlines.clear();
}

export function areaRecord(tags: Record<string, string>, ways: Int32Array[] | null): AddressRecord {
  const adminLevel = adminLevelOf(tags);
  return { city: null, street: '', house: '', lat: null, lon: null, area: { name: tags.name, adminLevel, place: tags.place ?? null, ways: ways ?? [], complete: ways !== null } };
}

/** A way's points as [lat, lon, …] in 1e-7 degrees; null when a node is missing from the extract. */
export function polyline(points: Array<[number, number] | undefined>): Int32Array | null {
  if (points.some((p) => !p)) return null;
  const line = new Int32Array(points.length * 2);
  points.forEach((p, i) => line.set([Math.round(p![0] * 1e7), Math.round(p![1] * 1e7)], i * 2));
  return line;
}

export function mean(points: Array<[number, number] | undefined>): [number, number] | null {
  const known = points.filter((p): p is [number, number] => !!p);
  if (!known.length) return null;
  return [known.reduce((s, p) => s + p[0], 0) / known.length, known.reduce((s, p) => s + p[1], 0) / known.length];
}

/** How important a place of the extract is, by its kind, on the gazetteer's scale (log10 of a typical population). */
const PLACE_IMPORTANCE: Record<string, number> = { city: 6, town: 4.5, village: 3, hamlet: 2 };

export function toRecord(el: OsmElement, wayCentres: { get(id: number): [number, number] | undefined }): AddressRecord | null {
  const t = el.tags;
  if (el.kind === 'node' && t.place && PLACE_IMPORTANCE[t.place] && t.name) {
    const population = Number(t.population);
    const importance = Number.isFinite(population) && population > 0 ? Math.log10(population + 10) : PLACE_IMPORTANCE[t.place];
    return { city: null, street: '', house: '', lat: el.lat, lon: el.lon, place: { name: t.name, importance } };
  }
  if (!t['addr:street'] && !t['addr:housenumber']) return null;
  if (!t['addr:street'] || !t['addr:housenumber']) return { city: null, street: t['addr:street'] ?? '', house: t['addr:housenumber'] ?? '', lat: null, lon: null };
  let { lat, lon } = el;
  if (el.kind === 'way') [lat, lon] = wayCentres.get(Number(el.id)) ?? [null, null];
  if (el.kind === 'relation') {
    // A point inside the building: the centre of its outer rings (the rings' own centres, averaged).
    const outer = (el.members ?? []).filter((m) => m.type === 'way' && m.role !== 'inner');
    [lat, lon] = mean(outer.map((m) => wayCentres.get(Number(m.ref)))) ?? [null, null];
  }
  return {
    city: t['addr:city'] ?? t['addr:place'] ?? null,
    street: t['addr:street'],
    house: t['addr:housenumber'],
    region: t['addr:region'] ?? t['addr:state'] ?? null,
    postcode: t['addr:postcode'] ?? null,
    lat: lat === null ? null : Math.round(lat * 1e7) / 1e7,
    lon: lon === null ? null : Math.round(lon * 1e7) / 1e7,
  };
}
