/**
 * How a stored place reads as a suggestion: DaData-style values ("Самара, ул Авроры, д 5"),
 * with only the parts the data really has.
 */
import type { PlaceRow } from '../store/places-repository.js';
import { buildSuggestion, type AddressParts, type Suggestion } from './types.js';


const countryNames = new Intl.DisplayNames(['ru'], { type: 'region' });

export function countryName(code: string | null | undefined): string | null {
  if (!code) return null;
  try {
    return countryNames.of(code.toUpperCase()) ?? null;
  } catch {
    return null;
  }
}

/** The display value of a place from its parts. */
export function placeValue(parts: { city?: string | null; settlement?: string | null; street?: string | null; house?: string | null; block?: string | null }): string {
  // Outside Cyrillic-script streets the number comes first, with no "д": "London, 87 Hatton Garden".
  if (parts.street && parts.house && !/[а-яё]/i.test(parts.street)) {
    return [parts.city, parts.settlement, `${parts.house}${parts.block ? `/${parts.block}` : ''} ${parts.street}`].filter(Boolean).join(', ');
  }
  const house = parts.house ? (/^\d/.test(parts.house) ? `д ${parts.house}` : parts.house) : null;
  const block = parts.block ? `к ${parts.block}` : null;
  return [parts.city, parts.settlement, parts.street, house, block].filter(Boolean).join(', ');
}

/** A stored place as our answer (answer-builder.ts); a registry place keeps its registry value, already in DaData's spelling. */
export function placeToSuggestion(row: PlaceRow): Suggestion {
  const registry = (row.registry ?? null) as AddressParts | null;
  return buildSuggestion(
    {
      ...registry,
      country: row.country,
      country_code: row.country_code,
      region: row.region,
      city: row.city,
      settlement: row.settlement,
      street: row.street,
      house: row.house,
      block: row.block,
      postal_code: row.postal_code,
      lat: row.lat,
      lon: row.lon,
    },
    'local',
    row.value,
  );
}
