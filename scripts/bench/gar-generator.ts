/**
 * A registry-shaped archive, GENERATED for benchmarks (never real data, never shipped): the
 * layout of gar_xml.zip (root dictionaries, one folder per region, the tables the import reads,
 * with AS_MUN_HIERARCHY too), in the proportions of the real registry — 85 regions; settlements
 * from a few cities of tens of thousands of houses down to villages of a dozen; about 30
 * houses a street; common street names shared across the country (Ленина, Гагарина, Мира…)
 * beside rare ones; long names; one house in ten with a корпус or строение; a third of the
 * houses and objects with an older version; about eight params a house (postcode, OKATO, OKTMO,
 * tax office codes…) with ended ones among them. Real records (Байконур, ../shared/gar) show the
 * shapes copied here.
 */
import { closeSync, createWriteStream, openSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ZipArchive } from 'archiver';

export const COMMON_STREETS = ['Ленина', 'Гагарина', 'Мира', 'Советская', 'Молодежная', 'Центральная', 'Школьная', 'Лесная', 'Садовая', 'Октябрьская', 'Комсомольская', 'Пионерская', 'Первомайская', 'Новая', 'Полевая', 'Зеленая', 'Солнечная', 'Кирова', 'Пушкина', 'Строителей', 'Победы', 'Заречная', 'Набережная', 'Чапаева', 'Горького', 'Калинина', 'Северная', 'Южная', 'Речная', 'Весенняя'];
const STREET_TYPES = ['ул', 'ул', 'ул', 'ул', 'ул', 'ул', 'пер', 'пр-кт', 'проезд', 'б-р', 'ш', 'наб', 'пл'];
const ROOTS = ['Берез', 'Сосн', 'Дуб', 'Клен', 'Рябин', 'Ольх', 'Лип', 'Ел', 'Кедр', 'Ивов', 'Луг', 'Поль', 'Рек', 'Озер', 'Гор', 'Холм', 'Ключ', 'Ручь', 'Камен', 'Песч', 'Красн', 'Бел', 'Черн', 'Зелен', 'Светл', 'Тих', 'Ясн', 'Солов', 'Журавл', 'Сокол'];
const PREFIXES = ['', 'Ново', 'Старо', 'Верхне', 'Нижне', 'Больше', 'Мало', 'Красно', 'Бело', 'Усть-'];
const SUFFIXES = ['овка', 'ино', 'ово', 'ое', 'ск', 'огорск', 'поль', 'цы', 'ки', 'ище', 'енка', 'ный'];
/** Named-after streets, shared across settlements too. */
export const PERSONS = ['Академика Королева', 'Генерала Карбышева', 'Маршала Жукова', 'Героев Панфиловцев', 'имени генерал-лейтенанта Шумилина', 'Космонавта Титова', 'Василия Шукшина', 'Петра Столыпина', 'Аркадия Гайдара', 'Валентины Терешковой'];

/** Every street name the generator gives to more than one settlement. */
export const SHARED_STREET_NAMES = [...COMMON_STREETS, ...PERSONS];

export interface GeneratedArchive {
  houses: number;
  /** A sample of generated houses as DaData writes them, for typing; with their settlement. */
  sample: Array<{ value: string; city: string; street: string; house: string }>;
}

