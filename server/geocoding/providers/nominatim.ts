/**
 * A self-hosted Nominatim. The public server's policy forbids autocomplete, so config.ts refuses
 * nominatim.openstreetmap.org (geocoding-notes, Providers).
 */
import type { Geocoder, Suggestion, SuggestOptions } from '../types.js';
import { buildSuggestion } from '../types.js';
import { placeValue } from '../place-format.js';
import { providerRequest } from './provider-http.js';

interface NominatimPlace {
  lat?: string;
  lon?: string;
  display_name?: string;
  address?: Record<string, string | undefined>;
}

export class NominatimGeocoder implements Geocoder {
  readonly name = 'nominatim' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async suggest(query: string, options: SuggestOptions, signal?: AbortSignal): Promise<Suggestion[]> {
    const text = options.city ? `${query}, ${options.city}` : query;
    const places = await providerRequest<NominatimPlace[]>('nominatim', {
      method: 'GET',
      url: `${this.baseUrl}/search`,
      timeout: this.timeoutMs,
      signal,
      params: { q: text, format: 'jsonv2', addressdetails: 1, limit: options.count, 'accept-language': options.language },
    });
    return (Array.isArray(places) ? places : []).map(toSuggestion);
  }
}

function toSuggestion(place: NominatimPlace): Suggestion {
  const a = place.address ?? {};
  const city = a.city ?? a.town ?? a.village ?? null;
  const value = placeValue({ city, street: a.road ?? null, house: a.house_number ?? null }) || place.display_name || '';
  return buildSuggestion({ country: a.country, country_code: a.country_code, region: a.state, city, street: a.road, house: a.house_number, postal_code: a.postcode, lat: place.lat, lon: place.lon }, 'nominatim', value);
}
