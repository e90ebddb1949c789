/**
 * Reads an uploaded zone file — GeoJSON (RFC 7946: a FeatureCollection, a Feature or a bare
 * Polygon/MultiPolygon), KML or KMZ — into zones ready to store, or refuses it in words. Nothing
 * half-read is ever returned: the zones in use stay as they are until a whole file is good.
 */
import { describeZone, namedIn, type ZoneDescription } from './zone-properties.js';
import { KmlError, readKml, unpackKmz } from './kml-reader.js';
import { haversineKm, selfCrossing, yieldToLoop, type Polygon, type Position, type Ring } from './geometry.js';
import type { ZoneWarning } from '../../contract/api.js';

export const ZONE_LIMITS = {
  zones: 500,
  verticesPerZone: 10_000,
  /** The request body (a GeoJSON of 500 zones × 1,000 vertices is about 20 MB). */
  fileBytes: 32 * 1024 * 1024,
  kmzEntries: 1000,
  /** What a KMZ may inflate to: a KML of 500 zones × 1,000 vertices is about 25 MB. */
  kmzUnpackedBytes: 32 * 1024 * 1024,
  /** Every zone's vertices together: 500 × 1,000 and room to spare, read in a second or two. */
  totalVertices: 1_000_000,
  /** How deep GeometryCollections may nest (editors write one level; a deep one is an attack). */
  nesting: 16,
};

export type ZoneFileFormat = 'geojson' | 'kml' | 'kmz';

export interface ZoneDraft extends ZoneDescription {
  polygons: Polygon[];
}

export interface ReadZoneFile {
  format: ZoneFileFormat;
  zones: ZoneDraft[];
  /** Features that are not areas (points, lines), counted, not used. */
  skipped: number;
  /** What was read differently from how it was written (3-D positions, merged zones): a code the console words, and the words. */
  warnings: ZoneWarning[];
}

/** Where the account's zones may plausibly be: near its warehouses, else in Russia. */
export interface PlausibleArea {
  warehouses: Position[];
}

export type ZoneFileReason = 'not_a_zone_file' | 'no_zones' | 'too_many_zones' | 'too_many_vertices' | 'unclosed_ring' | 'self_crossing' | 'bad_coordinates' | 'swapped_coordinates' | 'kmz_too_large' | 'too_large' | 'bad_price';

