/** A self-hosted Photon (komoot; OpenStreetMap data), built for search-as-you-type (geocoding-notes). */
import type { Geocoder, Suggestion, SuggestOptions } from '../types.js';
import { buildSuggestion } from '../types.js';
import { placeValue } from '../place-format.js';
import { providerRequest } from './provider-http.js';

interface PhotonFeature {
  geometry?: { coordinates?: [number, number] };
  properties?: Record<string, string | undefined>;
}

export class PhotonGeocoder implements Geocoder {
  readonly name = 'photon' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async suggest(query: string, options: SuggestOptions, signal?: AbortSignal): Promise<Suggestion[]> {
    const text = options.city ? `${query}, ${options.city}` : query;
    const body = await providerRequest<{ features?: PhotonFeature[] }>('photon', {
      method: 'GET',
      url: `${this.baseUrl}/api`,
      timeout: this.timeoutMs,
      signal,
      // Photon's own languages are default/en/de/fr; "default" gives the local (Russian) names.
      params: { q: text, limit: options.count, lang: options.language === 'en' ? 'en' : 'default' },
    });
    return (body.features ?? []).map(toSuggestion);
  }
}

function toSuggestion(feature: PhotonFeature): Suggestion {
  const p = feature.properties ?? {};
  const [lon, lat] = feature.geometry?.coordinates ?? [];
  const isPlace = p.osm_key === 'place';
  const city = p.city ?? (isPlace ? p.name : undefined) ?? null;
  const street = p.street ?? (p.osm_key === 'highway' ? p.name : undefined) ?? null;
  const value = placeValue({ city, street, house: p.housenumber ?? null }) || p.name || '';
  return buildSuggestion({ country: p.country, country_code: p.countrycode, region: p.state, city, street, house: p.housenumber, postal_code: p.postcode, lat, lon }, 'photon', value);
}
