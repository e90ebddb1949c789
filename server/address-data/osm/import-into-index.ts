/**
 * An address file (OpenStreetMap, OpenAddresses CSV) into the index, as a build beside the served
 * one (address-data/index-build.ts): a reader that fails, or a file that yields no address where
 * the same source had some, leaves the served index exactly as it was.
 */
import type { AddressRecord } from './address-record.js';
import { importRecords, type ImportResult } from './import-addresses.js';
import { DataError, IndexBuild } from '../index-build.js';
import { linkAfterOsmImport } from '../gar/link-osm.js';
import { RegistryRepository } from '../../store/registry-repository.js';

type Records = AsyncIterable<AddressRecord> | Iterable<AddressRecord>;
type Options = { allowEmpty?: boolean; file?: string };

export async function importIntoIndex(indexDir: string, records: Records, source: string, options: Options = {}): Promise<ImportResult> {
  return IndexBuild.run(indexDir, (build) => importIntoBuild(build, records, source, options));
}

/** The same import as one step of a larger build (`npm run data -- add`: the extract and the registry land together). */
export async function importIntoBuild(build: IndexBuild, records: Records, source: string, options: Options = {}): Promise<ImportResult> {
  const before = build.index.countBySource()[source] ?? 0;
  const result = await importRecords(build.index, records, source).catch((error: unknown) => {
    if (error instanceof DataError) throw error;
    // Whatever stops a reader is the file's problem for the operator, said in one line.
    throw new DataError(`${options.file ?? source}: could not be read (${oneLine((error as Error).message)}); the served index is unchanged`);
  });
  // A file with no address in it is never what was meant (an HTML error page saved as .csv, a wrong extract).
  if (result.houses === 0 && !options.allowEmpty) {
    const held = before ? `, where the index holds ${before.toLocaleString('en')} places from this source` : '';
    throw new DataError(`${options.file ?? source}: no address found${held}; the served index is unchanged (a broken or wrong file? --allow-empty imports it anyway)`);
  }
  linkAfterOsmImport(build.index.places, new RegistryRepository(build.db));
  build.index.places.setMeta(`osm:${source}`, JSON.stringify({ importedAt: new Date().toISOString(), houses: result.houses, streets: result.streets }));
  return result;
}

/** A parser's message on one line, without the control characters it may quote ("Char: \\0"). */
const oneLine = (message: string) => message.replace(/\s*\n\s*/g, '; ').replace(/[\u0000-\u001f]/g, '?');
