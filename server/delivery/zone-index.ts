/**
 * One account's zones compiled for lookups: the zones in their order (the first that holds the
 * point wins, so an inner zone listed before the ring around it answers for its area) and the
 * warehouses for distances. Built once per stored version.
 */
import { BandedPolygon, haversineKm, inBbox, bboxOf, yieldToLoop, type BandedParts, type Bbox } from './geometry.js';
import type { StoredZone, Warehouse } from '../store/delivery-zones-repository.js';
import type { DistancePricing } from '../../contract/delivery.js';

export interface ZoneHit {
  zone: StoredZone;
}

export interface CompiledZone {
  zone: StoredZone;
  bbox: Bbox;
  polygons: BandedPolygon[];
}

/** A compiled zone as it crosses threads: its polygons as parts, their typed arrays transferred. */
export interface CompiledZoneParts {
  zone: StoredZone;
  bbox: Bbox;
  polygons: BandedParts[];
}

/**
 * The outline lives on in typed arrays only: the zone kept for answers drops its nested
 * coordinate arrays (500 zones × 1,000 vertices are half a million small arrays for the
 * garbage collector to walk on every major collection).
 */
export const compileZone = (zone: StoredZone): CompiledZone => ({ zone: { ...zone, polygons: [] }, bbox: bboxOf(zone.polygons.flat()), polygons: zone.polygons.map((p) => new BandedPolygon(p)) });

export class ZoneIndex {
  private readonly compiled: CompiledZone[];

  constructor(
    zones: StoredZone[],
    readonly warehouses: Warehouse[],
    readonly pricing: DistancePricing | null = null,
    compiled?: CompiledZone[],
  ) {
    this.compiled = compiled ?? zones.map(compileZone);
  }

  /**
   * The same, built a few zones at a time with the event loop let run between them: 500 zones of
   * 1,000 vertices take a few hundred milliseconds to compile, which must not stall every other
   * account's suggestions (npm run bench, "delivery zones").
   */
  static async build(zones: StoredZone[], warehouses: Warehouse[], pricing: DistancePricing | null = null): Promise<ZoneIndex> {
    const compiled: CompiledZone[] = [];
    let vertices = 0;
    for (const zone of zones) {
      compiled.push(compileZone(zone));
      vertices += zone.polygons.reduce((sum, p) => sum + p.reduce((s, r) => s + r.length, 0), 0);
      if (vertices > 20_000) {
        vertices = 0;
        await yieldToLoop();
      }
    }
    return new ZoneIndex(zones, warehouses, pricing, compiled);
  }

  /** An index from zones compiled in the zone reader's worker (zone-reader.ts, `compile`). */
  static fromParts(parts: CompiledZoneParts[], warehouses: Warehouse[], pricing: DistancePricing | null): ZoneIndex {
    return new ZoneIndex([], warehouses, pricing, parts.map((c) => ({ zone: c.zone, bbox: c.bbox, polygons: c.polygons.map((p) => BandedPolygon.fromParts(p)) })));
  }

  get hasZones(): boolean {
    return this.compiled.length > 0;
  }

  /** Whether answers carry a delivery rate: the account has zones, or prices by distance from a warehouse. */
  get prices(): boolean {
    return this.hasZones || (this.pricing !== null && this.warehouses.length > 0);
  }

  /** The first zone (in the account's order) that holds the point, or null. */
  locate(lon: number, lat: number): StoredZone | null {
    for (const c of this.compiled) {
      if (!inBbox(c.bbox, lon, lat)) continue;
      for (const p of c.polygons) if (p.contains(lon, lat)) return c.zone;
    }
    return null;
  }

  /** Straight-line kilometres to the nearest warehouse (one decimal), or null without warehouses. */
  distanceKm(lon: number, lat: number): number | null {
    if (!this.warehouses.length) return null;
    let best = Infinity;
    for (const w of this.warehouses) best = Math.min(best, haversineKm(lon, lat, w.lon, w.lat));
    return Math.round(best * 10) / 10;
  }
}
