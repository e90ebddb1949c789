/**
 * Addresses as managers type them by hand, made from real records: abbreviated ("ул. Косинская,
 * д. 3") and with one letter swapped with its neighbour ("Косинсквя улица 3"). Deterministic by
 * seed. Shared by the quality bench, the clean bench and the cleaning tests.
 */
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';

const ABBREVIATIONS: Array<[RegExp, string]> = [
  [/^(.*?)\s+улица$/i, 'ул. $1'],
  [/^улица\s+(.*)$/i, 'ул. $1'],
  [/^(.*?)\s+проспект$/i, 'пр-т $1'],
  [/^проспект\s+(.*)$/i, 'пр-т $1'],
  [/^(.*?)\s+переулок$/i, 'пер. $1'],
  [/^переулок\s+(.*)$/i, 'пер. $1'],
  [/^(.*?)\s+бульвар$/i, 'б-р $1'],
  [/^(.*?)\s+шоссе$/i, '$1 ш.'],
  [/^(.*?)\s+набережная$/i, 'наб. $1'],
  [/^(.*?)\s+площадь$/i, 'пл. $1'],
  [/^(.*?)\s+проезд$/i, '$1 пр-д'],
  [/^(.*)\s+Street$/, '$1 St'],
  [/^(.*)\s+Road$/, '$1 Rd'],
];

export function abbreviated(r: AddressRecord): string {
  let street = r.street;
  for (const [pattern, replacement] of ABBREVIATIONS) if (pattern.test(street)) { street = street.replace(pattern, replacement); break; }
  const house = r.house.replace(/^(\d+\S*?)\s*(?:к|корп\.?|корпус)\s*(\d+)/i, '$1 к. $2').replace(/\s*(?:с|стр\.?|строение)\s*(\d+)$/i, ' стр. $1');
  return /[а-яё]/i.test(street) ? `${street}, д. ${house}` : `${house} ${street}`;
}

/** One letter of the street's longest word replaced by its neighbour on the keyboard row (deterministic). */
export function withTypo(r: AddressRecord, seed: number): string {
  const words = r.street.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length < 5) return `${r.street} ${r.house}`;
  const at = 1 + (seed % (longest.length - 2));
  const replaced = `${longest.slice(0, at)}${longest[at + 1]}${longest[at]}${longest.slice(at + 2)}`;
  return `${words.map((w) => (w === longest ? replaced : w)).join(' ')} ${r.house}`;
}
