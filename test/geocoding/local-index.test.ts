import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/store/database.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readOpenAddressesCsv } from '../../server/address-data/osm/read-openaddresses-csv.js';
import { readOsmXml } from '../../server/address-data/osm/read-osm-xml.js';
import { readOsmPbf } from '../../server/address-data/osm/read-osm-pbf.js';

let db: Db;
let index: LocalIndex;
const opts = { count: 5 };
const values = (q: string, o: Parameters<LocalIndex['search']>[1] = opts) => index.search(q, o).map((r) => r.value);

beforeAll(async () => {
  db = openIndexDatabase(':memory:');
  index = new LocalIndex(new PlacesRepository(db));
  expect(ensureGazetteer(index)).toBeGreaterThan(7000);
  expect(ensureGazetteer(index)).toBe(0); // same file: not loaded twice
  const csv = await importRecords(index, readOpenAddressesCsv('test/fixtures/samara-sample.csv'), 'import:samara');
  expect(csv).toEqual({ houses: 6, streets: 3, areas: 0, skipped: { noStreet: 0, noHouseNumber: 1, duplicate: 0, incompleteArea: 0 } });
  const osm = await importRecords(index, readOsmXml('test/fixtures/kazan-sample.osm'), 'import:kazan');
  expect(osm).toEqual({ houses: 2, streets: 2, areas: 0, skipped: { noStreet: 0, noHouseNumber: 0, duplicate: 0, incompleteArea: 0 } });
});
afterAll(() => db.close());

describe('local index', () => {
  it('finds a city by the beginning of its Russian name, the biggest first', () => {
    expect(values('Новосиб')[0]).toBe('Новосибирск');
    expect(values('самар')[0]).toBe('Самара');
  });

  it('finds cities by their Latin and other-language names', () => {
    expect(values('Moscow')[0]).toBe('Москва');
    expect(values('Київ')[0]).toBe('Киев');
  });

  it('folds ё and address abbreviations on both sides', () => {
    expect(values('Казань Кремлевская')).toContain('Казань, Кремлёвская улица');
    expect(values('г. Самара, ул. Авроры, д. 110')[0]).toBe('Самара, улица Авроры, д 110');
    expect(values('Самара улица Авроры 11')[0]).toMatch(/Авроры, д 11/);
  });

  it('matches whole words before the last and a prefix for the last', () => {
    expect(values('Самара Авр')).toEqual(expect.arrayContaining(['Самара, улица Авроры', 'Самара, улица Авроры, д 110']));
    expect(values('Самара Авр')[0]).toBe('Самара, улица Авроры'); // the street before its houses
  });

  it('keeps house-level parts: postal code, block, coordinates', () => {
    const [row] = index.search('Самара Ленинградская 7', opts);
    expect(row).toMatchObject({ house: '7', block: '2', postal_code: '443099', lat: 53.201, kind: 'house' });
    const [way] = index.search('Казань Кремлевская 18', opts);
    expect(way.lat).toBeCloseTo(55.7901, 3); // the mean of the building's nodes
  });

  it('retries in the Russian keyboard layout', () => {
    expect(values('vjcrdf')[0]).toBe('Москва');
  });

  it('finds through a typo with the trigram pass', () => {
    expect(values('Новосибрск')[0]).toBe('Новосибирск');
    expect(values('Самрара')).toContain('Самара');
    expect(values('Самара Авррры 110')[0]).toBe('Самара, улица Авроры, д 110'); // a typo in a whole word, not the last
    expect(values('Самара Аврор')[0]).toBe('Самара, улица Авроры'); // no typo: no correction needed
    expect(values('Ыыщщзз')).toEqual([]); // nothing close enough: nothing invented
  });

  it('biases towards the configured city', () => {
    expect(values('Ленин', { count: 3, city: 'Самара' })[0]).toBe('Самара, Ленинградская улица');
  });

  it('reads the same extract as OpenStreetMap PBF (made from the XML fixture with osmium)', async () => {
    const records = [];
    for await (const r of readOsmPbf('test/fixtures/kazan-sample.osm.pbf')) records.push(r);
    const fromXml = [];
    for await (const r of readOsmXml('test/fixtures/kazan-sample.osm')) fromXml.push(r);
    expect(records).toEqual(fromXml);
    expect(records.map((r) => `${r.street} ${r.house}`)).toEqual(['улица Баумана 19', 'Кремлёвская улица 18']);
  });

  it('re-importing a source replaces it instead of doubling it', async () => {
    const before = index.countBySource()['import:samara'];
    await importRecords(index, readOpenAddressesCsv('test/fixtures/samara-sample.csv'), 'import:samara');
    expect(index.countBySource()['import:samara']).toBe(before);
  });
});
