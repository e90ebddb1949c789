/**
 * The regions `npm run data -- add <region>` knows: every subject of Russia by its registry code
 * (ГАР folder code, the first two digits of a KLADR code) and name, Байконур, the eight federal
 * districts and the whole country. Each names the OpenStreetMap extract that covers it (Geofabrik's
 * layout under OSM_EXTRACTS_URL: russia/<district>-fed-district-latest.osm.pbf, with a .md5 beside
 * each): the smallest Geofabrik publishes for it is its federal district's. An entry may name a
 * full URL instead (a mirror that publishes a city alone), in the table or by OSM_EXTRACT_URLS.
 *
 * Districts as they stand since 2023 (Указ Президента РФ № 849 от 13.05.2000 and its amendments:
 * Бурятия and Забайкальский край in the Far Eastern district since 2018, Крым and Севастополь in
 * the Southern since 2016, the four regions of 2022 in the Southern since 2023). Geofabrik keeps
 * its own Crimean extract, Калининград apart from the North-Western one, and the four regions of
 * 2022 inside its Ukraine extract.
 */
export interface CatalogueRegion {
  id: string;
  name: string;
  /** The federal district (its extract's name), or null for an entry that is no subject. */
  district: string | null;
  /** The OpenStreetMap extract: a path under OSM_EXTRACTS_URL or a full http(s) URL; null when only the registry is taken. */
  osm: string | null;
  gar: number[];
}

const extract = (name: string) => `russia/${name}-fed-district-latest.osm.pbf`;
const KALININGRAD = 'russia/kaliningrad-latest.osm.pbf';
const CRIMEA = extract('crimean');
const UKRAINE = 'europe/ukraine-latest.osm.pbf';

/** [code, id, name, district, extract when not the district's] */
type Subject = [number, string, string, District, string?];
type District = 'central' | 'northwestern' | 'south' | 'north-caucasus' | 'volga' | 'ural' | 'siberian' | 'far-eastern';

const SUBJECTS: Subject[] = [
  [1, 'adygea', 'Республика Адыгея', 'south'],
  [2, 'bashkortostan', 'Республика Башкортостан', 'volga'],
  [3, 'buryatia', 'Республика Бурятия', 'far-eastern'],
  [4, 'altai-republic', 'Республика Алтай', 'siberian'],
  [5, 'dagestan', 'Республика Дагестан', 'north-caucasus'],
  [6, 'ingushetia', 'Республика Ингушетия', 'north-caucasus'],
  [7, 'kabardino-balkaria', 'Кабардино-Балкарская Республика', 'north-caucasus'],
  [8, 'kalmykia', 'Республика Калмыкия', 'south'],
  [9, 'karachay-cherkessia', 'Карачаево-Черкесская Республика', 'north-caucasus'],
  [10, 'karelia', 'Республика Карелия', 'northwestern'],
  [11, 'komi', 'Республика Коми', 'northwestern'],
  [12, 'mari-el', 'Республика Марий Эл', 'volga'],
  [13, 'mordovia', 'Республика Мордовия', 'volga'],
  [14, 'yakutia', 'Республика Саха (Якутия)', 'far-eastern'],
  [15, 'north-ossetia', 'Республика Северная Осетия — Алания', 'north-caucasus'],
  [16, 'tatarstan', 'Республика Татарстан', 'volga'],
  [17, 'tyva', 'Республика Тыва', 'siberian'],
  [18, 'udmurtia', 'Удмуртская Республика', 'volga'],
  [19, 'khakassia', 'Республика Хакасия', 'siberian'],
  [20, 'chechnya', 'Чеченская Республика', 'north-caucasus'],
  [21, 'chuvashia', 'Чувашская Республика', 'volga'],
  [22, 'altai-krai', 'Алтайский край', 'siberian'],
  [23, 'krasnodar', 'Краснодарский край', 'south'],
  [24, 'krasnoyarsk', 'Красноярский край', 'siberian'],
  [25, 'primorye', 'Приморский край', 'far-eastern'],
  [26, 'stavropol', 'Ставропольский край', 'north-caucasus'],
  [27, 'khabarovsk', 'Хабаровский край', 'far-eastern'],
  [28, 'amur', 'Амурская область', 'far-eastern'],
  [29, 'arkhangelsk', 'Архангельская область', 'northwestern'],
  [30, 'astrakhan', 'Астраханская область', 'south'],
  [31, 'belgorod', 'Белгородская область', 'central'],
  [32, 'bryansk', 'Брянская область', 'central'],
  [33, 'vladimir', 'Владимирская область', 'central'],
  [34, 'volgograd', 'Волгоградская область', 'south'],
  [35, 'vologda', 'Вологодская область', 'northwestern'],
  [36, 'voronezh', 'Воронежская область', 'central'],
  [37, 'ivanovo', 'Ивановская область', 'central'],
  [38, 'irkutsk', 'Иркутская область', 'siberian'],
  [39, 'kaliningrad', 'Калининградская область', 'northwestern', KALININGRAD],
  [40, 'kaluga', 'Калужская область', 'central'],
  [41, 'kamchatka', 'Камчатский край', 'far-eastern'],
  [42, 'kemerovo', 'Кемеровская область — Кузбасс', 'siberian'],
  [43, 'kirov', 'Кировская область', 'volga'],
  [44, 'kostroma', 'Костромская область', 'central'],
  [45, 'kurgan', 'Курганская область', 'ural'],
  [46, 'kursk', 'Курская область', 'central'],
  [47, 'leningrad-oblast', 'Ленинградская область', 'northwestern'],
  [48, 'lipetsk', 'Липецкая область', 'central'],
  [49, 'magadan', 'Магаданская область', 'far-eastern'],
  [50, 'moscow-oblast', 'Московская область', 'central'],
  [51, 'murmansk', 'Мурманская область', 'northwestern'],
  [52, 'nizhny-novgorod', 'Нижегородская область', 'volga'],
  [53, 'novgorod', 'Новгородская область', 'northwestern'],
  [54, 'novosibirsk', 'Новосибирская область', 'siberian'],
  [55, 'omsk', 'Омская область', 'siberian'],
  [56, 'orenburg', 'Оренбургская область', 'volga'],
  [57, 'oryol', 'Орловская область', 'central'],
  [58, 'penza', 'Пензенская область', 'volga'],
  [59, 'perm', 'Пермский край', 'volga'],
  [60, 'pskov', 'Псковская область', 'northwestern'],
  [61, 'rostov', 'Ростовская область', 'south'],
  [62, 'ryazan', 'Рязанская область', 'central'],
  [63, 'samara', 'Самарская область', 'volga'],
  [64, 'saratov', 'Саратовская область', 'volga'],
  [65, 'sakhalin', 'Сахалинская область', 'far-eastern'],
  [66, 'sverdlovsk', 'Свердловская область', 'ural'],
  [67, 'smolensk', 'Смоленская область', 'central'],
  [68, 'tambov', 'Тамбовская область', 'central'],
  [69, 'tver', 'Тверская область', 'central'],
  [70, 'tomsk', 'Томская область', 'siberian'],
  [71, 'tula', 'Тульская область', 'central'],
  [72, 'tyumen', 'Тюменская область', 'ural'],
  [73, 'ulyanovsk', 'Ульяновская область', 'volga'],
  [74, 'chelyabinsk', 'Челябинская область', 'ural'],
  [75, 'zabaykalsky', 'Забайкальский край', 'far-eastern'],
  [76, 'yaroslavl', 'Ярославская область', 'central'],
  [77, 'moscow', 'Москва', 'central'],
  [78, 'spb', 'Санкт-Петербург', 'northwestern'],
  [79, 'jewish', 'Еврейская автономная область', 'far-eastern'],
  [83, 'nenets', 'Ненецкий автономный округ', 'northwestern'],
  [86, 'khanty-mansi', 'Ханты-Мансийский автономный округ — Югра', 'ural'],
  [87, 'chukotka', 'Чукотский автономный округ', 'far-eastern'],
  [89, 'yamalo-nenets', 'Ямало-Ненецкий автономный округ', 'ural'],
  [90, 'zaporozhye', 'Запорожская область', 'south', UKRAINE],
  [91, 'crimea', 'Республика Крым', 'south', CRIMEA],
  [92, 'sevastopol', 'Севастополь', 'south', CRIMEA],
  [93, 'dnr', 'Донецкая Народная Республика', 'south', UKRAINE],
  [94, 'lnr', 'Луганская Народная Республика', 'south', UKRAINE],
  [95, 'kherson', 'Херсонская область', 'south', UKRAINE],
];

