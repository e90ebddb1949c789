/**
 * A point for a place the index has none for (a registry house on a street OpenStreetMap does not
 * name): its settlement's or city's from the gazetteer, so its zone can still be found, marked
 * approximate (DaData's qc_geo 3 settlement, 4 city). The gazetteer's Russian place of the name
 * first; one of another country only for a city that is its own region (г Байконур: region 99 of
 * the registry, a Kazakh town in the gazetteer), never for a namesake abroad.
 */
import type { PlacesRepository } from '../store/places-repository.js';
import { indexText } from './normalize.js';

interface Town {
  lat: number;
  lon: number;
  russian: boolean;
}

const key = (name: string | null | undefined) => (name ? indexText(name).split(' ').sort().join(' ') : '');

export class SettlementPoints {
  private readonly byIndex = new WeakMap<PlacesRepository, Map<string, Town>>();

  /** The point and its qc_geo for a row without one, or null. */
  find(places: PlacesRepository, row: { region?: string | null; city?: string | null; settlement?: string | null }): { lat: number; lon: number; qc: '3' | '4' } | null {
    const towns = this.townsOf(places);
    for (const [name, qc] of [[row.settlement, '3'], [row.city, '4']] as const) {
      const town = name ? towns.get(key(name)) : undefined;
      if (!town) continue;
      if (town.russian || key(row.region) === key(name)) return { lat: town.lat, lon: town.lon, qc };
    }
    return null;
  }

  private townsOf(places: PlacesRepository): Map<string, Town> {
    let towns = this.byIndex.get(places);
    if (towns) return towns;
    towns = new Map();
    // Least important first (the repository's order), so the most populous of a shared name wins;
    // a Russian one always wins over one abroad.
    for (const s of places.settlements()) {
      if (s.lat === null || s.lon === null || !s.city) continue;
      const russian = s.country_code === 'RU' || s.country_code === null;
      const k = key(s.city);
      if (!russian && towns.get(k)?.russian) continue;
      towns.set(k, { lat: s.lat, lon: s.lon, russian });
    }
    this.byIndex.set(places, towns);
    return towns;
  }
}