export class ZoneFileError extends Error {
  constructor(
    message: string,
    /** A code the console words itself (and a test can check). */
    readonly reason: ZoneFileReason,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export interface ReadOptions {
  /** Take rings that cross themselves (filled even–odd, as Yandex's constructor draws them). */
  allowSelfCrossing?: boolean;
  area: PlausibleArea;
}

/** The file's format from its first bytes (a content type can be wrong; the bytes cannot). */
export function sniffFormat(body: Buffer): ZoneFileFormat | null {
  if (body.length >= 4 && body[0] === 0x50 && body[1] === 0x4b && body[2] === 0x03 && body[3] === 0x04) return 'kmz';
  const head = body.subarray(0, 512).toString('utf8').replace(/^\uFEFF/u, '').trimStart();
  if (head.startsWith('{')) return 'geojson';
  if (head.startsWith('<')) return 'kml';
  return null;
}

export async function readZoneFile(body: Buffer, options: ReadOptions): Promise<ReadZoneFile> {
  if (body.length > ZONE_LIMITS.fileBytes) throw new ZoneFileError(`The file is ${Math.round(body.length / 1048576)} MB; at most ${ZONE_LIMITS.fileBytes / 1048576} MB is read.`, 'too_large');
  const format = sniffFormat(body);
  if (!format) throw new ZoneFileError('This is not GeoJSON, KML or KMZ: export the map from Yandex’s map constructor (GeoJSON or KML) or Google My Maps (KML/KMZ) and upload that file.', 'not_a_zone_file');
  const raw = format === 'geojson' ? readGeoJson(body) : await readKmlZones(body, format);
  return await finish(raw, format, options);
}

interface RawZone {
  props: Record<string, unknown>;
  description: string | null;
  color: string | null;
  polygons: Array<Polygon | 'unclosed'>;
  /** The file names the zone itself (several features with one name are one zone). */
  explicitName: string | null;
  label: string;
}

interface RawFile {
  zones: RawZone[];
  skipped: number;
  threeD: boolean;
}

function readGeoJson(body: Buffer): RawFile {
  let root: unknown;
  try {
    root = JSON.parse(body.toString('utf8').replace(/^\uFEFF/u, ''));
  } catch (error) {
    throw new ZoneFileError(`The file starts like GeoJSON but is not valid JSON (${(error as Error).message}).`, 'not_a_zone_file');
  }
  const rootObj = root as { type?: unknown; crs?: { properties?: { name?: unknown } } };
  if (!rootObj || typeof rootObj !== 'object' || typeof rootObj.type !== 'string') throw new ZoneFileError('The JSON is not GeoJSON: it has no "type" (FeatureCollection, Feature or Polygon).', 'not_a_zone_file');
  const crs = rootObj.crs?.properties?.name;
  if (typeof crs === 'string' && !/CRS84|4326/u.test(crs)) throw new ZoneFileError(`The file's coordinates are in ${crs}; export them as longitude/latitude (WGS 84, EPSG:4326).`, 'bad_coordinates');

  const out: RawFile = { zones: [], skipped: 0, threeD: false };
  const features: unknown[] =
    rootObj.type === 'FeatureCollection' ? ((root as { features?: unknown[] }).features ?? []) : rootObj.type === 'Feature' ? [root] : [{ type: 'Feature', properties: {}, geometry: root }];
  if (!Array.isArray(features)) throw new ZoneFileError('"features" is not a list.', 'not_a_zone_file');
  features.forEach((f, i) => {
    const feature = f as { properties?: Record<string, unknown> | null; geometry?: unknown };
    const props = feature?.properties && typeof feature.properties === 'object' ? feature.properties : {};
    const label = `feature ${i + 1}`;
    const polygons: Array<Polygon | 'unclosed'> = [];
    collectPolygons(feature?.geometry, polygons, out, label, 0);
    if (!polygons.length) return void out.skipped++;
    out.zones.push({ props, description: typeof props.description === 'string' ? props.description : null, color: null, polygons, explicitName: namedIn(props), label });
  });
  return out;
}

function collectPolygons(geometry: unknown, into: Array<Polygon | 'unclosed'>, file: RawFile, label: string, depth: number): void {
  const g = geometry as { type?: unknown; coordinates?: unknown; geometries?: unknown[] } | null;
  if (!g || typeof g !== 'object') return;
  if (depth > ZONE_LIMITS.nesting) throw new ZoneFileError(`${label}: geometries nested more than ${ZONE_LIMITS.nesting} deep; no editor writes that. Export the map again.`, 'not_a_zone_file');
  if (g.type === 'Polygon') into.push(polygonFrom(g.coordinates, file, label));
  else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates)) throw new ZoneFileError(`${label}: a MultiPolygon without a list of polygons.`, 'bad_coordinates');
    for (const p of g.coordinates) into.push(polygonFrom(p, file, label));
  } else if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) for (const part of g.geometries) collectPolygons(part, into, file, label, depth + 1);
}

function polygonFrom(coordinates: unknown, file: RawFile, label: string): Polygon | 'unclosed' {
  if (!Array.isArray(coordinates) || !coordinates.length) throw new ZoneFileError(`${label}: a Polygon without rings.`, 'bad_coordinates');
  let unclosed = false;
  const rings = coordinates.map((ring) => {
    if (!Array.isArray(ring)) throw new ZoneFileError(`${label}: a ring is not a list of positions.`, 'bad_coordinates');
    const positions = ring.map((p) => {
      if (!Array.isArray(p) || p.length < 2 || !p.every((n) => typeof n === 'number' && Number.isFinite(n))) {
        throw new ZoneFileError(`${label}: a position ${JSON.stringify(p)?.slice(0, 40)} is not [longitude, latitude].`, 'bad_coordinates');
      }
      if (p.length > 2) file.threeD = true;
      return [p[0], p[1]] as Position;
    });
    const first = positions[0];
    const last = positions[positions.length - 1];
    if (!first || first[0] !== last[0] || first[1] !== last[1]) unclosed = true;
    return positions;
  });
  return unclosed ? 'unclosed' : rings;
}

