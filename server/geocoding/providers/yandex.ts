/**
 * Yandex Geosuggest (geocoding-notes, Providers). It gives no coordinates; the structured parts
 * come from `address.component` (print_address=1). Its answers may be cached ≤ 30 days.
 */
import type { Geocoder, Suggestion, SuggestOptions } from '../types.js';
import { buildSuggestion } from '../types.js';
import { providerRequest } from './provider-http.js';

const DEFAULT_URL = 'https://suggest-maps.yandex.ru/v1/suggest';

interface YandexResult {
  title?: { text?: string };
  subtitle?: { text?: string };
  address?: { formatted_address?: string; component?: Array<{ name: string; kind: string[] }> };
}

export class YandexGeocoder implements Geocoder {
  readonly name = 'yandex' as const;
  constructor(
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    private readonly url = DEFAULT_URL,
  ) {}

  async suggest(query: string, options: SuggestOptions, signal?: AbortSignal): Promise<Suggestion[]> {
    const text = options.city ? `${options.city}, ${query}` : query;
    const body = await providerRequest<{ results?: YandexResult[] }>('yandex', {
      method: 'GET',
      url: this.url,
      timeout: this.timeoutMs,
      signal,
      params: { apikey: this.apiKey, text, lang: options.language, results: Math.min(options.count, 10), types: 'locality,street,house', print_address: 1 },
    });
    return (body.results ?? []).map((result) => toSuggestion(result));
  }
}

function toSuggestion(result: YandexResult): Suggestion {
  const components = result.address?.component ?? [];
  const last = (kind: string) => [...components].reverse().find((c) => c.kind?.includes(kind))?.name ?? null;
  const first = (kind: string) => components.find((c) => c.kind?.includes(kind))?.name ?? null;
  const country = first('COUNTRY');
  const formatted = result.address?.formatted_address ?? [result.title?.text, result.subtitle?.text].filter(Boolean).join(', ');
  const value = country && formatted.startsWith(`${country}, `) ? formatted.slice(country.length + 2) : formatted;
  return buildSuggestion({ country, region: last('PROVINCE'), city: first('LOCALITY'), street: first('STREET'), house: first('HOUSE') }, 'yandex', value);
}
