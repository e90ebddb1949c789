/**
 * The registry (ГАР) in the index, on the real samples in ../shared/gar/ (SOURCES.md there):
 * a complete real region (Байконур), hand-edited consecutive deltas (django-fias), a real 2026
 * delta of region 02 and the official XSDs. What each house should be is read by the test's own
 * reader (gar-fixtures.ts), not by the importer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { attr } from '../../server/address-data/gar/gar-records.js';
import { ServedIndex } from '../../server/geocoding/served-index.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { importIntoIndex } from '../../server/address-data/osm/import-into-index.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';
import { tempDir } from '../helpers.js';
import { BAIKONUR, expectedHouses, garFile, GAR_DIR, hasGar, tableRecords } from './gar-fixtures.js';

const suggest = (index: LocalIndex, q: string, options: { city?: string } = {}) => index.suggest(q, { count: 5, language: 'ru', ...options });

describe.skipIf(!hasGar)('the registry (ГАР) in the index', () => {
  if (!hasGar) console.warn(`skipped: no registry samples at ${GAR_DIR}`);
  let tmp: ReturnType<typeof tempDir>;
  let served: ServedIndex;
  let index: LocalIndex;

  beforeAll(async () => {
    tmp = tempDir();
    await IndexBuild.run(tmp.dir, (build) => importGar(build, BAIKONUR));
    served = new ServedIndex(tmp.dir);
    index = new LocalIndex(served);
  });
  afterAll(() => {
    served?.close();
    tmp?.cleanup();
  });

  it('every current Байконур house comes back first when typed in full as DaData writes it, with its registry postcode', async () => {
    const houses = expectedHouses(BAIKONUR);
    expect(houses).toHaveLength(550);
    expect(houses.filter((h) => h.postcode)).toHaveLength(426);
    const wrong: string[] = [];
    for (const house of houses) {
      const [first] = await suggest(index, house.typed);
      if (first?.data.house_fias_id !== house.guid || first.data.postal_code !== house.postcode) wrong.push(`${house.typed} → ${first?.value ?? 'nothing'} (${first?.data.postal_code})`);
    }
    expect(wrong).toEqual([]);
  });

  it("answers in DaData's field names with what the registry knows", async () => {
    const [house] = await suggest(index, 'г Байконур, ул Гагарина, д 5');
    expect(house.value).toBe('г Байконур, ул Гагарина, д 5');
    expect(house.unrestricted_value).toBe('468325, г Байконур, ул Гагарина, д 5'); // DaData names no country
    expect(house.data).toMatchObject({
      postal_code: '468325',
      region: 'Байконур',
      region_with_type: 'г Байконур',
      city: 'Байконур',
      city_with_type: 'г Байконур',
      street: 'Гагарина',
      street_with_type: 'ул Гагарина',
      house: '5',
      house_type: 'д',
      fias_level: '8',
      fias_id: '4abf7720-fa42-482c-a2ec-cd564d9abc96',
      house_fias_id: '4abf7720-fa42-482c-a2ec-cd564d9abc96',
      okato: '55000000000',
      oktmo: '55000000',
      // Neither the house nor its street has a point: the city's from the gazetteer (a Kazakh town
      // there, and its own region in the registry), so its delivery zone can still be found.
      qc_geo: '4',
      verdict: 'house_approximate',
    });
    expect(house.data.lat).toBeCloseTo(45.617, 2);
    expect(house.data.lon).toBeCloseTo(63.317, 2);
    expect(house.data.street_fias_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(house.data.kladr_id).toMatch(/^99\d{15}$/);
    const [block] = await suggest(index, 'байконур авиационная 7 стр 2');
    expect(block.value).toBe('г Байконур, ул Авиационная, зд 7 стр 2');
    expect(block.data).toMatchObject({ house: '7', house_type: 'зд', block: '2', block_type: 'стр' });
    const [korpus] = await suggest(index, 'байконур горького 16к1');
    expect(korpus.value).toBe('г Байконур, ул Горького, д 16 к 1');
  });

  it('a street is suggested with its registry fields, and a typed number narrows it to its houses', async () => {
    const streets = await suggest(index, 'байконур гагар');
    expect(streets[0]).toMatchObject({ value: 'г Байконур, ул Гагарина', data: { street_with_type: 'ул Гагарина', fias_level: '7', house: null } });
    const houses = (await suggest(index, 'байконур гагарина 1')).map((s) => s.data.house);
    expect(houses.length).toBeGreaterThan(1);
    expect(houses.every((h) => h?.startsWith('1'))).toBe(true);
  });

  it('a registry house and its OpenStreetMap twin are one suggestion: registry names, the OpenStreetMap point', async () => {
    const twin = tempDir();
    try {
      const osm: AddressRecord[] = [
        { city: 'Байконур', street: 'улица Гагарина', house: '5', lat: 45.6231, lon: 63.3142 },
        { city: 'Байконур', street: 'улица Гагарина', house: '999', lat: 45.624, lon: 63.315 },
      ];
      await importIntoIndex(twin.dir, osm, 'import:hand');
      const result = await IndexBuild.run(twin.dir, (build) => importGar(build, BAIKONUR));
      expect(result.twins.matched).toBe(1);
      // The other order (the extract imported again after the registry) links its twins too.
      await importIntoIndex(twin.dir, osm, 'import:hand');
      const twinIndex = new ServedIndex(twin.dir);
      try {
        const found = await new LocalIndex(twinIndex).suggest('байконур гагарина 5 ', { count: 10, language: 'ru' });
        const fives = found.filter((s) => s.data.house === '5');
        expect(fives).toHaveLength(1);
        expect(fives[0].data).toMatchObject({ lat: 45.6231, lon: 63.3142, qc_geo: '0', postal_code: '468325' });
        // A house only OpenStreetMap knows stays, from OpenStreetMap.
        expect((await new LocalIndex(twinIndex).suggest('байконур гагарина 999', { count: 3, language: 'ru' }))[0].data.house).toBe('999');
      } finally {
        twinIndex.close();
      }
    } finally {
      twin.cleanup();
    }
  });

  it('reads every attribute the XSDs declare, whatever the spacing, quoting and entities', () => {
    const schemas = join(GAR_DIR, 'gar_schemas');
    let checked = 0;
    for (const file of readdirSync(schemas)) {
      const names = [...readFileSync(join(schemas, file), 'utf8').matchAll(/<xs:attribute\s+name="(\w+)"/g)].map((m) => m[1]);
      expect(names.length, file).toBeGreaterThan(0);
      const record = names.map((name, i) => (i % 3 === 2 ? `\n\t${name} = '${name}&quot;${i}'` : ` ${name}="${name}&amp;${i}"`)).join('');
      names.forEach((name, i) => {
        expect(attr(record, name), `${file} ${name}`).toBe(i % 3 === 2 ? `${name}"${i}` : `${name}&${i}`);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(150);
  });

  it("reads the real 2026 delta of region 02 with its dictionaries, no record malformed", async () => {
    const delta = tempDir();
    try {
      const result = await IndexBuild.run(delta.dir, (build) => importGar(build, garFile('gar_delta_02_bashkortostan_20260129.zip')));
      expect(result.regions[0]).toMatchObject({ code: 2, malformed: 0 });
      const current = tableRecords(garFile('gar_delta_02_bashkortostan_20260129.zip'), 'AS_HOUSES').filter((r) => r.ISACTUAL === '1' && r.ISACTIVE === '1');
      // A delta alone: most houses hang under streets it does not carry (SOURCES.md), and are said to.
      expect(result.regions[0].houses + result.regions[0].orphans).toBe(new Set(current.map((r) => r.OBJECTID)).size);
    } finally {
      delta.cleanup();
    }
  });
});

describe.skipIf(!hasGar)('registry answers in the writes', () => {
  it("a website lead typed as people type it gets the registry's address and postcode in the mapped fields", async () => {
    const { writeEnv, createSiteKey, postLead, admin, eventually, fieldValue, ACCOUNT } = await import('../writes/write-helpers.js');
    const env = await writeEnv();
    try {
      await IndexBuild.run(env.app.system.config.indexDir, (build) => importGar(build, BAIKONUR));
      env.app.system.servedIndex.refresh();
      expect((await admin(env.app, 'PUT', `/api/admin/accounts/${ACCOUNT}/settings`, { pipelineId: 5000, statusId: 6001, fields: { leads: { address: 762381, postalCode: 762385 } } })).status).toBe(200);
      const key = await createSiteKey(env.app);
      const { id } = await (await postLead(env.app.url, key, { name: 'Айгуль', phone: '+79270001124', address: 'байконур гагарина 5' })).json();
      let view: { status?: string; amocrm?: { leadId: number } } = {};
      await eventually(async () => {
        view = await (await fetch(`${env.app.url}/api/leads/${id}`, { headers: { 'X-Api-Key': key } })).json();
        return view.status === 'sent';
      }, 'sent');
      const lead = env.fake.entities.get(ACCOUNT)!.leads.get(view.amocrm!.leadId)!;
      expect(fieldValue(lead, 762381)).toBe('г Байконур, ул Гагарина, д 5');
      expect(fieldValue(lead, 762385)).toBe('468325');
    } finally {
      await env.close();
    }
  });
});
