/** The address-file reader for a path, by its ending; null for a kind we do not read. */
import type { AddressRecord } from './address-record.js';
import { readOpenAddressesCsv } from './read-openaddresses-csv.js';
import { readOsmXml } from './read-osm-xml.js';
import { readOsmPbf } from './read-osm-pbf.js';

import type { ByteProgress } from './open-file.js';

export const SUPPORTED = '.csv (OpenAddresses), .osm (OpenStreetMap XML) — either also as .gz or .bz2 — or .osm.pbf';

export function readerFor(path: string): ((path: string, onBytes?: ByteProgress) => AsyncIterable<AddressRecord>) | null {
  const name = path.toLowerCase().replace(/\.(gz|bz2)$/, '');
  if (name.endsWith('.pbf')) return readOsmPbf;
  if (name.endsWith('.osm') || name.endsWith('.xml')) return readOsmXml;
  if (name.endsWith('.csv')) return readOpenAddressesCsv;
  return null;
}
