/**
 * Street/house entries generated from the gazetteer for the benchmark, labelled as generated
 * (source "generated"): the common Russian street names in each of the biggest settlements.
 * They are not real addresses; they give the index a realistic size and shape.
 */
import type { Db } from '../../server/store/database.js';
import type { AddressRecord } from '../../server/address-data/osm/address-record.js';

const STREETS = [
  'улица Ленина', 'Советская улица', 'улица Мира', 'Садовая улица', 'Набережная улица', 'Молодёжная улица', 'Школьная улица',
  'Лесная улица', 'Новая улица', 'Центральная улица', 'Заводская улица', 'улица Гагарина', 'улица Пушкина', 'улица Кирова',
  'Октябрьская улица', 'Комсомольская улица', 'Первомайская улица', 'Пролетарская улица', 'улица Победы', 'улица Строителей',
  'проспект Ленина', 'Парковая улица', 'улица Чехова', 'Лермонтова улица', 'улица Горького',
];

export function* generatedAddresses(db: Db, cities: number, housesPerStreet: number): Generator<AddressRecord> {
  const rows = db.prepare("SELECT city, lat, lon FROM places WHERE kind = 'settlement' AND country_code = 'RU' ORDER BY importance DESC LIMIT ?").all(cities) as Array<{ city: string; lat: number; lon: number }>;
  for (const row of rows) {
    for (const [s, street] of STREETS.entries()) {
      for (let h = 1; h <= housesPerStreet; h++) {
        yield { city: row.city, street, house: String(h * 2 - (s % 2)), lat: row.lat + s * 0.001, lon: row.lon + h * 0.0005 };
      }
    }
  }
}
