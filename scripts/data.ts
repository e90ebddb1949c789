/**
 * npm run data -- list                 the regions it knows
 * npm run data -- add <region>         its OpenStreetMap extract and registry regions, downloaded and imported
 * npm run data -- update               registry deltas since the index's release; extracts older than OSM_MAX_AGE_DAYS again
 * npm run data -- status               what the index holds
 * Each import is a build beside the served index (a running server switches within a second); a
 * failure says what failed in one line, exits 1, and leaves the served index as it was.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { loadConfig } from '../server/config.js';
import { addRegion, dataStatus, listRegions, updateData } from '../server/address-data/data-operations.js';
import { runOperatorCommand } from './operator-command.js';

const [command, arg] = process.argv.slice(2);
const config = loadConfig();
const settings = { indexDir: config.indexDir, ...config.data };
let line = '';
const progress = (step: string, done?: number, total?: number | null) => {
  const amount = done === undefined ? '' : total ? ` ${((100 * done) / total).toFixed(0)}% of ${(total / 1e6).toFixed(1)} MB` : ` ${(done / 1e6).toFixed(1)} MB`;
  const next = `${step}${amount}`;
  if (next === line) return;
  line = next;
  if (process.stderr.isTTY) process.stderr.write(`\r${next.padEnd(100).slice(0, 100)}`);
};
const done = () => process.stderr.isTTY && line && process.stderr.write('\n');

switch (command) {
  case 'list':
    for (const r of listRegions()) console.log(`${r.id.padEnd(18)} ${r.name.padEnd(38)} OpenStreetMap ${r.osm ?? '—'}; registry regions ${r.gar.map((c) => String(c).padStart(2, '0')).join(',')}`);
    break;
  case 'add':
    if (!arg) {
      console.error('usage: npm run data -- add <region>   (npm run data -- list shows them)');
      process.exit(2);
    }
    console.log(await runOperatorCommand(() => addRegion(settings, arg, progress), done));
    break;
  case 'update':
    console.log(await runOperatorCommand(() => updateData(settings, progress), done));
    break;
  case 'status':
    console.log(JSON.stringify(dataStatus(config.indexDir), null, 2));
    break;
  default:
    console.error('usage: npm run data -- list | add <region> | update | status');
    process.exit(2);
}
