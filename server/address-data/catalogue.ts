/**
 * The regions `npm run data -- add <region>` knows: which OpenStreetMap extract covers each
 * (Geofabrik's layout under OSM_EXTRACTS_URL: russia/<district>-fed-district-latest.osm.pbf,
 * with a .md5 beside each) and which registry regions (ГАР folder codes, the first two digits
 * of a KLADR code) it needs. A city takes its federal district's extract: the smallest
 * Geofabrik publishes for it.
 */
export interface CatalogueRegion {
  id: string;
  name: string;
  /** Path of the OpenStreetMap extract under OSM_EXTRACTS_URL, or null when only the registry is taken. */
  osm: string | null;
  gar: number[];
}

const CENTRAL = [31, 32, 33, 36, 37, 40, 44, 46, 48, 50, 57, 62, 67, 68, 69, 71, 76, 77];
const NORTHWESTERN = [10, 11, 29, 35, 47, 51, 53, 60, 78, 83];
const SOUTHERN = [1, 8, 23, 30, 34, 61];
const NORTH_CAUCASUS = [5, 6, 7, 9, 15, 20, 26];
const VOLGA = [2, 12, 13, 16, 18, 21, 43, 52, 56, 58, 59, 63, 64, 73];
const URAL = [45, 66, 72, 74, 86, 89];
const SIBERIAN = [4, 17, 19, 22, 24, 38, 42, 54, 55, 70];
const FAR_EASTERN = [3, 14, 25, 27, 28, 41, 49, 65, 75, 79, 87];
const district = (name: string) => `russia/${name}-fed-district-latest.osm.pbf`;

export const CATALOGUE: CatalogueRegion[] = [
  { id: 'moscow', name: 'Москва', osm: district('central'), gar: [77] },
  { id: 'moscow-oblast', name: 'Московская область', osm: district('central'), gar: [50] },
  { id: 'spb', name: 'Санкт-Петербург', osm: district('northwestern'), gar: [78] },
  { id: 'leningrad-oblast', name: 'Ленинградская область', osm: district('northwestern'), gar: [47] },
  { id: 'tatarstan', name: 'Республика Татарстан', osm: district('volga'), gar: [16] },
  { id: 'bashkortostan', name: 'Республика Башкортостан', osm: district('volga'), gar: [2] },
  { id: 'samara', name: 'Самарская область', osm: district('volga'), gar: [63] },
  { id: 'nizhny-novgorod', name: 'Нижегородская область', osm: district('volga'), gar: [52] },
  { id: 'krasnodar', name: 'Краснодарский край', osm: district('south'), gar: [23] },
  { id: 'rostov', name: 'Ростовская область', osm: district('south'), gar: [61] },
  { id: 'sverdlovsk', name: 'Свердловская область', osm: district('ural'), gar: [66] },
  { id: 'chelyabinsk', name: 'Челябинская область', osm: district('ural'), gar: [74] },
  { id: 'novosibirsk', name: 'Новосибирская область', osm: district('siberian'), gar: [54] },
  { id: 'krasnoyarsk', name: 'Красноярский край', osm: district('siberian'), gar: [24] },
  { id: 'primorye', name: 'Приморский край', osm: district('far-eastern'), gar: [25] },
  { id: 'kaliningrad', name: 'Калининградская область', osm: 'russia/kaliningrad-latest.osm.pbf', gar: [39] },
  { id: 'crimea', name: 'Республика Крым и Севастополь', osm: district('crimean'), gar: [91, 92] },
  { id: 'baikonur', name: 'г Байконур', osm: 'asia/kazakhstan-latest.osm.pbf', gar: [99] },
  { id: 'ru-central', name: 'Центральный федеральный округ', osm: district('central'), gar: CENTRAL },
  { id: 'ru-northwestern', name: 'Северо-Западный федеральный округ', osm: district('northwestern'), gar: NORTHWESTERN },
  { id: 'ru-south', name: 'Южный федеральный округ', osm: district('south'), gar: SOUTHERN },
  { id: 'ru-north-caucasus', name: 'Северо-Кавказский федеральный округ', osm: district('north-caucasus'), gar: NORTH_CAUCASUS },
  { id: 'ru-volga', name: 'Приволжский федеральный округ', osm: district('volga'), gar: VOLGA },
  { id: 'ru-ural', name: 'Уральский федеральный округ', osm: district('ural'), gar: URAL },
  { id: 'ru-siberian', name: 'Сибирский федеральный округ', osm: district('siberian'), gar: SIBERIAN },
  { id: 'ru-far-eastern', name: 'Дальневосточный федеральный округ', osm: district('far-eastern'), gar: FAR_EASTERN },
  { id: 'ru', name: 'Россия', osm: 'russia-latest.osm.pbf', gar: [...CENTRAL, ...NORTHWESTERN, 39, ...SOUTHERN, 91, 92, ...NORTH_CAUCASUS, ...VOLGA, ...URAL, ...SIBERIAN, ...FAR_EASTERN].sort((a, b) => a - b) },
];

export function catalogueRegion(id: string): CatalogueRegion | undefined {
  return CATALOGUE.find((r) => r.id === id.toLowerCase());
}
