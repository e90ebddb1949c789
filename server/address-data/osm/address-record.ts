/** One house-level address read from an import file, before it becomes places in the index. */
import type { AreaShape } from './area-finder.js';

export interface AddressRecord {
  city: string | null;
  street: string;
  house: string;
  block?: string | null;
  region?: string | null;
  postcode?: string | null;
  lat: number | null;
  lon: number | null;
  /** Not a house: a named place of the extract (place=city/town/village), for houses without addr:city. */
  place?: { name: string; importance: number };
  /** Not a house: a boundary or settlement area of the extract, to find the city and region a house lies in. */
  area?: AreaShape;
}
