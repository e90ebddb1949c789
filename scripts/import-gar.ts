/**
 * npm run import:gar -- <gar_xml.zip> [--regions 77,50] [--steads] [--allow-empty]
 * npm run import:gar -- --delta <gar_delta_xml.zip> [--regions 77] [--max-gap-days 7]
 *
 * The State Address Register (ГАР) into the address index (INDEX_DIR): the chosen regions read
 * straight out of the zip, one at a time, as a build beside the served index (a running server
 * switches to it within a second of success; any failure leaves the served index as it was).
 * Progress on stderr; one summary line on stdout.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { existsSync } from 'node:fs';
import { loadConfig } from '../server/config.js';
import { DataError, IndexBuild } from '../server/address-data/index-build.js';
import { importGar, type GarProgress } from '../server/address-data/gar/import-gar.js';
import { runOperatorCommand } from './operator-command.js';

const USAGE = 'usage: npm run import:gar -- <gar_xml.zip> [--regions 77,50,...] [--steads] [--allow-empty]\n       npm run import:gar -- --delta <gar_delta_xml.zip> [--regions ...] [--max-gap-days 7]';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const delta = flag('--delta');
const file = delta ? option('--delta') : args.find((a, i) => !a.startsWith('--') && !['--regions', '--max-gap-days'].includes(args[i - 1] ?? ''));
if (!file) {
  console.error(USAGE);
  process.exit(2);
}
const regionsArg = option('--regions');
const regions = regionsArg ? regionsArg.split(',').map((r) => Number(r.trim())) : undefined;
if (regions?.some((r) => !Number.isInteger(r) || r < 1 || r > 999)) {
  console.error(`--regions ${regionsArg}: region codes are numbers, as the archive's folders are named (77,50,99)`);
  process.exit(2);
}

const config = loadConfig();
const started = performance.now();
let last: GarProgress | null = null;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const progress = () => {
  if (!last) return;
  const seconds = (performance.now() - started) / 1000;
  const share = last.regionBytes ? Math.min(1, last.bytes / last.regionBytes) : 0;
  const bar = '#'.repeat(Math.round(20 * share)).padEnd(20, '.');
  process.stderr.write(`\rregion ${String(last.region).padStart(2, '0')} (${last.index} of ${last.of}) [${bar}] ${(100 * share).toFixed(0).padStart(3)}% of ${mb(last.regionBytes)} MB, ${seconds.toFixed(0)} s`);
};
const ticker = setInterval(progress, 500);

const result = await runOperatorCommand(async () => {
  if (!existsSync(file)) throw new DataError(`${file}: no such file`);
  return IndexBuild.run(config.indexDir, (build) =>
    importGar(build, file, { regions, delta, steads: flag('--steads'), allowEmpty: flag('--allow-empty'), maxGapDays: option('--max-gap-days') ? Number(option('--max-gap-days')) : undefined, onProgress: (p) => (last = p) }),
  );
}, () => clearInterval(ticker));
progress();
const seconds = (performance.now() - started) / 1000;
const peak = Math.round(process.resourceUsage().maxRSS / 1024);
const { totals, twins } = result;
process.stderr.write('\n');
for (const r of result.regions) {
  console.log(`region ${String(r.code).padStart(2, '0')} (${r.version}): ${r.objects.toLocaleString('en')} address objects, ${r.houses.toLocaleString('en')} houses${delta ? `, ${r.closed} closed` : ''} (skipped: ${r.orphans} houses without a known parent, ${r.malformed} malformed records)`);
}
console.log(
  `ГАР ${delta ? 'delta' : 'import'} ${file}: ${result.regions.length} region(s), ${result.houses.toLocaleString('en')} houses in ${seconds.toFixed(1)} s ` +
    `(${Math.round(result.houses / seconds).toLocaleString('en')} houses/s, ${Math.round(result.records / seconds).toLocaleString('en')} records/s, ${(result.bytes / 1e6 / seconds).toFixed(1)} MB/s of XML, peak memory ${peak} MB); ` +
    `the index now holds ${totals.houses.toLocaleString('en')} registry houses, ${totals.withPostcode.toLocaleString('en')} with a postcode, ${totals.withPoint.toLocaleString('en')} with their own point; ` +
    `OpenStreetMap twins: ${twins.matched.toLocaleString('en')} of ${twins.candidates.toLocaleString('en')} (${twins.candidates ? ((100 * twins.matched) / twins.candidates).toFixed(1) : '0.0'}%) into ${config.indexDir}`,
);
