/**
 * The demo's real streets, built once into the index (INDEX_DIR) by `npm start`: central Moscow
 * from an OpenStreetMap extract and г Байконур from the registry (ГАР), both read from
 * ../shared beside the project (fetched open data is never committed into it). Without that
 * folder the demo answers settlement names only and says how to add a region.
 * Then the demo account's delivery zones (public/demo/delivery-zones.geojson, drawn over those
 * Moscow streets) and a warehouse found with our own geocoder, unless it has zones already.
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
import { readFileSync } from 'node:fs';
import { compose } from '../server/compose.js';
import { createLogger } from '../server/log.js';
import { DEMO_ACCOUNT_ID } from '../server/admin/demo-account.js';

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

// The demo account's delivery zones (the demo runs without amoCRM credentials).
if (config.amo === null) {
  const system = await compose(config, createLogger('warn'));
  try {
    if (!(await system.zones.get(DEMO_ACCOUNT_ID))?.zones.length) {
      const { set } = await system.zones.replace(DEMO_ACCOUNT_ID, readFileSync(resolve(import.meta.dirname, '../public/demo/delivery-zones.geojson')), { allowSelfCrossing: false });
      const warehouse = await system.addresses.resolve(DEMO_ACCOUNT_ID, 'Москва, Бутырская улица', { language: 'ru' });
      if (typeof warehouse?.data.lon === 'number' && typeof warehouse.data.lat === 'number') {
        await system.zones.setWarehouses(DEMO_ACCOUNT_ID, [{ address: warehouse.value, lon: warehouse.data.lon, lat: warehouse.data.lat }]);
      }
      console.log(`demo delivery zones: ${set.zones.map((z) => z.name).join(', ')}${warehouse ? `; warehouse ${warehouse.value}` : ''}`);
    }
  } finally {
    await system.stop();
  }
}