async function readKmlZones(body: Buffer, format: 'kml' | 'kmz'): Promise<RawFile> {
  try {
    const text = format === 'kmz' ? await unpackKmz(body, { maxEntries: ZONE_LIMITS.kmzEntries, maxUnpackedBytes: ZONE_LIMITS.kmzUnpackedBytes }) : body.toString('utf8');
    const doc = readKml(text.replace(/^\uFEFF/u, ''));
    return {
      zones: doc.placemarks.map((p, i) => ({ props: { ...p.data, ...(p.name ? { name: p.name } : {}) }, description: p.description, color: p.color, polygons: p.polygons, explicitName: p.name, label: `placemark ${i + 1}` })),
      skipped: doc.skipped,
      threeD: doc.placemarks.some((p) => p.threeD),
    };
  } catch (error) {
    if (error instanceof KmlError) throw new ZoneFileError(`The ${format.toUpperCase()} cannot be used: ${error.message}.`, /unpacks to|holds \d+ files/u.test(error.message) ? 'kmz_too_large' : 'not_a_zone_file');
    throw error;
  }
}

const RUSSIA = (p: Position) => p[1] >= 41 && p[1] <= 82 && (p[0] >= 19 || p[0] <= -168);
/** Zones of a delivery business lie within a city and its suburbs: 200 km of a warehouse. */
const NEAR_WAREHOUSE_KM = 200;

async function finish(raw: RawFile, format: ZoneFileFormat, options: ReadOptions): Promise<ReadZoneFile> {
  const warnings: ZoneWarning[] = [];
  if (!raw.zones.length) throw new ZoneFileError(`The file has no areas (polygons)${raw.skipped ? `, only ${raw.skipped} points or lines` : ''}: draw the zones as polygons and export again.`, 'no_zones');
  const unclosed = raw.zones.filter((z) => z.polygons.includes('unclosed'));
  if (unclosed.length) {
    throw new ZoneFileError(`${unclosed.length} zone(s) have a ring that does not end where it starts (${unclosed.slice(0, 5).map((z) => z.explicitName ?? z.label).join(', ')}); GeoJSON and KML rings must be closed.`, 'unclosed_ring', unclosed.map((z) => z.explicitName ?? z.label));
  }
  const all = raw.zones.flatMap((z) => (z.polygons as Polygon[]).flat(2));
  const far = checkCoordinates(all, options.area);
  if (far) warnings.push(far);

  // Several features with one name are one zone (My Maps draws a zone as several Placemarks).
  const merged: RawZone[] = [];
  const byName = new Map<string, RawZone>();
  for (const zone of raw.zones) {
    const key = zone.explicitName?.toLowerCase();
    const same = key ? byName.get(key) : undefined;
    if (same) same.polygons.push(...zone.polygons);
    else {
      const copy = { ...zone, polygons: [...zone.polygons] };
      merged.push(copy);
      if (key) byName.set(key, copy);
    }
  }
  if (merged.length < raw.zones.length) {
    const count = raw.zones.length - merged.length;
    warnings.push({ code: 'merged', count, zones: merged.length, text: `${count} area(s) share a name with another and were joined to it: ${merged.length} zones.` });
  }
  if (merged.length > ZONE_LIMITS.zones) throw new ZoneFileError(`The file has ${merged.length} zones; at most ${ZONE_LIMITS.zones} are kept per account.`, 'too_many_zones');
  if (raw.threeD) warnings.push({ code: 'three_d', text: 'Positions carry a height (3-D); the height is ignored.' });

  const total = merged.reduce((sum, z) => sum + (z.polygons as Polygon[]).reduce((a, p) => a + p.reduce((b, r) => b + r.length, 0), 0), 0);
  if (total > ZONE_LIMITS.totalVertices) throw new ZoneFileError(`The zones have ${total} vertices together; at most ${ZONE_LIMITS.totalVertices} are kept per account (simplify them in the editor).`, 'too_many_vertices');

  const crossings: string[] = [];
  const zones: ZoneDraft[] = [];
  for (const [i, zone] of merged.entries()) {
    // Other requests run between zones: a big file's checks take a second or two.
    if (i % 20 === 19) await yieldToLoop();
    const polygons = (zone.polygons as Polygon[]).map((p) => p.map(dropRepeats));
    const vertices = polygons.reduce((sum, p) => sum + p.reduce((s, r) => s + r.length - 1, 0), 0);
    const described = describeZone(zone.props, zone.description);
    const name = described.name ?? `Зона ${i + 1}`;
    for (const [what, amount] of [['price', described.price], ['minimum order', described.minOrder], ['free-from sum', described.freeFrom]] as const) {
      if (amount !== null && amount < 0) throw new ZoneFileError(`Zone “${name}” has a negative ${what} (${amount}); prices and sums are 0 or more.`, 'bad_price', [name]);
    }
    if (vertices > ZONE_LIMITS.verticesPerZone) throw new ZoneFileError(`Zone “${name}” has ${vertices} vertices; at most ${ZONE_LIMITS.verticesPerZone} per zone are kept (simplify it in the editor).`, 'too_many_vertices', [name]);
    for (const polygon of polygons) {
      for (const ring of polygon) {
        if (ring.length < 4) throw new ZoneFileError(`Zone “${name}” has a ring of ${ring.length} positions; a ring needs at least 4 (3 corners and the first again).`, 'bad_coordinates', [name]);
        const at = selfCrossing(ring);
        if (at) crossings.push(`“${name}” near ${at[1].toFixed(5)}, ${at[0].toFixed(5)}`);
      }
    }
    zones.push({ ...described, name, color: described.color ?? zone.color, polygons });
  }
  if (crossings.length && !options.allowSelfCrossing) {
    throw new ZoneFileError(`${crossings.length} ring(s) cross themselves: ${crossings.slice(0, 5).join('; ')}${crossings.length > 5 ? '; …' : ''}. Fix them in the editor, or upload again with “use anyway” (inside is then decided even–odd, as Yandex Maps fills them).`, 'self_crossing', crossings);
  }
  if (crossings.length) warnings.push({ code: 'self_crossing', count: crossings.length, text: `${crossings.length} ring(s) cross themselves; inside is decided even–odd.` });

  // An explicit order from the file (sadboe's `priority`: inner zones first); otherwise the file's.
  if (zones.some((z) => z.priority !== null)) {
    zones.sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity));
  }
  return { format, zones, skipped: raw.skipped, warnings };
}