/** A deterministic generator (mulberry32), so the same size makes the same archive. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "Ново" + "Берез" + "овка" → "Новоберезовка"; "Усть-" keeps the capital after its hyphen. */
const joinName = (prefix: string, root: string, suffix = '') => `${prefix}${prefix && !prefix.endsWith('-') ? root.toLowerCase() : root}${suffix}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

export async function generateGarArchive(path: string, totalHouses: number, options: { regions?: number; sampleEvery?: number } = {}): Promise<GeneratedArchive> {
  const rnd = random(totalHouses);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const regionCount = options.regions ?? 85;
  const out = createWriteStream(path);
  const zip = new ZipArchive({ zlib: { level: 1 }, forceZip64: true });
  zip.pipe(out);
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    zip.on('error', reject);
  });
  // Region tables are written to temporary files, and removed once the zip writer has read them.
  let written = 0;
  zip.on('entry', () => written++);
  const entriesWritten = async (count: number) => {
    while (written < count) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  let appended = 2;
  const date = '20260904';
  const name = (table: string) => `${table}_${date}_${randomUUID()}.XML`;
  zip.append(`<?xml version="1.0" encoding="utf-8"?><HOUSETYPES>${[[2, 'Дом', 'д.'], [5, 'Здание', 'зд.'], [7, 'Строение', 'стр.'], [10, 'Корпус', 'к.']].map(([id, full, short]) => `<HOUSETYPE ID="${id}" NAME="${full}" SHORTNAME="${short}" DESC="${full}" ISACTIVE="true" UPDATEDATE="1900-01-01" STARTDATE="1900-01-01" ENDDATE="2079-06-06" />`).join('')}</HOUSETYPES>`, { name: name('AS_HOUSE_TYPES') });
  zip.append(`<?xml version="1.0" encoding="utf-8"?><HOUSETYPES>${[[1, 'Корпус', 'к.'], [2, 'Строение', 'стр.'], [3, 'Сооружение', 'соор.']].map(([id, full, short]) => `<HOUSETYPE ID="${id}" NAME="${full}" SHORTNAME="${short}" DESC="${full}" ISACTIVE="true" UPDATEDATE="2015-12-25" STARTDATE="2015-12-25" ENDDATE="2079-06-06" />`).join('')}</HOUSETYPES>`, { name: name('AS_ADDHOUSE_TYPES') });

  // Above the real registry's OBJECTIDs (a few hundred million at most in 2026), so a real region imported beside never shares one.
  let nextId = 2_000_000_000;
  let nextRecord = 50_000_000;
  const sample: GeneratedArchive['sample'] = [];
  const sampleEvery = options.sampleEvery ?? Math.max(1, Math.floor(totalHouses / 2000));
  let houseNo = 0;
  let housesLeft = totalHouses;

  for (let r = 0; r < regionCount; r++) {
    const code = r + 1 === 99 ? 98 : r + 1;
    const regionHouses = r === regionCount - 1 ? housesLeft : Math.round(totalHouses / regionCount);
    housesLeft -= regionHouses;
    const tables = { obj: 0, objParams: 0, adm: 0, mun: 0, houses: 0, houseParams: 0 };
    // Each table is written to a temporary file and added once complete: a zip holds one entry after another.
    const chunks: Record<keyof typeof tables, string[]> = { obj: [], objParams: [], adm: [], mun: [], houses: [], houseParams: [] };
    const sizes: Record<keyof typeof tables, number> = { obj: 0, objParams: 0, adm: 0, mun: 0, houses: 0, houseParams: 0 };
    const files: Record<keyof typeof tables, string> = { obj: 'AS_ADDR_OBJ', objParams: 'AS_ADDR_OBJ_PARAMS', adm: 'AS_ADM_HIERARCHY', mun: 'AS_MUN_HIERARCHY', houses: 'AS_HOUSES', houseParams: 'AS_HOUSES_PARAMS' };
    const roots: Record<keyof typeof tables, string> = { obj: 'ADDRESSOBJECTS', objParams: 'PARAMS', adm: 'ITEMS', mun: 'ITEMS', houses: 'HOUSES', houseParams: 'PARAMS' };
    const temp = `${path}.region-${code}`;
    // Written synchronously: a region of millions of houses makes tables of gigabytes, and a
    // stream without backpressure would queue them all in memory.
    const parts = new Map<keyof typeof tables, number>();
    for (const key of Object.keys(tables) as Array<keyof typeof tables>) {
      const fd = openSync(`${temp}.${key}`, 'w');
      writeSync(fd, `<?xml version="1.0" encoding="utf-8"?><${roots[key]}>`);
      parts.set(key, fd);
    }
    const write = (key: keyof typeof tables, text: string) => {
      chunks[key].push(text);
      sizes[key] += text.length;
      if (sizes[key] > 1 << 20) {
        writeSync(parts.get(key)!, chunks[key].join(''));
        chunks[key] = [];
        sizes[key] = 0;
      }
    };
    const okato = `${String(code).padStart(2, '0')}401000000`;
    const oktmo = `${String(code).padStart(2, '0')}701000`;
    const object = (id: number, parent: number | null, path: string, level: number, objName: string, type: string, kladr: string) => {
      const guid = randomUUID();
      if (rnd() < 0.3) {
        const old = nextRecord++;
        write('obj', `<OBJECT ID="${old}" OBJECTID="${id}" OBJECTGUID="${guid}" CHANGEID="${old + 7}" NAME="${esc(objName)}" TYPENAME="${type}" LEVEL="${level}" OPERTYPEID="1" PREVID="0" NEXTID="${old + 1}" UPDATEDATE="2019-07-16" STARTDATE="1900-01-01" ENDDATE="2019-07-16" ISACTUAL="0" ISACTIVE="0" />`);
      }
      const rec = nextRecord++;
      write('obj', `<OBJECT ID="${rec}" OBJECTID="${id}" OBJECTGUID="${guid}" CHANGEID="${rec + 7}" NAME="${esc(objName)}" TYPENAME="${type}" LEVEL="${level}" OPERTYPEID="10" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1" />`);
      for (const [typeId, value] of [[1, '7701'], [2, '7701'], [6, okato], [7, oktmo], [10, kladr], [13, `${oktmo}0000000000`], [14, '0'], [15, '0001']] as const) {
        write('objParams', `<PARAM ID="${nextRecord++}" OBJECTID="${id}" CHANGEID="${rec + 7}" CHANGEIDEND="0" TYPEID="${typeId}" VALUE="${value}" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" />`);
      }
      const hierarchy = `OBJECTID="${id}" PARENTOBJID="${parent ?? 0}" CHANGEID="${rec + 7}"`;
      write('adm', `<ITEM ID="${nextRecord++}" ${hierarchy} REGIONCODE="${code}" AREACODE="0" CITYCODE="0" PLACECODE="0" PLANCODE="0" STREETCODE="0" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTIVE="1" PATH="${path}" />`);
      write('mun', `<ITEM ID="${nextRecord++}" ${hierarchy} OKTMO="${oktmo}" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTIVE="1" PATH="${path}" />`);
    };

    const regionId = nextId++;
    const regionName = joinName(pick(PREFIXES), pick(ROOTS), 'ская');
    object(regionId, null, String(regionId), 1, regionName, 'обл', `${String(code).padStart(2, '0')}00000000000`);
    const districts = Array.from({ length: 12 }, () => {
      const id = nextId++;
      object(id, regionId, `${regionId}.${id}`, 2, `${pick(ROOTS)}ский`, 'р-н', `${String(code).padStart(2, '0')}00100000000`);
      return id;
    });
    // Settlement sizes: a few big cities, a long tail of villages (a Pareto-like split of the region's houses).
    let left = regionHouses;
    for (let s = 0; left > 0; s++) {
      const size = Math.max(8, Math.min(left, Math.round(s === 0 ? regionHouses * 0.25 : s < 4 ? regionHouses * 0.06 : 15 + rnd() * rnd() * 600)));
      left -= size;
      const city = s < 4;
      const settlementId = nextId++;
      const parent = city ? regionId : pick(districts);
      const settlementPath = city ? `${regionId}.${settlementId}` : `${regionId}.${parent}.${settlementId}`;
      const settlementName = joinName(pick(PREFIXES), pick(ROOTS), pick(SUFFIXES));
      object(settlementId, parent, settlementPath, city ? 5 : 6, settlementName, city ? 'г' : pick(['с', 'д', 'п', 'рп']), `${String(code).padStart(2, '0')}0${String(s).padStart(8, '0')}00`);
      const streetCount = Math.max(1, Math.round(size / 30));
      let houseLeft = size;
      for (let t = 0; t < streetCount; t++) {
        const streetId = nextId++;
        const streetName = rnd() < 0.55 ? pick(COMMON_STREETS) : rnd() < 0.15 ? pick(PERSONS) : `${pick(ROOTS)}${pick(['овая', 'ная', 'ская', 'инская'])} ${t + 1}-я`;
        const type = pick(STREET_TYPES);
        object(streetId, settlementId, `${settlementPath}.${streetId}`, 8, streetName, type, `${String(code).padStart(2, '0')}0${String(s).padStart(8, '0')}${String(t).padStart(4, '0')}00`);
        const onStreet = t === streetCount - 1 ? houseLeft : Math.min(houseLeft, Math.max(1, Math.round(size / streetCount)));
        houseLeft -= onStreet;
        for (let h = 1; h <= onStreet; h++) {
          const id = nextId++;
          const guid = randomUUID();
          const korpus = rnd() < 0.1;
          const num = `${h}${rnd() < 0.05 ? 'а' : ''}`;
          const add = korpus ? ` ADDNUM1="${1 + Math.floor(rnd() * 3)}" ADDTYPE1="${rnd() < 0.6 ? 1 : 2}"` : '';
          if (rnd() < 0.3) {
            const old = nextRecord++;
            write('houses', `<HOUSE ID="${old}" OBJECTID="${id}" OBJECTGUID="${guid}" CHANGEID="${old + 3}" HOUSENUM="${num}" HOUSETYPE="2"${add} OPERTYPEID="10" PREVID="0" NEXTID="${old + 1}" UPDATEDATE="2019-07-16" STARTDATE="2012-01-01" ENDDATE="2019-07-16" ISACTUAL="0" ISACTIVE="0" />`);
          }
          const rec = nextRecord++;
          const houseType = rnd() < 0.9 ? 2 : 5;
          write('houses', `<HOUSE ID="${rec}" OBJECTID="${id}" OBJECTGUID="${guid}" CHANGEID="${rec + 3}" HOUSENUM="${num}" HOUSETYPE="${houseType}"${add} OPERTYPEID="10" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTUAL="1" ISACTIVE="1" />`);
          const postcode = `${String(100 + code).padStart(3, '0')}${String(s % 1000).padStart(3, '0')}`;
          const params: Array<[number, string, string]> = [[1, '7701', '2079-06-06'], [2, '7701', '2079-06-06'], [5, postcode, '2079-06-06'], [6, okato, '2079-06-06'], [7, oktmo, '2079-06-06'], [8, `${code}:01:0${s}:${id}`, '2079-06-06'], [13, `${oktmo}00000000000000`, '2079-06-06'], [14, '0', '2079-06-06']];
          if (rnd() < 0.3) params.push([5, '000000', '2019-07-16']);
          for (const [typeId, value, end] of params) {
            write('houseParams', `<PARAM ID="${nextRecord++}" OBJECTID="${id}" CHANGEID="${rec + 3}" CHANGEIDEND="0" TYPEID="${typeId}" VALUE="${value}" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="${end}" />`);
          }
          const hierarchy = `OBJECTID="${id}" PARENTOBJID="${streetId}" CHANGEID="${rec + 3}"`;
          write('adm', `<ITEM ID="${nextRecord++}" ${hierarchy} REGIONCODE="${code}" AREACODE="0" CITYCODE="0" PLACECODE="0" PLANCODE="0" STREETCODE="${t}" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTIVE="1" PATH="${settlementPath}.${streetId}.${id}" />`);
          write('mun', `<ITEM ID="${nextRecord++}" ${hierarchy} OKTMO="${oktmo}" PREVID="0" NEXTID="0" UPDATEDATE="2019-07-16" STARTDATE="2019-07-16" ENDDATE="2079-06-06" ISACTIVE="1" PATH="${settlementPath}.${streetId}.${id}" />`);
          if (houseNo++ % sampleEvery === 0) {
            const houseText = `${houseType === 2 ? 'д' : 'зд'} ${num}${korpus ? '' : ''}`;
            if (!korpus) sample.push({ value: `${settlementName}, ${type} ${streetName}, ${houseText}`, city: settlementName, street: streetName, house: num });
          }
        }
      }
    }
    for (const key of Object.keys(tables) as Array<keyof typeof tables>) {
      const fd = parts.get(key)!;
      writeSync(fd, `${chunks[key].join('')}</${roots[key]}>`);
      closeSync(fd);
      zip.file(`${temp}.${key}`, { name: `${String(code).padStart(2, '0')}/${name(files[key])}` });
      appended++;
    }
    await entriesWritten(appended);
    for (const key of Object.keys(tables)) rmSync(`${temp}.${key}`, { force: true });
  }
  await zip.finalize();
  await done;
  return { houses: totalHouses, sample };
}
