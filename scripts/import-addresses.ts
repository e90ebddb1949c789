/**
 * npm run import:addresses -- <file> [--source NAME]
 * Imports street/house data into the local index of DATABASE_PATH: an OpenAddresses-style CSV
 * (.csv) or an OpenStreetMap extract (.osm XML or .osm.pbf). Importing the same source again replaces it.
 */
import 'dotenv/config';
import { basename, extname } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/store/database.js';
import { LocalIndex } from '../server/geocoding/local-index.js';
import { PlacesRepository } from '../server/store/places-repository.js';
import { ensureGazetteer } from '../server/geocoding/gazetteer.js';
import { importRecords } from '../server/geocoding/import/import-addresses.js';
import { readerFor, SUPPORTED } from '../server/geocoding/import/readers.js';

const [file, ...rest] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.error('usage: npm run import:addresses -- <file.csv|file.osm|file.osm.pbf> [--source NAME]');
  process.exit(2);
}
const reader = readerFor(file);
if (!reader) {
  console.error(`unsupported file type ${extname(file)}: use ${SUPPORTED}`);
  process.exit(2);
}
const sourceArg = rest.indexOf('--source');
const source = `import:${sourceArg >= 0 ? rest[sourceArg + 1] : basename(file)}`;

const config = loadConfig();
const db = openDatabase(config.databasePath);
const index = new LocalIndex(new PlacesRepository(db));
ensureGazetteer(index);
const started = performance.now();
const result = await importRecords(index, reader(file), source);
console.log(`${source}: ${result.houses} houses and ${result.streets} streets imported (skipped: ${result.skipped.noStreet} without a street, ${result.skipped.noHouseNumber} without a house number, ${result.skipped.duplicate} duplicates) in ${((performance.now() - started) / 1000).toFixed(1)} s into ${config.databasePath}`);
db.close();
