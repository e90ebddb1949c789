/**
 * npm run import:addresses -- <file> [--source NAME] [--allow-empty]
 * Imports street/house data into the address index (INDEX_DIR): an OpenAddresses-style CSV
 * (.csv) or an OpenStreetMap extract (.osm XML or .osm.pbf), the text formats also gzipped or
 * bzipped as mirrors publish them. Importing the same source again replaces it. The import is a
 * build beside the served index; a running server switches to it within a second of success,
 * and a failure leaves the served index as it was. Progress (share of the file read, address
 * objects, objects/s) is shown on stderr while it reads.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { basename, extname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { AddressRecord } from '../server/address-data/osm/address-record.js';
import { loadConfig } from '../server/config.js';
import { importIntoIndex } from '../server/address-data/osm/import-into-index.js';
import { readerFor, SUPPORTED } from '../server/address-data/osm/readers.js';
import { runOperatorCommand } from './operator-command.js';

const [file, ...rest] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.error(`usage: npm run import:addresses -- <file> [--source NAME]   (${SUPPORTED})`);
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
const started = performance.now();
const size = statSync(file).size;
let bytes = 0;
let pass = '';
let objects = 0;
const progress = () => {
  const seconds = (performance.now() - started) / 1000;
  const bar = '#'.repeat(Math.round((20 * bytes) / size)).padEnd(20, '.');
  process.stderr.write(`\r${pass}[${bar}] ${((100 * bytes) / size).toFixed(0).padStart(3)}% of ${(size / 1e6).toFixed(1)} MB, ${objects.toLocaleString('en')} address objects, ${Math.round(objects / Math.max(seconds, 0.001)).toLocaleString('en')}/s`);
};
const ticker = setInterval(progress, 500);
async function* counted(records: AsyncIterable<AddressRecord>): AsyncGenerator<AddressRecord> {
  for await (const record of records) {
    objects++;
    yield record;
  }
  bytes = size;
  progress();
  clearInterval(ticker);
  // The node positions (hundreds of MB for a region) are garbage now: collect them
  // before the index is written rather than whenever V8 next feels like it (node --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  process.stderr.write(`\nread in ${((performance.now() - started) / 1000).toFixed(0)} s, peak memory so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; writing the index…\n`);
}
const records = counted(
  reader(file, (read, at) => {
    bytes = read;
    // An OpenStreetMap extract is read twice: first for the boundaries' outlines.
    if (at) pass = `pass ${at.pass} of ${at.of} `;
  }),
);
const result = await runOperatorCommand(() => importIntoIndex(config.indexDir, records, source, { allowEmpty: rest.includes('--allow-empty'), file }), () => clearInterval(ticker));
const { noStreet, noHouseNumber, duplicate, incompleteArea } = result.skipped;
const seconds = (performance.now() - started) / 1000;
console.log(
  `${source}: ${result.houses} houses and ${result.streets} streets imported, placed by ${result.areas} boundaries and settlement areas ` +
    `(skipped: ${noStreet} without a street, ${noHouseNumber} without a house number, ${duplicate} duplicates, ${incompleteArea} areas cut by the extract's edge) ` +
    `in ${seconds.toFixed(1)} s (${Math.round(objects / seconds).toLocaleString('en')} objects/s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB) into ${config.indexDir}`,
);
