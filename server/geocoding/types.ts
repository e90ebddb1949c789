import type { AddressData, Suggestion, SuggestionSource } from '../../contract/api.js';

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

/** Parts as providers give them, and the one builder of our answers from them (answer-builder.ts). */
export { addressData, buildSuggestion, type AddressParts } from './answer-builder.js';
