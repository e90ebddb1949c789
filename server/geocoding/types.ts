import { REGISTRY_FIELDS, type AddressData, type Suggestion, type SuggestionSource } from '../../contract/api.js';

/** The shapes the widget sees are declared once, in contract/api.ts. */
export type { AddressData, Suggestion, SuggestionSource };

export interface SuggestOptions {
  count: number;
  /** Bias towards a city or region, as typed in the widget settings ("Самара"). */
  city?: string;
  region?: string;
  /** Where the account's own addresses show it delivers: ranked first by the embedded index, never a filter (providers ignore it). */
  boost?: string;
  language: 'ru' | 'en';
}

/** One provider of suggestions. Adapters map the provider's answer into our shape. */
export interface Geocoder {
  readonly name: SuggestionSource;
  suggest(query: string, options: SuggestOptions, signal?: AbortSignal): Promise<Suggestion[]>;
}

export const EMPTY_DATA: AddressData = {
  country: null,
  region: null,
  city: null,
  settlement: null,
  street: null,
  house: null,
  block: null,
  flat: null,
  postal_code: null,
  lat: null,
  lon: null,
};

/** Parts as providers give them: coordinates may come as strings, anything may be missing. */
export type AddressParts = Partial<Record<keyof AddressData, string | number | null | undefined>>;

/** Our shape from a provider's parts; the registry's fields are kept where a part carries them. */
export function addressData(parts: AddressParts): AddressData {
  const data: AddressData = { ...EMPTY_DATA };
  for (const key of REGISTRY_FIELDS) {
    const value = parts[key];
    if (value !== undefined && value !== null && value !== '') (data as unknown as Record<string, string>)[key] = String(value);
  }
  for (const key of Object.keys(EMPTY_DATA) as Array<keyof AddressData>) {
    const value = parts[key];
    if (value === undefined || value === null || value === '') continue;
    if (key === 'lat' || key === 'lon') {
      const n = typeof value === 'number' ? value : Number(value);
      (data[key] as number | null) = Number.isFinite(n) ? n : null;
    } else {
      (data[key] as string | null) = String(value);
    }
  }
  return data;
}