function dropRepeats(ring: Ring): Ring {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
}

/**
 * Coordinates out of range, or swapped: when no position is where the account works (near its
 * warehouses, or in Russia when it has none) and every one would be with longitude and latitude
 * exchanged, the file was written lat,lon (ymaps' default order; ../shared/zones file 9).
 */
function checkCoordinates(all: Position[], area: PlausibleArea): ZoneWarning | null {
  const plausible = area.warehouses.length ? (p: Position) => area.warehouses.some((w) => haversineKm(p[0], p[1], w[0], w[1]) <= NEAR_WAREHOUSE_KM) : RUSSIA;
  const valid = (p: Position) => Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;
  const swapped = (p: Position): Position => [p[1], p[0]];
  const sample = all.length > 5000 ? all.filter((_, i) => i % Math.ceil(all.length / 5000) === 0) : all;
  const swapFits = sample.every((p) => valid(swapped(p)) && plausible(swapped(p)));
  if (sample.every((p) => !valid(p) || !plausible(p)) && swapFits) {
    const where = area.warehouses.length ? 'near your warehouses' : 'in Russia';
    throw new ZoneFileError(`Latitude and longitude look swapped: read as longitude,latitude no point is ${where}, read the other way round every point is. Export the file with longitude first (GeoJSON and KML order) and upload it again.`, 'swapped_coordinates');
  }
  const bad = all.find((p) => !valid(p));
  if (bad) throw new ZoneFileError(`A position ${bad[0]}, ${bad[1]} is outside the Earth's longitude (±180) or latitude (±90); the file is not in longitude/latitude degrees.`, 'bad_coordinates');
  if (!sample.some(plausible)) {
    return area.warehouses.length
      ? { code: 'far_from_warehouses', km: NEAR_WAREHOUSE_KM, text: `No zone is within ${NEAR_WAREHOUSE_KM} km of a warehouse: check that this is the right map.` }
      : { code: 'outside_russia', text: 'No zone is in Russia: check that this is the right map.' };
  }
  return null;
}
