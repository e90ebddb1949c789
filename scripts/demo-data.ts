/**
 * The demo's real streets, built once into the index (INDEX_DIR) by `npm start`: central Moscow
 * from an OpenStreetMap extract and г Байконур from the registry (ГАР), both read from
 * ../shared beside the project (fetched open data is never committed into it). Without that
 * folder the demo answers settlement names only and says how to add a region.
 */
import 'dotenv/config';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../server/config.js';
import { IndexBuild, ensureServedIndex } from '../server/address-data/index-build.js';
import { importRecords } from '../server/address-data/osm/import-addresses.js';
import { readOsmPbf } from '../server/address-data/osm/read-osm-pbf.js';
import { importGar } from '../server/address-data/gar/import-gar.js';
import { openIndexDatabase } from '../server/store/index-database.js';
import { currentIndexFile } from '../server/store/index-files.js';
import { PlacesRepository } from '../server/store/places-repository.js';

const SHARED = resolve(import.meta.dirname, '../../shared');
const MOSCOW = resolve(SHARED, 'realdata/gh-moscow.osm.pbf');
const BAIKONUR = resolve(SHARED, 'gar/gar_xml_99_baikonur_20230626.zip');
const DEMO_KEY = 'demo:areas';
const AREAS = 'Москва (центр, OpenStreetMap) и г Байконур (ГАР)';

const config = loadConfig();
ensureServedIndex(config.indexDir);
const built = (() => {
  const db = openIndexDatabase(currentIndexFile(config.indexDir)!, { readonly: true });
  try {
    return new PlacesRepository(db).meta(DEMO_KEY);
  } finally {
    db.close();
  }
})();
if (built) {
  console.log(`demo data: ${built} (already in ${config.indexDir})`);
} else if (!existsSync(MOSCOW) || !existsSync(BAIKONUR)) {
  console.log(`demo data: not built — ${SHARED} is not beside the project, so the demo answers settlement names only. Add a region with one command: npm run data -- add moscow   (npm run data -- list shows the others)`);
} else {
  const started = performance.now();
  await IndexBuild.run(config.indexDir, async (build) => {
    const moscow = await importRecords(build.index, readOsmPbf(MOSCOW), 'import:Москва, центр (OpenStreetMap)');
    build.index.places.setMeta('osm:import:Москва, центр (OpenStreetMap)', JSON.stringify({ importedAt: new Date().toISOString(), houses: moscow.houses }));
    await importGar(build, BAIKONUR);
    build.index.places.setMeta(DEMO_KEY, AREAS);
  });
  console.log(`demo data: ${AREAS} built into ${config.indexDir} in ${((performance.now() - started) / 1000).toFixed(1)} s (once)`);
}
