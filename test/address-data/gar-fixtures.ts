/**
 * The registry samples in ../shared/gar/ (SOURCES.md there), read by the tests with their own
 * small reader — independent of the importer under test — to know what each house should be.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { ServedIndex } from '../../server/geocoding/served-index.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';

export const GAR_DIR = resolve(import.meta.dirname, '../../../shared/gar');
export const garFile = (name: string) => join(GAR_DIR, name);
export const hasGar = existsSync(join(GAR_DIR, 'gar_xml_99_baikonur_20230626.zip'));
export const BAIKONUR = garFile('gar_xml_99_baikonur_20230626.zip');

export type XmlRecord = Record<string, string>;

/** Every record of a table of the archive (the first entry whose name starts with `table_`). */
export function tableRecords(zipPath: string, table: string): XmlRecord[] {
  const zip = new AdmZip(zipPath);
  const entry = zip.getEntries().find((e) => new RegExp(`(^|/)${table}_\\d{8}_`).test(e.entryName));
  if (!entry) return [];
  const text = entry.getData().toString('utf8');
  return [...text.matchAll(/<\w+\s([^>]*?)\/>/g)].map((m) => Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2].replace(/&quot;/g, '"').replace(/&amp;/g, '&')])));
}

const HOUSE_WORD: Record<string, string> = { '1': 'влд', '2': 'д', '3': 'двлд', '4': 'г-ж', '5': 'зд', '6': 'шахта', '7': 'стр', '8': 'соор', '10': 'к' };
const ADD_WORD: Record<string, string> = { '1': 'к', '2': 'стр', '3': 'соор' };

export interface ExpectedHouse {
  objectId: string;
  guid: string;
  typed: string;
  postcode: string | null;
}

/** Each current house of a full region archive, as DaData writes it ("г Байконур, ул Гагарина, д 5"), with its postcode. */
export function expectedHouses(zipPath: string): ExpectedHouse[] {
  const current = (r: XmlRecord) => r.ISACTUAL === '1' && r.ISACTIVE === '1';
  const objects = new Map(tableRecords(zipPath, 'AS_ADDR_OBJ').filter(current).map((r) => [r.OBJECTID, r]));
  const parent = new Map(tableRecords(zipPath, 'AS_ADM_HIERARCHY').filter((r) => r.ISACTIVE === '1').map((r) => [r.OBJECTID, r.PARENTOBJID]));
  const postcode = new Map(tableRecords(zipPath, 'AS_HOUSES_PARAMS').filter((r) => r.TYPEID === '5' && r.ENDDATE > '2023-06-26').map((r) => [r.OBJECTID, r.VALUE]));
  return tableRecords(zipPath, 'AS_HOUSES')
    .filter(current)
    .map((h) => {
      const path: string[] = [];
      for (let at = parent.get(h.OBJECTID); at && objects.has(at); at = parent.get(at)) path.unshift(`${objects.get(at)!.TYPENAME.replace(/\.$/, '')} ${objects.get(at)!.NAME}`);
      const house = [h.HOUSENUM ? `${HOUSE_WORD[h.HOUSETYPE] ?? 'д'} ${h.HOUSENUM}` : '', h.ADDNUM1 ? `${ADD_WORD[h.ADDTYPE1] ?? 'к'} ${h.ADDNUM1}` : '', h.ADDNUM2 ? `${ADD_WORD[h.ADDTYPE2] ?? 'стр'} ${h.ADDNUM2}` : ''].filter(Boolean).join(' ');
      return { objectId: h.OBJECTID, guid: h.OBJECTGUID, typed: [...path, house].join(', '), postcode: postcode.get(h.OBJECTID) ?? null };
    });
}

/** The values the index in `indexDir` suggests for `q`, as a server serving it would. */
export async function suggestedValues(indexDir: string, q: string): Promise<string[]> {
  const served = new ServedIndex(indexDir);
  try {
    return (await new LocalIndex(served).suggest(q, { count: 5, language: 'ru' })).map((s) => s.value);
  } finally {
    served.close();
  }
}
