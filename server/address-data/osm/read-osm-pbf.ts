/** OpenStreetMap PBF (.osm.pbf): decoded on worker threads, in memory set by the addresses it holds (pbf/pbf-records.ts). */
import type { ByteProgress } from './open-file.js';
import type { AddressRecord } from './address-record.js';
import { pbfRecords } from './pbf/pbf-records.js';

export function readOsmPbf(path: string, onBytes?: ByteProgress): AsyncGenerator<AddressRecord> {
  return pbfRecords(path, onBytes);
}
