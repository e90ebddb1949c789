/**
 * The registry has no coordinates (SOURCES.md). What the index already holds gives them:
 * an OpenStreetMap house of the same settlement, street and number gives a registry house its
 * point (and is then dropped: one real house, one suggestion); an OpenStreetMap street of the same
 * settlement and name gives its point to the registry street; the gazetteer's settlement of the
 * same name gives a city's. DaData's qc_geo says which: 0 house, 2 street, 4 city, 5 none.
 */
import type { PlacesRepository } from '../../store/places-repository.js';
import { indexText } from '../../geocoding/normalize.js';
import { houseKey } from '../../geocoding/house-number.js';

interface Point {
  lat: number | null;
  lon: number | null;
  qc: string;
  importance?: number;
}

/** The words of a name without its type words, one way for both sources ("Тверская улица" = "ул Тверская"). */
export const nameKey = (name: string | null | undefined) => (name ? indexText(name).split(' ').sort().join(' ') : '');

export class PointFinder {
  private readonly cities = new Map<string, { lat: number; lon: number; importance: number }>();
  private readonly streets = new Map<string, { lat: number; lon: number }>();

  constructor(places: PlacesRepository) {
    for (const s of places.settlements()) {
      if (s.lat === null || s.lon === null || (s.country_code && s.country_code !== 'RU')) continue;
      // Least important first, so the most populous of a shared name wins.
      this.cities.set(nameKey(s.city), { lat: s.lat, lon: s.lon, importance: s.importance });
    }
    for (const s of places.osmStreets()) if (s.lat !== null && s.lon !== null) this.streets.set(`${nameKey(s.city)}|${nameKey(s.street)}`, { lat: s.lat, lon: s.lon });
  }

  find(city: string | null, settlement: string | null, street: string | null): Point {
    const place = settlement ?? city;
    if (street) {
      const own = this.streets.get(`${nameKey(place)}|${nameKey(street)}`);
      if (own) return { ...own, qc: '2' };
    }
    const town = (settlement ? this.cities.get(nameKey(settlement)) : undefined) ?? (city ? this.cities.get(nameKey(city)) : undefined);
    if (town) return { lat: town.lat, lon: town.lon, qc: settlement && this.cities.has(nameKey(settlement)) ? '3' : '4', importance: town.importance };
    return { lat: null, lon: null, qc: '5' };
  }
}

/** The key an OpenStreetMap house and a registry house share when they are the same house. */
export const houseTwinKey = (place: string | null, street: string | null, house: string | null, block: string | null = null) => `${nameKey(place)}|${nameKey(street)}|${houseKey(house, block) ?? ''}`;
