/**
 * What a registry archive holds, from its entry names: the root dictionaries
 * (`AS_ADDR_OBJ_TYPES_<date>_<uuid>.XML`, …) and one folder per region (`77/AS_HOUSES_<date>_<uuid>.XML`,
 * …), the full archive and a delta alike (../shared/gar/SOURCES.md). The release date in the
 * region files' names is the registry version the index remembers per region.
 */
import { DataError } from '../index-build.js';
import type { ZipArchive, ZipEntry } from './zip-archive.js';

const FILE = /^(AS_[A-Z_]+?)_(\d{8})_[0-9a-fA-F-]{36}\.XML$/i;

/** region (from a numeric parent folder, else null), table and date of an entry; null for other files. */
function parseEntry(name: string): [string | null, string, string] | null {
  const parts = name.split('/');
  const m = FILE.exec(parts.at(-1) ?? '');
  if (!m) return null;
  const folder = parts.at(-2);
  return [folder && /^\d{2,3}$/.test(folder) ? folder : null, m[1], m[2]];
}

/** The record element of each table we read (the XSDs). */
export const RECORD_TAGS = {
  AS_ADDR_OBJ: 'OBJECT',
  AS_ADDR_OBJ_PARAMS: 'PARAM',
  AS_ADM_HIERARCHY: 'ITEM',
  AS_HOUSES: 'HOUSE',
  AS_HOUSES_PARAMS: 'PARAM',
  AS_STEADS: 'STEAD',
  AS_STEADS_PARAMS: 'PARAM',
  AS_ADDR_OBJ_TYPES: 'ADDRESSOBJECTTYPE',
  AS_HOUSE_TYPES: 'HOUSETYPE',
  AS_ADDHOUSE_TYPES: 'HOUSETYPE',
} as const;
export type GarTable = keyof typeof RECORD_TAGS;

export interface GarRegion {
  code: number;
  /** The release date (YYYYMMDD) of the region's files. */
  version: string;
  tables: Partial<Record<GarTable, ZipEntry>>;
  /** Bytes of the region's tables we read, inflated. */
  bytes: number;
}

export interface GarContents {
  dictionaries: Partial<Record<GarTable, ZipEntry>>;
  regions: Map<number, GarRegion>;
}

export function garContents(archive: ZipArchive): GarContents {
  const dictionaries: GarContents['dictionaries'] = {};
  const regions = new Map<number, GarRegion>();
  let recognised = 0;
  for (const entry of archive.entries) {
    const m = parseEntry(entry.name);
    if (!m) continue;
    recognised++;
    const table = m[1].toUpperCase() as GarTable;
    if (!(table in RECORD_TAGS)) continue;
    if (!m[0]) {
      dictionaries[table] = entry;
      continue;
    }
    const code = Number(m[0]);
    let region = regions.get(code);
    if (!region) regions.set(code, (region = { code, version: m[2], tables: {}, bytes: 0 }));
    if (m[2] > region.version) region.version = m[2];
    region.tables[table] = entry;
    region.bytes += entry.uncompressedSize;
  }
  if (recognised === 0) throw new DataError(`${archive.path}: no registry tables (AS_*.XML) inside; not a ГАР archive (gar_xml.zip or gar_delta_xml.zip)`);
  return { dictionaries, regions };
}
