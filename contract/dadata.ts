/**
 * DaData's address suggestion, as its API documents it (dadata.ru/api/suggest/address, "Ответ")
 * and its own typed clients declare it (react-dadata's DaDataAddress): the shape our DaData-
 * compatible endpoints answer with, and every key of `data` our own answers carry. Types only.
 */

/** Every key of DaData's address `data`, in its documentation's order. */
export const DADATA_ADDRESS_KEYS = [
  'postal_code', 'country', 'country_iso_code', 'federal_district',
  'region_fias_id', 'region_kladr_id', 'region_iso_code', 'region_with_type', 'region_type', 'region_type_full', 'region',
  'area_fias_id', 'area_kladr_id', 'area_with_type', 'area_type', 'area_type_full', 'area',
  'city_fias_id', 'city_kladr_id', 'city_with_type', 'city_type', 'city_type_full', 'city', 'city_area',
  'city_district_fias_id', 'city_district_kladr_id', 'city_district_with_type', 'city_district_type', 'city_district_type_full', 'city_district',
  'settlement_fias_id', 'settlement_kladr_id', 'settlement_with_type', 'settlement_type', 'settlement_type_full', 'settlement',
  'street_fias_id', 'street_kladr_id', 'street_with_type', 'street_type', 'street_type_full', 'street',
  'stead_fias_id', 'stead_cadnum', 'stead_type', 'stead_type_full', 'stead',
  'house_fias_id', 'house_kladr_id', 'house_cadnum', 'house_type', 'house_type_full', 'house',
  'block_type', 'block_type_full', 'block', 'entrance', 'floor',
  'flat_fias_id', 'flat_cadnum', 'flat_type', 'flat_type_full', 'flat', 'flat_area', 'square_meter_price', 'flat_price',
  'room_fias_id', 'room_cadnum', 'room_type', 'room_type_full', 'room',
  'postal_box', 'fias_id', 'fias_code', 'fias_level', 'fias_actuality_state', 'kladr_id', 'geoname_id', 'capital_marker',
  'okato', 'oktmo', 'tax_office', 'tax_office_legal', 'timezone', 'geo_lat', 'geo_lon', 'beltway_hit', 'beltway_distance',
  'metro', 'divisions', 'qc_geo', 'qc_complete', 'qc_house', 'history_values', 'unparsed_parts', 'source', 'qc',
] as const;

export type DadataAddressKey = (typeof DADATA_ADDRESS_KEYS)[number];

/** Keys whose value is not a string when present. */
type ListKeys = 'metro' | 'history_values' | 'divisions';

/**
 * DaData's `data`: every key present; a string (DaData sends numbers as strings: `geo_lat`
 * "55.75", `qc_geo` "0", `fias_level` "8") or null when unknown; lists for `metro`,
 * `history_values`, `divisions`. `capital_marker` is "0" to "4" (DaData's codes).
 */
export type DadataAddressData = { [K in Exclude<DadataAddressKey, ListKeys>]: string | null } & {
  metro: Array<{ name: string; line: string; distance: number }> | null;
  history_values: string[] | null;
  divisions: unknown;
};

export interface DadataSuggestion {
  value: string;
  unrestricted_value: string;
  data: DadataAddressData;
}

/** POST …/suggest/address, …/findById/address, …/geolocate/address */
export interface DadataSuggestResponse {
  suggestions: DadataSuggestion[];
}

/** DaData's error body (its 4xx answers). */
export interface DadataError {
  family: 'CLIENT_ERROR' | 'SERVER_ERROR';
  reason: string;
  message: string;
}
