/**
 * OpenStreetMap elements → address records: nodes and ways tagged addr:street +
 * addr:housenumber. A way's position is the mean of its nodes, so node coordinates are kept
 * while the file streams by (extracts list nodes before ways).
 */
import type { AddressRecord } from './address-record.js';
import { PositionStore } from './position-store.js';

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

/**
 * Extracts list nodes, then ways, then relations: node positions are kept while the file streams
 * by, and so is each way's centre, so that a building mapped as a multipolygon relation (its
 * address on the relation, 23% of central Moscow's address objects) gets a position too.
 */
export async function* osmRecords(elements: AsyncIterable<OsmElement>): AsyncGenerator<AddressRecord> {
  const coords = new PositionStore();
  const wayCentres = new PositionStore();
  for await (const el of elements) {
    if (el.kind === 'node' && el.lat !== null && el.lon !== null) coords.set(Number(el.id), el.lat, el.lon);
    if (el.kind === 'way') {
      const centre = mean(el.refs.map((r) => coords.get(Number(r))));
      if (centre) wayCentres.set(Number(el.id), centre[0], centre[1]);
    }
    const record = toRecord(el, wayCentres);
    if (record) yield record;
  }
}

function mean(points: Array<[number, number] | undefined>): [number, number] | null {
  const known = points.filter((p): p is [number, number] => !!p);
  if (!known.length) return null;
  return [known.reduce((s, p) => s + p[0], 0) / known.length, known.reduce((s, p) => s + p[1], 0) / known.length];
}

/** How important a place of the extract is, by its kind, on the gazetteer's scale (log10 of a typical population). */
const PLACE_IMPORTANCE: Record<string, number> = { city: 6, town: 4.5, village: 3, hamlet: 2 };

function toRecord(el: OsmElement, wayCentres: PositionStore): AddressRecord | null {
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
