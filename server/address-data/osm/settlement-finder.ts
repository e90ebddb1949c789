/**
 * The settlement a house without `addr:city` belongs to (most Russian OSM houses have none): the
 * gazetteer settlement that best explains its position — a big city's pull reaches further than
 * a village's, so a house 8 km from Moscow's centre is Moscow, not the nearer town of 20,000, and
 * a house in Peterhof is Peterhof, not St Petersburg 30 km away.
 */
interface Settlement {
  city: string | null;
  region: string | null;
  importance: number;
  country: string | null;
  country_code: string | null;
  lat: number | null;
  lon: number | null;
}

/** Beyond this, a house is left without a city rather than given a wrong one. */
const MAX_KM = 40;
/** How many km of distance one step of importance (a tenfold population) is worth. */
const KM_PER_IMPORTANCE = 10;
const CELL_DEGREES = 0.5;

export class SettlementFinder {
  private readonly cells = new Map<string, Settlement[]>();

  constructor(settlements: Iterable<Settlement>) {
    for (const s of settlements) {
      if (s.lat === null || s.lon === null || !s.city) continue;
      const key = this.cell(s.lat, s.lon);
      const cell = this.cells.get(key);
      if (cell) cell.push(s);
      else this.cells.set(key, [s]);
    }
  }

  /** The settlement for a point, or null when none is near enough. */
  find(lat: number | null, lon: number | null): Settlement | null {
    if (lat === null || lon === null) return null;
    let best: { s: Settlement; score: number } | null = null;
    const [ci, cj] = [Math.floor(lat / CELL_DEGREES), Math.floor(lon / CELL_DEGREES)];
    for (let i = ci - 1; i <= ci + 1; i++) {
      for (let j = cj - 1; j <= cj + 1; j++) {
        for (const s of this.cells.get(`${i}:${j}`) ?? []) {
          const km = distanceKm(lat, lon, s.lat!, s.lon!);
          if (km > MAX_KM) continue;
          const score = s.importance - km / KM_PER_IMPORTANCE;
          if (!best || score > best.score) best = { s, score };
        }
      }
    }
    return best?.s ?? null;
  }

  private cell(lat: number, lon: number): string {
    return `${Math.floor(lat / CELL_DEGREES)}:${Math.floor(lon / CELL_DEGREES)}`;
  }
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  const y = (lat2 - lat1) * rad;
  return Math.sqrt(x * x + y * y) * 6371;
}

/**
 * The city most often named by the houses around a point (within `maxKm`): a house without
 * `addr:city` in a street whose neighbours have one belongs to the same city.
 */
export class NeighbourCity {
  private readonly cells = new Map<string, Array<{ city: string; lat: number; lon: number }>>();

  constructor(
    named: Iterable<{ city: string | null; lat: number | null; lon: number | null }>,
    private readonly maxKm = 1.5,
  ) {
    for (const h of named) {
      if (!h.city || h.lat === null || h.lon === null) continue;
      const key = NeighbourCity.cell(h.lat, h.lon);
      const cell = this.cells.get(key);
      const entry = { city: h.city, lat: h.lat, lon: h.lon };
      if (cell) cell.push(entry);
      else this.cells.set(key, [entry]);
    }
  }

  find(lat: number | null, lon: number | null): string | null {
    if (lat === null || lon === null) return null;
    const votes = new Map<string, number>();
    const [ci, cj] = NeighbourCity.cell(lat, lon).split(':').map(Number);
    for (let i = ci - 1; i <= ci + 1; i++) {
      for (let j = cj - 1; j <= cj + 1; j++) {
        for (const h of this.cells.get(`${i}:${j}`) ?? []) {
          if (distanceKm(lat, lon, h.lat, h.lon) <= this.maxKm) votes.set(h.city, (votes.get(h.city) ?? 0) + 1);
        }
      }
    }
    return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  }

  private static cell(lat: number, lon: number): string {
    return `${Math.floor(lat / 0.02)}:${Math.floor(lon / 0.02)}`;
  }
}
