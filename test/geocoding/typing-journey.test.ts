/**
 * What a manager meets typing an address key by key, on the demo's real data: central Moscow
 * from OpenStreetMap and г Байконур from the registry (../shared). Every example of the
 * typing-journey issue, through the HTTP answer the widget reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IndexBuild } from '../../server/address-data/index-build.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readOsmPbf } from '../../server/address-data/osm/read-osm-pbf.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { splitDetails } from '../../server/geocoding/address-details.js';
import { startApp, tempDir, type RunningApp } from '../helpers.js';
import { BAIKONUR, hasGar } from '../address-data/gar-fixtures.js';
import { hasRealdata, realFile } from '../realdata.js';
import type { SuggestResponse } from '../../contract/api.js';

describe('details typed after the house', () => {
  it.each([
    ['аргуновская 18 кв 5', 'аргуновская 18 ', { flat_type: 'кв', flat: '5' }],
    ['аргуновская 18 кв. 5', 'аргуновская 18 ', { flat_type: 'кв', flat: '5' }],
    ['аргуновская 18 квартира 5', 'аргуновская 18 ', { flat_type: 'кв', flat: '5' }],
    ['аргуновская 18 офис 5', 'аргуновская 18 ', { flat_type: 'офис', flat: '5' }],
    ['аргуновская 18 оф 5', 'аргуновская 18 ', { flat_type: 'офис', flat: '5' }],
    ['аргуновская 18 пом 3', 'аргуновская 18 ', { flat_type: 'пом', flat: '3' }],
    ['аргуновская 18 подъезд 2', 'аргуновская 18 ', { entrance: '2' }],
    ['аргуновская 18 под 2', 'аргуновская 18 ', { entrance: '2' }],
    ['аргуновская 18 эт 3', 'аргуновская 18 ', { floor: '3' }],
    ['аргуновская 18 этаж 3', 'аргуновская 18 ', { floor: '3' }],
    ['аргуновская 18 домофон 12к', 'аргуновская 18 ', { intercom: '12К' }],
    ['д 18 к2 кв 7', 'д 18 к2 ', { flat: '7' }],
    ['аргуновская 18/2-7', 'аргуновская 18/2 ', { flat: '7' }],
    ['аргуновская д 18 кв 5 под 2 эт 3', 'аргуновская д 18 ', { flat: '5', entrance: '2', floor: '3' }],
    ['аргуновская 18, кв. 5, подъезд 2', 'аргуновская 18 ', { flat: '5', entrance: '2' }],
  ])('"%s" is looked up as "%s" with its details kept', (typed, address, details) => {
    const split = splitDetails(typed);
    expect(split.address).toBe(address);
    expect(split.details).toMatchObject(details);
  });

  it.each(['москва под', 'москва подбельского', 'улица 18 офисная', 'аргуновская 18 ко', 'москва 2-я'])('"%s" has none: they come only after a house, and a корпус being typed is not one', (typed) => {
    expect(splitDetails(typed).details).toBeNull();
  });

  it('a detail word still being typed counts as one (the house is finished)', () => {
    expect(splitDetails('аргуновская 18 подъ')).toMatchObject({ address: 'аргуновская 18 ' });
    expect(splitDetails('аргуновская 18 кварт').details).toMatchObject({ flat_type: 'кв', flat: null });
  });
});

describe.skipIf(!hasRealdata || !hasGar)('the typing journey on the demo data', () => {
  let tmp: ReturnType<typeof tempDir>;
  let app: RunningApp;
  const ask = async (q: string, count = 7): Promise<SuggestResponse> => {
    const res = await fetch(`${app.url}/api/address/suggest?${new URLSearchParams({ q, count: String(count) })}`);
    expect(res.status).toBe(200);
    return (await res.json()) as SuggestResponse;
  };
  const values = async (q: string, count = 7) => (await ask(q, count)).suggestions.map((s) => s.value);

  beforeAll(async () => {
    tmp = tempDir();
    app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'store.db') });
    await IndexBuild.run(app.system.config.indexDir, async (build) => {
      await importRecords(build.index, readOsmPbf(realFile('gh-moscow.osm.pbf')), 'import:Москва, центр (OpenStreetMap)');
      await importGar(build, BAIKONUR);
    });
    expect(app.system.servedIndex.refresh()).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('a full list when more match: as many rows as asked, never one short (answers that read the same are dropped after asking)', async () => {
    for (const q of ['мос', 'москва м', 'москва ', 'байконур ']) expect((await ask(q, 20)).suggestions.length, q).toBe(20);
  });

  it('a street typed whole and a space lists the street, then its houses in number order', async () => {
    const list = await values('москва звездный ');
    expect(list[0]).toBe('г Москва, Звёздный б-р');
    const numbers = list.slice(1).map((v) => Number(/д (\d+)/.exec(v)![1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect((await values('москва академика ')).length).toBe(7);
  });

  it('a picked street ("<value>, ") lists its houses at once and never offers the street again', async () => {
    const street = (await ask('москва гончарова')).suggestions[0];
    expect(street.value).toBe('г Москва, ул Гончарова');
    const houses = (await ask(`${street.value}, `)).suggestions;
    expect(houses.length).toBe(7);
    expect(houses.every((h) => h.data.street_with_type === 'ул Гончарова' && h.data.house)).toBe(true);
    expect(houses.map((h) => h.value)).not.toContain(street.value);
    expect(houses[0].value).toBe('г Москва, ул Гончарова, д 3');
    // The same on a registry street.
    const gagarina = (await ask('байконур гагарина')).suggestions[0];
    expect(gagarina.value).toBe('г Байконур, ул Гагарина');
    const registryHouses = (await ask(`${gagarina.value}, `)).suggestions;
    expect(registryHouses.map((h) => h.data.house)).toEqual(['3', '5', '5а', '7', '15а', '15б'].slice(0, registryHouses.length));
    expect(registryHouses.every((h) => h.data.house_fias_id)).toBe(true);
  });

  it('a picked settlement ("<value>, ") lists its streets', async () => {
    const list = (await ask('Москва, ')).suggestions;
    expect(list.length).toBe(7);
    expect(list.every((s) => s.data.street && !s.data.house && s.data.city === 'Москва')).toBe(true);
  });

  it('a flat, office, entrance, floor or intercom typed after the house keeps the house and is kept in the answer', async () => {
    const [flat] = (await ask('аргуновская 18 кв 5')).suggestions;
    expect(flat.value).toBe('г Москва, ул Аргуновская, д 18, кв 5');
    expect(flat.unrestricted_value).toBe(`${flat.data.postal_code ? `${flat.data.postal_code}, ` : ''}г Москва, ул Аргуновская, д 18, кв 5`);
    expect(flat.data).toMatchObject({ house: '18', flat_type: 'кв', flat_type_full: 'квартира', flat: '5', entrance: null, floor: null, intercom: null, fias_level: '8' }); // a flat only typed: its house's level, as DaData answers
    expect((await values('аргуновская 18 офис 5'))[0]).toBe('г Москва, ул Аргуновская, д 18, офис 5');
    expect((await values('аргуновская 18 подъезд 2'))[0]).toBe('г Москва, ул Аргуновская, д 18, подъезд 2');
    expect((await values('милашенкова 9 к2 кв 7'))[0]).toBe('г Москва, ул Милашенкова, д 9 к 2, кв 7');
    const [all] = (await ask('аргуновская д 18 кв 5 под 2 эт 3 домофон 5К')).suggestions;
    expect(all.value).toBe('г Москва, ул Аргуновская, д 18, кв 5, подъезд 2, этаж 3, домофон 5К');
    expect(all.data).toMatchObject({ flat: '5', entrance: '2', floor: '3', intercom: '5К' });
    // The flat being typed keeps the house's list: nothing empties it.
    for (const partial of ['аргуновская 18 к', 'аргуновская 18 кв', 'аргуновская 18 кв ', 'аргуновская 18 кв 5']) expect((await values(partial)).length, partial).toBeGreaterThan(0);
  });

  it('a typo with a house number finds registry houses as it does map houses', async () => {
    expect((await values('гагрина 5'))[0]).toBe('г Байконур, ул Гагарина, д 5');
    expect((await values('милашенкво 9'))[0]).toMatch(/^г Москва, ул Милашенкова, д 9/);
  });

  it('a house the data lacks shows its street and the nearest houses, with a note', async () => {
    const answer = await ask('бутырская 5');
    expect(answer.note).toEqual({ code: 'house_not_found', house: '5', street: 'Москва, Бутырская улица' });
    expect(answer.suggestions[0].value).toBe('г Москва, ул Бутырская');
    expect(answer.suggestions.length).toBeGreaterThan(1);
    expect(answer.suggestions.slice(1).every((s) => s.data.street_with_type === 'ул Бутырская' && s.data.house)).toBe(true);
    const registry = await ask('байконур гагарина 6');
    expect(registry.note).toMatchObject({ code: 'house_not_found', house: '6' });
    expect(registry.suggestions.slice(1, 4).map((s) => s.data.house)).toEqual(['5', '5а', '7']); // nearest to 6, then in number order
    // resolve (webhooks, website leads) does not take the street for the house
    expect((await fetch(`${app.url}/api/address/resolve?q=${encodeURIComponent('бутырская 5')}`)).status).toBe(404);
  });

  it('Latin letters: transliterated Russian and the wrong keyboard layout', async () => {
    expect((await values('moskva argunovskaya 18'))[0]).toBe('г Москва, ул Аргуновская, д 18');
    expect((await values('ulitsa goncharova'))[0]).toBe('г Москва, ул Гончарова');
    expect((await values('ul. Gagarina 5'))[0]).toBe('г Байконур, ул Гагарина, д 5');
    const moskva = await values('moskva');
    expect(moskva[0]).toBe('г Москва'); // the capital before the village of Moskva (Tajikistan)
    expect(moskva).toContain('Moskva');
    expect((await values('vjcrdf fhueyjdcrfz 18'))[0]).toBe('г Москва, ул Аргуновская, д 18');
  });

  it('a short word is not turned into another place: no Тверская here, so no Северская', async () => {
    expect(await values('северская')).toContain('г Северская'); // the settlement, in the gazetteer
    expect(await values('тверская')).not.toContain('г Северская');
  });

  it('a known settlement without streets in the data says so, instead of blaming the spelling', async () => {
    const answer = await ask('казань баумана 10');
    expect(answer.note).toEqual({ code: 'no_streets', settlement: 'Казань' });
    expect(answer.suggestions.map((s) => s.value)).toEqual(['г Казань']);
    // Moscow has streets here: a street it lacks is "nothing found", not "no streets".
    expect((await ask('москва несуществующая 10')).note).toBeUndefined();
  });
});
