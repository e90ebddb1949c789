/**
 * npm run data -- list [--offline]     the regions it knows (every subject by code and name, the districts, Russia),
 *                                      with what each costs to download and import (asked of the mirrors; --offline: without)
 * npm run data -- add <region>         its OpenStreetMap extract and registry regions, downloaded and imported in one build
 *                                      (<region>: an id from the list, a registry code such as 77, or a name)
 * npm run data -- update               each registry region brought to the newest release from its own date; extracts older than OSM_MAX_AGE_DAYS again
 * npm run data -- status               what the index holds
 * Each import is a build beside the served index (a running server switches within a second); a
 * failure says what failed in one line, exits 1, and leaves the served index as it was.
 */
import '../server/node-version.js'; // first: before any native module loads
import 'dotenv/config';
import { loadConfig } from '../server/config.js';
import { addRegion, dataStatus, listRegions, updateData } from '../server/address-data/data-operations.js';
import { catalogueCosts, costLines } from '../server/address-data/catalogue-costs.js';
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
    if (arg === '--offline') {
      for (const r of listRegions()) console.log(`${r.id.padEnd(20)} ${r.name.padEnd(40)} OpenStreetMap ${settings.extractUrls[r.id] ?? r.osm ?? '—'}; registry ${r.gar.map((c) => String(c).padStart(2, '0')).join(',')}`);
      break;
    }
    {
      const { costs, notes } = await runOperatorCommand(() => catalogueCosts(settings), done);
      for (const line of costLines(costs)) console.log(line);
      for (const note of notes) console.error(note);
    }
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
    console.error('usage: npm run data -- list [--offline] | add <region> | update | status');
    process.exit(2);
}