const DISTRICTS: Array<[District, string, string]> = [
  ['central', 'ru-central', 'Центральный федеральный округ'],
  ['northwestern', 'ru-northwestern', 'Северо-Западный федеральный округ'],
  ['south', 'ru-south', 'Южный федеральный округ'],
  ['north-caucasus', 'ru-north-caucasus', 'Северо-Кавказский федеральный округ'],
  ['volga', 'ru-volga', 'Приволжский федеральный округ'],
  ['ural', 'ru-ural', 'Уральский федеральный округ'],
  ['siberian', 'ru-siberian', 'Сибирский федеральный округ'],
  ['far-eastern', 'ru-far-eastern', 'Дальневосточный федеральный округ'],
];

const subject = ([code, id, name, district, own]: Subject): CatalogueRegion => ({ id, name, district, osm: own ?? extract(district), gar: [code] });

export const CATALOGUE: CatalogueRegion[] = [
  ...SUBJECTS.map(subject),
  { id: 'baikonur', name: 'г Байконур', district: null, osm: 'asia/kazakhstan-latest.osm.pbf', gar: [99] },
  // A district takes its own extract; its subjects with an extract of their own (Калининград, Крым, the 2022 regions) are added by themselves.
  ...DISTRICTS.map(([district, id, name]) => ({ id, name, district, osm: extract(district), gar: SUBJECTS.filter((s) => s[3] === district && !s[4]).map((s) => s[0]) })),
  { id: 'ru', name: 'Россия', district: null, osm: 'russia-latest.osm.pbf', gar: SUBJECTS.filter((s) => s[4] !== UKRAINE).map((s) => s[0]) },
];

/** A region by its id ("moscow"), its registry code ("77", "7") or its name ("Москва", case aside). */
export function catalogueRegion(key: string): CatalogueRegion | undefined {
  const wanted = key.trim().toLowerCase();
  if (/^\d{1,2}$/.test(wanted)) return CATALOGUE.find((r) => r.gar.length === 1 && r.gar[0] === Number(wanted));
  return CATALOGUE.find((r) => r.id === wanted) ?? CATALOGUE.find((r) => r.name.toLowerCase() === wanted);
}

/** The extract's URL: an entry's own full URL, an operator's (OSM_EXTRACT_URLS: "moscow=https://…"), or its path under OSM_EXTRACTS_URL. */
export function extractUrl(region: Pick<CatalogueRegion, 'id' | 'osm'>, base: string, own: Record<string, string> = {}): string | null {
  const chosen = own[region.id] ?? region.osm;
  if (!chosen) return null;
  return /^https?:\/\//i.test(chosen) ? chosen : `${base.replace(/\/+$/, '')}/${chosen}`;
}
