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

export async function importIntoIndex(
  indexDir: string,
  records: AsyncIterable<AddressRecord> | Iterable<AddressRecord>,
  source: string,
  options: { allowEmpty?: boolean; file?: string } = {},
): Promise<ImportResult> {
  return IndexBuild.run(indexDir, async (build) => {
    const before = build.index.countBySource()[source] ?? 0;
    const result = await importRecords(build.index, records, source).catch((error: unknown) => {
      if (error instanceof DataError) throw error;
      // Whatever stops a reader is the file's problem for the operator, said in one line.
      throw new DataError(`${options.file ?? source}: could not be read (${(error as Error).message}); the served index is unchanged`);
    });
    // A file with no address in it is never what was meant (an HTML error page saved as .csv, a wrong extract).
    if (result.houses === 0 && !options.allowEmpty) {
      const held = before ? `, where the index holds ${before.toLocaleString('en')} places from this source` : '';
      throw new DataError(`${options.file ?? source}: no address found${held}; the served index is unchanged (a broken or wrong file? --allow-empty imports it anyway)`);
    }
    linkAfterOsmImport(build.index.places, new RegistryRepository(build.db));
    build.index.places.setMeta(`osm:${source}`, JSON.stringify({ importedAt: new Date().toISOString(), houses: result.houses, streets: result.streets }));
    return result;
  });
}
