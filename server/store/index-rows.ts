/** The rows of the address index file (store/index-database.ts), shared by its repositories. */

export interface PlaceRow {
  id: number;
  kind: 'settlement' | 'street' | 'house';
  source: string;
  value: string;
  country: string | null;
  country_code: string | null;
  region: string | null;
  city: string | null;
  settlement: string | null;
  street: string | null;
  house: string | null;
  block: string | null;
  postal_code: string | null;
  lat: number | null;
  lon: number | null;
  importance: number;
  /** The registry's OBJECTID of a place read from ГАР (its houses are found through it), else null. */
  gar_id?: number | null;
  /** A registry place's qc_geo (how good its point is: DaData's codes); its other registry fields are read from gar_objects when it is answered. */
  extra?: string | null;
  /** The canonical house key (geocoding/house-number.ts) when the row knows it better than its parts do. */
  house_key?: string | null;
  /** What the registry knows of a registry place, read when it is answered (never stored in the row). */
  registry?: Record<string, string | null> | null;
}

/** A registry house (store/index-database.ts, `gar_houses`). */
export interface GarHouseRow {
  objectid: number;
  parent: number;
  key: string;
  num: string | null;
  type: number | null;
  add1: string | null;
  add_type1: number | null;
  add2: string | null;
  add_type2: number | null;
  postal_code: number | null;
  guid: Buffer;
  okato: number | null;
  oktmo: number | null;
  kladr: string | null;
  lat: number | null;
  lon: number | null;
}

/** A row to insert: everything but the id, plus the text the FTS index holds. */
export type NewPlaceRow = Omit<PlaceRow, 'id' | 'gar_id' | 'extra' | 'house_key' | 'registry'> & { search_text: string; gar_id?: number | null; extra?: string | null };

export interface GarObjectRow {
  objectid: number;
  parent: number | null;
  region: number;
  level: number;
  name: string;
  type_short: string;
  type_full: string | null;
  guid: string;
  /** JSON: { postcode, okato, oktmo, kladr } */
  params: string | null;
  /** JSON: names the object had before */
  old_names: string | null;
  houses: number;
}
