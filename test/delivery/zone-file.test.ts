/**
 * Zone files as businesses export them: the real GeoJSON, KML and KMZ exports in ../shared/zones
 * (SOURCES.md there names each file's repository and commit; they are never copied into the
 * project), and the bad inputs an admin can upload, each refused in words.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { readZoneFile, ZoneFileError, ZONE_LIMITS, type ReadOptions } from '../../server/delivery/zone-file.js';

const ZONES = resolve(import.meta.dirname, '../../../shared/zones');
const hasZones = existsSync(resolve(ZONES, 'SOURCES.md'));
const real = (name: string) => readFileSync(resolve(ZONES, name));
const RUSSIA: ReadOptions = { area: { warehouses: [] } };

async function refused(body: Buffer | string, options: ReadOptions = RUSSIA): Promise<ZoneFileError> {
  try {
    await readZoneFile(Buffer.isBuffer(body) ? body : Buffer.from(body), options);
  } catch (error) {
    if (error instanceof ZoneFileError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

const square = (lon: number, lat: number, d = 0.01) => [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];
const collection = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feature = (coordinates: unknown, properties: Record<string, unknown> = {}, type = 'Polygon') => ({ type: 'Feature', properties, geometry: { type, coordinates } });

describe.skipIf(!hasZones)('real exports (../shared/zones)', () => {
  it('Yandex constructor GeoJSON: the price inside HTML, the name from the description, the fill colour', async () => {
    const spb = await readZoneFile(real('yandex-mapsapi-examples_spb_delivery.geojson'), RUSSIA);
    expect(spb.format).toBe('geojson');
    expect(spb.zones.map((z) => z.price)).toEqual([500, 400, 200, 300]); // "<strong>Стоимость доставки: 500 р.</strong>"
    expect(spb.zones[0].color).toBe('#ed4543');
    expect(spb.zones[0].note).not.toMatch(/<|<\/br>/); // HTML read as plain text

    const irkutsk = await readZoneFile(real('caweb-strlog_irkutsk_delivery.geojson'), RUSSIA);
    expect(irkutsk.zones.map((z) => [z.name, z.price, z.freeFrom])).toEqual([
      ['Ленинский округ', 600, 7000],
      ['Правобережный округ', 600, 7000],
      ['Октябрьский округ', 600, 7000], // "при заказе на 7000 рублей"
      ['Свердловский округ', 600, 7000],
    ]);
    const krasnodar = await readZoneFile(real('gannshe_krasnodar_delivery.geojson'), RUSSIA);
    expect(krasnodar.zones[0]).toMatchObject({ name: 'Районы: Центральный, Старый центр', price: 450 }); // "…\n450р"
  });

  it('a bare price as the description, a donut with its hole, and CRLF: Yekaterinburg', async () => {
    const file = await readZoneFile(real('menland_ekaterinburg_zones.geojson'), { ...RUSSIA, allowSelfCrossing: true });
    expect(file.zones).toHaveLength(37);
    expect(file.skipped).toBe(1); // the shop's point
    expect(file.zones[0]).toMatchObject({ name: 'Зона 1', price: 500 });
    expect(file.zones[1].price).toBe(700); // "700\n"
    const donut = file.zones.find((z) => z.price === 5000)!;
    expect(donut.polygons[0]).toHaveLength(2); // outer ring and its hole
  });

  it('rings that cross themselves are named with where they cross, and taken only when the admin says so', async () => {
    const error = await refused(real('menland_ekaterinburg_zones.geojson'));
    expect(error.reason).toBe('self_crossing');
    expect(error.details).toEqual([expect.stringMatching(/^“Зона 25” near 56\.\d+, 60\.\d+$/)]); // feature 24 (SOURCES.md)
    const spb = await refused(real('nastart-tma_spb-lo_delivery.geojson'));
    expect(spb.details.length).toBeGreaterThanOrEqual(1);
    const taken = await readZoneFile(real('nastart-tma_spb-lo_delivery.geojson'), { ...RUSSIA, allowSelfCrossing: true });
    expect(taken.zones).toHaveLength(70);
    expect(taken.skipped).toBe(249); // the price points
    expect(taken.warnings.map((w) => w.text).join(' ')).toMatch(/cross themselves/);
    expect(taken.zones.filter((z) => z.noDelivery).length).toBe(2); // "Доставка не возим"
    expect(taken.zones[0]).toMatchObject({ name: 'зона 3', price: 200 });
  });

  it('named properties: title, price, time and priority (inner zones first)', async () => {
    const izhevsk = await readZoneFile(real('sadboe_izhevsk_zones.geojson'), RUSSIA);
    expect(izhevsk.zones.map((z) => [z.name, z.price, z.time])).toEqual([
      ['Зелёная зона', 0, '55 минут'],
      ['Голубая зона', 0, '1,5 часа'],
      ['Фиолетовая зона', 1000, '2,5 часа'],
    ]);
    const perm = await readZoneFile(real('tokyo-rolls_perm_delivery_zones.geojson'), RUSSIA);
    expect(perm.zones.map((z) => [z.name, z.price, z.color])).toEqual([
      ['free delivery', 0, '#034505'], // rgba(3, 69, 5, 1)
      ['800 delivery', 800, '#ffd83b'],
    ]);
  });

  it('Google My Maps KML: styles by reference, 3-D positions, one zone drawn as several placemarks', async () => {
    const kyiv = await readZoneFile(real('udemy-js-courses_kyiv_mymaps.kml'), RUSSIA);
    expect(kyiv.format).toBe('kml');
    expect(kyiv.zones.map((z) => [z.name, z.price, z.polygons.length])).toEqual([
      ['Центр', 85, 1],
      ['Фіолетова зона', 100, 4],
    ]);
    expect(kyiv.zones[1].color).toBe('#ce93d8'); // #poly-CE93D8-… through its StyleMap
    expect(kyiv.warnings.map((w) => w.text).join(' ')).toMatch(/height \(3-D\)/);
    expect(kyiv.zones[0].polygons[0][0][0]).toHaveLength(2);
  });

  it('Yandex constructor KML and a Google My Maps KMZ', async () => {
    const olimp = await readZoneFile(real('ekcelo_yandex-constructor_olimp.kml'), RUSSIA);
    expect(olimp.zones).toHaveLength(52);
    expect(olimp.skipped).toBe(46);
    expect(olimp.zones[0].color).toBe('#1bad03'); // fillColor:1bad0333 by styleUrl
    const rosario = await readZoneFile(real('proveeexpress_rosario_zonas.kmz'), RUSSIA);
    expect(rosario.format).toBe('kmz');
    expect(rosario.zones.map((z) => z.name)).toContain('Zona Centro');
    expect(rosario.warnings.map((w) => w.text).join(' ')).toMatch(/No zone is in Russia/);
  });

  it('QGIS MultiPolygons named by their day are one zone each', async () => {
    const thursday = await readZoneFile(real('freshbox_ontario_thursday_group.geojson'), RUSSIA);
    expect(thursday.zones).toHaveLength(1);
    expect(thursday.zones[0].name).toBe('Thursday');
    expect(thursday.zones[0].polygons).toHaveLength(6);
  });

  it('a file written latitude first is refused with the reason, near warehouses or by Russia’s extent', async () => {
    const mo = real('zhkuskov_moscow-oblast_mo_latlon.json');
    expect((await refused(mo)).reason).toBe('swapped_coordinates');
    expect((await refused(mo, { area: { warehouses: [[37.62, 55.75]] } })).message).toMatch(/near your warehouses/);
    // The same ring written longitude first is taken: a bare Polygon with its hole (Moscow).
    const ring = JSON.parse(mo.toString('utf8')) as { type: string; coordinates: number[][][] };
    const fixed = { ...ring, coordinates: ring.coordinates.map((r) => r.map(([a, b]) => [b, a])) };
    const taken = await readZoneFile(Buffer.from(JSON.stringify(fixed)), RUSSIA);
    expect(taken.zones[0].polygons[0]).toHaveLength(2);
  });
});

describe('bad input is refused in words', () => {
  it('not GeoJSON or KML at all, JSON that is not GeoJSON, XML that is not KML, a file with no areas', async () => {
    expect((await refused('name,price\nЦентр,300')).reason).toBe('not_a_zone_file');
    expect((await refused('{"zones": []}')).message).toMatch(/no "type"/);
    expect((await refused('{"type": "FeatureCollection", "features": [')).message).toMatch(/not valid JSON/);
    expect((await refused('<?xml version="1.0"?><svg/>')).message).toMatch(/not KML/);
    expect((await refused(collection({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [50.1, 53.2] } }))).reason).toBe('no_zones');
    expect((await refused(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).message).toMatch(/not a zip archive/);
  });

  it('an unclosed ring, too few positions, a position that is not two numbers, projected metres', async () => {
    const open = [[50.1, 53.2], [50.2, 53.2], [50.2, 53.3], [50.1, 53.3]];
    expect((await refused(collection(feature([open], { name: 'Открытая' })))).details).toEqual(['Открытая']);
    expect((await refused(collection(feature([[[50.1, 53.2], [50.2, 53.2], [50.1, 53.2]]])))).message).toMatch(/at least 4/);
    expect((await refused(collection(feature([[[50.1, '53.2'], [50.2, 53.2], [50.2, 53.3], [50.1, 53.2]]])))).reason).toBe('bad_coordinates');
    expect((await refused(JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } }, features: [] }))).message).toMatch(/EPSG:4326/);
    expect((await refused(collection(feature([square(5_580_000, 7_000_000, 1000)])))).reason).toBe('bad_coordinates');
  });

  it('3-D positions are read with the height dropped, and said', async () => {
    const file = await readZoneFile(Buffer.from(collection(feature([square(50.1, 53.2).map(([x, y]) => [x, y, 120])]))), RUSSIA);
    expect(file.zones[0].polygons[0][0][0]).toEqual([50.1, 53.2]);
    expect(file.warnings).toContainEqual({ code: "three_d", text: "Positions carry a height (3-D); the height is ignored." });
  });

  it('over the limits: more than 500 zones, a zone of more than 10,000 vertices', async () => {
    const many = Array.from({ length: ZONE_LIMITS.zones + 1 }, (_, i) => feature([square(50 + (i % 30) * 0.02, 53 + Math.floor(i / 30) * 0.02)]));
    expect((await refused(collection(...many))).reason).toBe('too_many_zones');
    const n = ZONE_LIMITS.verticesPerZone + 1;
    const circle = Array.from({ length: n }, (_, i) => [50 + 0.1 * Math.cos((2 * Math.PI * i) / n), 53 + 0.1 * Math.sin((2 * Math.PI * i) / n)]);
    const big = await refused(collection(feature([[...circle, circle[0]]], { name: 'Большая' })));
    expect(big.reason).toBe('too_many_vertices');
    expect(big.message).toMatch(/“Большая” has 10001 vertices/);
  });

  it('a KMZ bomb stops at the unpacked-size cap, whatever its header says', async () => {
    const zip = new AdmZip();
    zip.addFile('doc.kml', Buffer.alloc(ZONE_LIMITS.kmzUnpackedBytes + 1024 * 1024, 0x20));
    const packed = zip.toBuffer();
    expect(packed.length).toBeLessThan(1024 * 1024); // a small upload…
    const error = await refused(packed);
    expect(error.reason).toBe("kmz_too_large"); // …refused before more than the cap is held
    // A header that claims a small size: the bytes inflated are what is counted.
    const lying = Buffer.from(packed);
    const central = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(1000, central + 24); // uncompressed size in the central directory
    const local = lying.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    lying.writeUInt32LE(1000, local + 22);
    expect((await refused(lying)).message).toMatch(/KMZ/);
  });

  it('a KMZ without a KML inside', async () => {
    const zip = new AdmZip();
    zip.addFile('images/icon.png', Buffer.from('png'));
    expect((await refused(zip.toBuffer())).message).toMatch(/no \.kml file/);
  });
});
