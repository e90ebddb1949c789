/**
 * House numbers and the other parts of a typed address that real data showed we got wrong
 * (issue: real addresses). The rows in test/fixtures/house-numbers.csv are written for these
 * cases; how often the right house comes first on real OpenStreetMap data is measured by
 * `npm run bench:quality`, and real-data.test.ts checks the import of real extracts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/store/database.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readOpenAddressesCsv } from '../../server/address-data/osm/read-openaddresses-csv.js';
import { houseKey } from '../../server/geocoding/house-number.js';

let db: Db;
let index: LocalIndex;
const first = (q: string) => index.search(q, { count: 5 })[0]?.value;
const values = (q: string) => index.search(q, { count: 5 }).map((r) => r.value);

beforeAll(async () => {
  db = openIndexDatabase(':memory:');
  index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
  await importRecords(index, readOpenAddressesCsv('test/fixtures/house-numbers.csv'), 'import:houses');
});
afterAll(() => db.close());

describe('house numbers', () => {
  it.each([
    ['17к1', '17к1'], ['17 к1', '17к1'], ['17 к 1', '17к1'], ['17 корп. 1', '17к1'], ['д. 17, корпус 1', '17к1'], ['дом 17 к.1', '17к1'],
    ['30/2с3', '30/2с3'], ['30/2 стр. 3', '30/2с3'], ['5-7 с1', '5-7с1'], ['8/2 с4', '8/2с4'], ['12А', '12а'], ['12 а', '12а'], ['4 лит. А', '4лита'],
  ])('%s is house %s', (written, canonical) => {
    expect(houseKey(written)).toBe(canonical);
  });

  it.each(['Алымов переулок 17к1', 'Алымов пер 17 к1', 'алымов 17 к 1', 'Алымов переулок, 17 корп. 1', 'пер. Алымов, д. 17, корпус 1', 'алымов дом 17 к.1'])('"%s" finds house 17 корпус 1 first', (q) => {
    expect(first(q)).toBe('Москва, Алымов переулок, д 17к1');
  });

  it('an unfinished корпус keeps the house and its корпуса in view', () => {
    expect(values('Алымов переулок 17 к')).toContain('Москва, Алымов переулок, д 17к1');
    expect(values('Алымов переулок 17 ')[0]).toBe('Москва, Алымов переулок, д 17'); // a finished 17 is 17
  });

  it('the exact house comes first, before a корпус of another house ending in the same digit', () => {
    expect(first('Никитинская улица 2')).toBe('Москва, Никитинская улица, д 2');
  });

  it('a fraction and строение round-trip', () => {
    expect(first('Ленинградский проспект 30/2с3')).toBe('Москва, Ленинградский проспект, д 30/2с3');
    expect(first('ленинградский 30/2 стр 3')).toBe('Москва, Ленинградский проспект, д 30/2с3');
  });

  it('different houses are never merged: 3, 3 стр 3 and 3 стр 2 are all offered, 3 first', () => {
    const found = values('Косинская улица 3');
    expect(found[0]).toBe('Москва, Косинская улица, д 3');
    expect(found).toEqual(expect.arrayContaining(['Москва, Косинская улица, д 3 стр 3', 'Москва, Косинская улица, д 3 стр 2']));
  });

  it('a house of a street named with an ordinal is not taken for the street ("6-я Парковая, д 6")', () => {
    expect(first('6-я Парковая улица 6')).toBe('Москва, 6-я Парковая улица, д 6');
  });

  it('a house number never matches a postal code; a postal code typed alone does', () => {
    // No house 4, though a postcode starts with 4: the street and its nearest houses (the note says so), no postcode match.
    expect(values('Ленинградская улица 4')).toEqual(['Москва, Ленинградская улица', 'Москва, Ленинградская улица, д 8', 'Москва, Ленинградская улица, д 80']);
    expect(index.search('Ленинградская улица 4', { count: 5 }).every((r) => !r.house?.startsWith('4'))).toBe(true);
    expect(values('Ленинградская улица 8')[0]).toBe('Москва, Ленинградская улица, д 8');
    expect(values('443017')).toContain('Москва, Ленинградская улица, д 8');
  });

  it('a house number written first, as in London: "87 Hatton Garden"', () => {
    expect(first('87 Hatton Garden')).toBe('London, 87 Hatton Garden');
    expect(first('87a Hatton Garden')).toBe('London, 87a Hatton Garden');
  });
});

describe('street type words', () => {
  it('a typed type counts: проспект Ленина before улица Ленина, and the other way round', () => {
    expect(first('проспект Ленина 5')).toBe('Москва, проспект Ленина, д 5');
    expect(first('улица Ленина 5')).toBe('Москва, Ленина улица, д 5');
  });

  it.each(['переуок Алымов 17к1', 'Алымов переулко 17к1', 'улиац Никитинская 2', 'Никитинская улциа 2'])('a typo in the type word ("%s") still finds the house', (q) => {
    expect(values(q).length).toBeGreaterThan(0);
    expect(first(q)).toMatch(/Алымов переулок, д 17к1|Никитинская улица, д 2/);
  });

  it('an unfinished type word after a comma never empties the answer ("Москва, у")', () => {
    expect(values('Москва, Никитинская, у').length).toBeGreaterThan(0);
  });
});

describe('a preferred city at scale', () => {
  it('narrows the index query itself: its house is found even when 64 bigger cities have the same street', async () => {
    const big = openIndexDatabase(':memory:');
    try {
      const bigIndex = new LocalIndex(new PlacesRepository(big));
      ensureGazetteer(bigIndex);
      // Generated filler (scripts/bench), 200 cities with the same 25 street names: not real addresses.
      const { generatedAddresses } = await import('../../scripts/bench/generate-addresses.js');
      await importRecords(bigIndex, generatedAddresses(big, 200, 3), 'generated');
      const cities = big.prepare("SELECT DISTINCT city FROM places WHERE source = 'generated' ORDER BY importance ASC LIMIT 1").all() as Array<{ city: string }>;
      const smallest = cities[0].city;
      const withPreference = bigIndex.search('улица Ленина 2', { count: 5, city: smallest });
      expect(withPreference[0]).toMatchObject({ city: smallest, street: 'улица Ленина', house: '2' });
      expect(bigIndex.search('улица Ленина 2', { count: 5 }).some((r) => r.city === smallest)).toBe(false); // without it, bigger cities fill the list
    } finally {
      big.close();
    }
  });
});
