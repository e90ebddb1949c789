/** DaData suggestions (geocoding-notes, Providers): POST suggest/address with `Authorization: Token`. */
import type { Geocoder, Suggestion, SuggestOptions } from '../types.js';
import { addressData } from '../types.js';
import { providerRequest } from './provider-http.js';

const DEFAULT_URL = 'https://suggestions.dadata.ru/suggestions/api/4_1/rs/suggest/address';

interface DadataSuggestion {
  value: string;
  unrestricted_value: string;
  data: Record<string, string | null | undefined>;
}

export class DadataGeocoder implements Geocoder {
  readonly name = 'dadata' as const;
  constructor(
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    private readonly url = DEFAULT_URL,
  ) {}

  async suggest(query: string, options: SuggestOptions, signal?: AbortSignal): Promise<Suggestion[]> {
    const locations = [options.city ? { city: options.city } : null, options.region ? { region: options.region } : null].filter(Boolean);
    const body = await providerRequest<{ suggestions?: DadataSuggestion[] }>('dadata', {
      method: 'POST',
      url: this.url,
      timeout: this.timeoutMs,
      signal,
      headers: { Authorization: `Token ${this.apiKey}`, Accept: 'application/json', 'Content-Type': 'application/json' },
      data: { query, count: options.count, language: options.language, ...(locations.length ? { locations } : {}) },
    });
    // DaData's answer is kept whole (its fias ids, types and spelling); the builder only adds what ours carry beside it.
    return (body.suggestions ?? []).map((s) => ({ value: s.value, unrestricted_value: s.unrestricted_value ?? s.value, data: addressData(s.data), source: 'dadata' as const }));
  }
}
