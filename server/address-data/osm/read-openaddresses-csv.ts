/** OpenAddresses-style CSV (plain, .csv.gz or .csv.bz2): LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE (header row, any order). */
import { openFile, type ByteProgress } from './open-file.js';
import { parse } from 'csv-parse';
import type { AddressRecord } from './address-record.js';

/** A row longer than this is no address (csv-parse stops with an error instead of growing a string to the heap's limit). */
const MAX_RECORD = 64 * 1024;

export async function* readOpenAddressesCsv(path: string, onBytes?: ByteProgress): AsyncGenerator<AddressRecord> {
  const parser = openFile(path, onBytes).pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toUpperCase()), bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, max_record_size: MAX_RECORD }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    const lat = parseFloat(row.LAT);
    const lon = parseFloat(row.LON);
    yield {
      city: row.CITY || row.DISTRICT || null,
      street: row.STREET ?? '',
      house: row.NUMBER ?? '',
      block: row.UNIT || null,
      region: row.REGION || null,
      postcode: row.POSTCODE || null,
      lat: Number.isFinite(lat) ? lat : null,
      lon: Number.isFinite(lon) ? lon : null,
    };
  }
}
