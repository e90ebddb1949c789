/** The address-file reader for a path, by its ending; null for a kind we do not read. */
import type { AddressRecord } from './address-record.js';
import { readOpenAddressesCsv } from './read-openaddresses-csv.js';
import { readOsmXml } from './read-osm-xml.js';
import { readOsmPbf } from './read-osm-pbf.js';

export const SUPPORTED = '.csv (OpenAddresses), .osm or .osm.gz (OpenStreetMap XML) or .osm.pbf';

export function readerFor(path: string): ((path: string) => AsyncIterable<AddressRecord>) | null {
  const name = path.toLowerCase();
  if (name.endsWith('.pbf')) return readOsmPbf;
  if (name.endsWith('.osm') || name.endsWith('.xml') || name.endsWith('.osm.gz')) return readOsmXml;
  if (name.endsWith('.csv')) return readOpenAddressesCsv;
  return null;
}
