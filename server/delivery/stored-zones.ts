/**
 * A read file's zones as the store keeps them, made where the file was read (the worker thread):
 * the JSON of every zone with its outline, and a listing without the outlines (name, price…,
 * the vertex count and a thinned outline for the console's map). The thread that answers
 * suggestions then never stringifies or parses megabytes of coordinates for an upload.
 */
import { packZones, unpackZones, type StoredZone } from '../store/delivery-zones-repository.js';
import type { Polygon } from './geometry.js';
import type { ReadZoneFile, ZoneDraft } from './zone-file.js';

/** Colours for zones whose file names none (Yandex constructor's palette). */
const PALETTE = ['#ed4543', '#1e98ff', '#56db40', '#ff931e', '#b51eff', '#ffd21e', '#177bc9', '#e6761b', '#97a100', '#595959'];

/** A zone without its full outline: what the console lists and draws. */
export interface ZoneListing extends Omit<StoredZone, 'polygons'> {
  vertices: number;
  /** Each ring thinned to at most 200 vertices: enough for a map of 500 zones without megabytes. */
  outline: Polygon[];
}

export interface PreparedZoneFile extends Omit<ReadZoneFile, 'zones'> {
  /** The stored zones (StoredZone[]) as the store's text (packed JSON), written as it is. */
  json: string;
  listing: ZoneListing[];
}

export function storedZone(draft: ZoneDraft, id: number, i: number): StoredZone {
  return { id, name: draft.name ?? `Зона ${i + 1}`, price: draft.price, min_order: draft.minOrder, free_from: draft.freeFrom, time: draft.time, color: draft.color ?? PALETTE[i % PALETTE.length], no_delivery: draft.noDelivery, note: draft.note, polygons: draft.polygons };
}

export function listingOf(zone: StoredZone): ZoneListing {
  const { polygons, ...rest } = zone;
  return { ...rest, vertices: polygons.reduce((sum, p) => sum + p.reduce((s, r) => s + r.length - 1, 0), 0), outline: outlines(polygons) };
}

/** The zones of a read file, numbered from `firstId`, as JSON and as a listing. */
export function prepareZones(read: ReadZoneFile, firstId: number): PreparedZoneFile {
  const zones = read.zones.map((draft, i) => storedZone(draft, firstId + i, i));
  return { format: read.format, skipped: read.skipped, warnings: read.warnings, json: packZones(JSON.stringify(zones)), listing: zones.map(listingOf) };
}

/**
 * The zones' outlines for the console's drawing: each ring thinned to at most `maxPoints`
 * (every k-th vertex), enough for a 600-pixel preview of 500 zones without sending megabytes.
 */
export function outlines(polygons: Polygon[], maxPoints = 200): Polygon[] {
  return polygons.map((p) => p.map((ring) => (ring.length <= maxPoints ? ring : ring.filter((_, i) => i % Math.ceil(ring.length / maxPoints) === 0 || i === ring.length - 1))));
}

/**
 * The stored zones (the store's text) with the admin's edits applied and in the edits' order, as
 * the store's text again; null when the ids no longer match (the zones were replaced meanwhile).
 */
export function editZones(stored: string, edits: Array<Omit<StoredZone, 'polygons' | 'note'>>): string | null {
  const zones = JSON.parse(unpackZones(stored)) as StoredZone[];
  const byId = new Map(zones.map((z) => [z.id, z]));
  if (edits.length !== zones.length || edits.some((e) => !byId.has(e.id))) return null;
  return packZones(JSON.stringify(edits.map((e) => ({ ...byId.get(e.id)!, ...e }))));
}
