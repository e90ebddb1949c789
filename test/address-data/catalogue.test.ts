/**
 * The catalogue `npm run data` offers: every subject of Russia by its registry code and name, each
 * with its federal district's extract, reachable by id, code or name; and what each costs, asked
 * of the mirror (test/fakes/fake-mirror.ts) before anything is downloaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CATALOGUE, catalogueRegion, extractUrl } from '../../server/address-data/catalogue.js';
import { catalogueCosts, costLines } from '../../server/address-data/catalogue-costs.js';
import { DEFAULT_WEB } from '../../server/address-data/web-fetch.js';
import { FakeMirror } from '../fakes/fake-mirror.js';
import { garFile, hasGar } from './gar-fixtures.js';

// The subjects' registry codes (ГАР folders; Конституция РФ ст. 65 lists the 89 subjects).
const CODES = [...Array.from({ length: 79 }, (_, i) => i + 1), 83, 86, 87, 89, 90, 91, 92, 93, 94, 95];

describe('the catalogue', () => {
  it('has every subject of Russia once, by its code, each with an extract', () => {
    const subjects = CATALOGUE.filter((r) => r.gar.length === 1 && r.gar[0] !== 99);
    expect(subjects.map((r) => r.gar[0]).sort((a, b) => a - b)).toEqual(CODES);
    expect(new Set(CATALOGUE.map((r) => r.id)).size).toBe(CATALOGUE.length);
    expect(new Set(subjects.map((r) => r.name)).size).toBe(subjects.length);
    for (const r of subjects) expect(r.osm).toMatch(/^(russia\/[a-z-]+-fed-district-latest|russia\/kaliningrad-latest|europe\/ukraine-latest)\.osm\.pbf$/);
  });

  it('finds a region by id, by code and by name; a district holds its subjects', () => {
    expect(catalogueRegion('77')?.id).toBe('moscow');
    expect(catalogueRegion('7')?.name).toBe('Кабардино-Балкарская Республика');
    expect(catalogueRegion('москва')?.gar).toEqual([77]);
    expect(catalogueRegion('TATARSTAN')).toMatchObject({ gar: [16], district: 'volga', osm: 'russia/volga-fed-district-latest.osm.pbf' });
    expect(catalogueRegion('buryatia')?.osm).toBe('russia/far-eastern-fed-district-latest.osm.pbf');
    expect(catalogueRegion('ru-central')?.gar).toEqual([31, 32, 33, 36, 37, 40, 44, 46, 48, 50, 57, 62, 67, 68, 69, 71, 76, 77]);
    expect(catalogueRegion('ru')?.gar).toHaveLength(85);
    expect(catalogueRegion('atlantis')).toBeUndefined();
  });

  it('takes an extract of the operator’s choosing, or an entry’s own full URL', () => {
    const moscow = catalogueRegion('moscow')!;
    expect(extractUrl(moscow, 'https://download.geofabrik.de/')).toBe('https://download.geofabrik.de/russia/central-fed-district-latest.osm.pbf');
    expect(extractUrl(moscow, 'https://download.geofabrik.de', { moscow: 'https://mirror.example/moscow.osm.pbf' })).toBe('https://mirror.example/moscow.osm.pbf');
    expect(extractUrl({ id: 'x', osm: 'https://elsewhere.example/x.osm.pbf' }, 'https://download.geofabrik.de')).toBe('https://elsewhere.example/x.osm.pbf');
  });
});

describe.skipIf(!hasGar)('what a region costs', () => {
  const mirror = new FakeMirror();
  beforeAll(async () => {
    await mirror.start();
    mirror.files.set('/osm/asia/kazakhstan-latest.osm.pbf', Buffer.alloc(3_456_789));
    mirror.files.set('/gar/20230626/gar_xml.zip', readFileSync(garFile('gar_xml_99_baikonur_20230626.zip')));
    mirror.releases.push({ VersionId: 20230626, TextVersion: 'БД ФИАС от 26.06.2023', GarXMLFullURL: `${mirror.url}/gar/20230626/gar_xml.zip`, GarXMLDeltaURL: null });
  });
  afterAll(() => mirror.stop());

  it('is asked of the mirror: the extract’s size, the registry bytes of its regions, an import time; what is missing is said', async () => {
    const settings = { osmExtractsUrl: `${mirror.url}/osm`, garReleasesUrl: `${mirror.url}/gar/releases`, web: { ...DEFAULT_WEB, idleMs: 1000, retryBaseMs: 10 } };
    mirror.requests.length = 0;
    const { costs, notes } = await catalogueCosts(settings, ['baikonur', 'moscow']);
    const [baikonur, moscow] = costs;
    expect(baikonur.extract).toEqual({ url: `${mirror.url}/osm/asia/kazakhstan-latest.osm.pbf`, bytes: 3_456_789 });
    expect(baikonur.registry!.download).toBeGreaterThan(100_000);
    expect(baikonur.registry!.xml).toBeGreaterThan(baikonur.registry!.download);
    expect(baikonur.importSeconds).toBeGreaterThan(0);
    expect(moscow.extract!.bytes).toBeNull();
    expect(moscow.registry!.missing).toEqual([77]);
    expect(notes.join('\n')).toMatch(/no size for 1 extract/);
    // The archive's table of contents, not its bytes: at most three small requests (here its tail holds the directory).
    expect(mirror.requests.filter((r) => r.path === '/gar/20230626/gar_xml.zip').length).toBeLessThanOrEqual(3);
    const lines = costLines(costs);
    expect(lines[0]).toMatch(/^baikonur\s+г Байконур\s+99\s+OpenStreetMap kazakhstan-latest\.osm\.pbf 3\.5 MB; registry [\d.]+ MB \([\d.]+ MB XML\); import ≈ \d+ s$/);
    expect(lines[1]).toMatch(/OpenStreetMap central-fed-district-latest\.osm\.pbf \?; registry 0\.0 MB \(0\.0 MB XML\), not in the archive: 77; import ≈ \?/);
  });
});
