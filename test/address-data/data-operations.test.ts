/**
 * `npm run data` against a mirror on loopback (test/fakes/fake-mirror.ts) serving real files:
 * an OpenStreetMap extract (../shared/realdata/gh-moscow.osm.pbf standing in for the region's)
 * and the registry's django-fias base and deltas as three releases. Downloads resume after a cut,
 * checksums are checked, the registry is read out of the full archive by byte ranges, and an
 * update applies what was published since.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import AdmZip from 'adm-zip';
import { join } from 'node:path';
import { addRegion, dataStatus, updateData, type DataSettings } from '../../server/address-data/data-operations.js';
import { DataError, ensureServedIndex } from '../../server/address-data/index-build.js';
import { INDEX_LAYOUT, openIndexDatabase } from '../../server/store/index-database.js';
import { currentIndexFile } from '../../server/store/index-files.js';
import { FakeMirror } from '../fakes/fake-mirror.js';
import { DEFAULT_WEB } from '../../server/address-data/web-fetch.js';
import { tempDir } from '../helpers.js';
import { garFile, hasGar, suggestedValues } from './gar-fixtures.js';
import { hasRealdata, realFile } from '../realdata.js';

const EXTRACT = '/osm/asia/kazakhstan-latest.osm.pbf';
const mirror = new FakeMirror();
let tmp: ReturnType<typeof tempDir>;
let settings: DataSettings;

const release = (version: number, kind: 'full' | 'delta') => ({
  VersionId: version,
  TextVersion: `БД ФИАС от ${String(version).slice(6)}.${String(version).slice(4, 6)}.${String(version).slice(0, 4)}`,
  GarXMLFullURL: kind === 'full' ? `${mirror.url}/gar/${version}/gar_xml.zip` : null,
  GarXMLDeltaURL: kind === 'delta' ? `${mirror.url}/gar/${version}/gar_delta_xml.zip` : null,
});

const values = (q: string) => suggestedValues(settings.indexDir, q);

describe.skipIf(!hasGar || !hasRealdata)('npm run data against a mirror', () => {
  beforeAll(async () => {
    await mirror.start();
    mirror.files.set(EXTRACT, readFileSync(realFile('gh-moscow.osm.pbf')));
    mirror.files.set('/gar/20221124/gar_xml.zip', readFileSync(garFile('django-fias_fake_gar_99_20221124.zip')));
    mirror.files.set('/gar/20221128/gar_delta_xml.zip', readFileSync(garFile('django-fias_fake_gar_delta_99_20221128.zip')));
    mirror.files.set('/gar/20221202/gar_delta_xml.zip', readFileSync(garFile('django-fias_fake_gar_delta_99_20221202.zip')));
  });
  afterAll(() => mirror.stop());
  beforeEach(() => {
    tmp = tempDir();
    settings = { indexDir: join(tmp.dir, 'index'), osmExtractsUrl: `${mirror.url}/osm`, garReleasesUrl: `${mirror.url}/gar/releases`, osmMaxAgeDays: 30, web: { ...DEFAULT_WEB, idleMs: 500, retryBaseMs: 20 } };
    mirror.releases.splice(0, mirror.releases.length, release(20221124, 'full'));
    mirror.requests.length = 0;
  });
  afterEach(() => tmp.cleanup());

  it('adds a region in one command: the extract resumed after a cut and checked, the registry read by ranges; then update applies the deltas published since, in order', async () => {
    mirror.cutOnce.set(EXTRACT, 40_000);
    const added = await addRegion(settings, 'baikonur');
    expect(added).toMatch(/OpenStreetMap asia\/kazakhstan-latest\.osm\.pbf: [\d.]+ MB \(resumed\), MD5 checked; \d+ houses/);
    expect(added).toMatch(/registry 20221124 \(full\): region 99 \d+ houses/);
    const ranged = mirror.requests.filter((r) => r.path === '/gar/20221124/gar_xml.zip' && r.method === 'GET');
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((r) => r.range !== null)).toBe(true);
    expect(mirror.requests.some((r) => r.path === EXTRACT && r.range === 'bytes=40000-')).toBe(true);
    expect(await values('байконур школьная 30')).toEqual(['г Байконур, ул Школьная, д 30 к 1']);
    expect((await values('москва аргуновская 18'))[0]).toMatch(/Аргуновская.*18/);

    const status = dataStatus(settings.indexDir);
    expect(status).toMatchObject({ regions: ['baikonur'], sources: { registry: { release: '20221124', regions: { '99': '20221124' } } }, running: null });
    expect(status.sources.openStreetMap[0]).toMatchObject({ extract: 'asia/kazakhstan-latest.osm.pbf' });
    expect(status.counts.houses).toBeGreaterThan(100);

    expect(await updateData(settings)).toMatch(/registry: every region at 20221124, nothing newer/);
    mirror.releases.push(release(20221128, 'delta'), release(20221202, 'delta'));
    const updated = await updateData(settings);
    expect(updated).toMatch(/registry delta 20221128: region 99 .*\nregistry delta 20221202: region 99/);
    expect(updated).toMatch(/OpenStreetMap asia\/kazakhstan-latest\.osm\.pbf: imported 0 days ago, kept/);
    expect(await values('байконур школьная-2 70а')).toEqual(['г Байконур, ул Школьная-2, зд 70а']);
    expect(dataStatus(settings.indexDir)).toMatchObject({ sources: { registry: { release: '20221202' } }, lastUpdate: { ok: true } });
  }, 60_000);

  it('a body that stops sending is resumed; a wrong checksum, a missing file and a file larger than the disk are said in words, the served index untouched', async () => {
    mirror.stallOnce.set(EXTRACT, 30_000);
    expect(await addRegion(settings, 'baikonur')).toMatch(/\(resumed\), MD5 checked/);
    const served = currentIndexFile(settings.indexDir);
    const bytes = readFileSync(served!);

    mirror.wrongMd5.add(EXTRACT);
    await expect(addRegion(settings, 'baikonur')).rejects.toThrow(/the checksum does not match .* the file was deleted/);
    mirror.wrongMd5.clear();
    await expect(addRegion({ ...settings, osmExtractsUrl: `${mirror.url}/nowhere` }, 'baikonur')).rejects.toThrow(/not found \(404\); check the region name and the mirror/);
    mirror.files.set('/huge/asia/kazakhstan-latest.osm.pbf', Buffer.alloc(1));
    mirror.claimedSize.set('/huge/asia/kazakhstan-latest.osm.pbf', 10 ** 15);
    await expect(addRegion({ ...settings, osmExtractsUrl: `${mirror.url}/huge` }, 'baikonur')).rejects.toThrow(/1000000\.00 GB, more than the 16\.00 GB a download may be \(DATA_MAX_DOWNLOAD_GB\)/);
    await expect(addRegion({ ...settings, osmExtractsUrl: `${mirror.url}/huge`, web: { ...settings.web!, maxDownloadBytes: 1e16 } }, 'baikonur')).rejects.toThrow(/needs 1000000\.00 GB .* free some disk/);
    await expect(addRegion(settings, 'atlantis')).rejects.toThrow(DataError);
    expect(currentIndexFile(settings.indexDir)).toBe(served);
    expect(readFileSync(served!).equals(bytes)).toBe(true);
    expect(dataStatus(settings.indexDir).running).toBeNull();
  }, 60_000);

  it('regions added at different releases are each brought up to date: update applies to each the deltas it lacks', async () => {
    await addRegion(settings, 'baikonur'); // region 99 at 20221124
    // The next release has a delta and a full archive; the full one holds region 72 (the registry's real Tyumen
    // sample, its files dated as this release: a full archive's files carry its date).
    mirror.releases.push(release(20221128, 'delta'), { ...release(20221202, 'delta'), GarXMLFullURL: `${mirror.url}/gar/20221202/gar_xml.zip` });
    mirror.files.set('/gar/20221202/gar_xml.zip', redated(garFile('ypermitin_sampledata_72_20231030.zip'), '20221202'));
    mirror.files.set('/cities/tyumen.osm.pbf', readFileSync(realFile('valhalla-liechtenstein.osm.pbf')));
    const tyumen = { ...settings, extractUrls: { tyumen: `${mirror.url}/cities/tyumen.osm.pbf` } };
    expect(await addRegion(tyumen, '72')).toMatch(/^Тюменская область: added\nOpenStreetMap .*cities\/tyumen\.osm\.pbf: [\d.]+ MB, MD5 checked; [\d,]+ houses[^]*\nregistry 20221202 \(full\): region 72/);
    expect(dataStatus(settings.indexDir).sources.registry).toMatchObject({ regions: { '99': '20221124', '72': '20221202' } });
    expect(await values('байконур школьная-2 70а')).toEqual([]);

    const updated = await updateData(tyumen);
    expect(updated).toMatch(/registry delta 20221128: region 99 [^\n]*\nregistry delta 20221202: region 99 /);
    expect(updated).not.toMatch(/region 72/);
    expect(dataStatus(settings.indexDir).sources.registry).toMatchObject({ release: '20221202', regions: { '99': '20221202', '72': '20221202' } });
    expect(await values('байконур школьная-2 70а')).toEqual(['г Байконур, ул Школьная-2, зд 70а']);
    expect(await updateData(tyumen)).toMatch(/registry: every region at 20221202, nothing newer/);
  }, 60_000);

  it('an add whose registry step fails serves nothing of it: the extract is not switched in alone', async () => {
    mirror.files.set('/gar/20221124/gar_xml.zip', readFileSync(garFile('ypermitin_sampledata_72_20231030.zip'))); // no region 99 inside
    try {
      await expect(addRegion(settings, 'baikonur')).rejects.toThrow(/region 99 is not in this archive/);
      expect(currentIndexFile(settings.indexDir)).toBeNull();
      expect(dataStatus(settings.indexDir)).toMatchObject({ regions: [], sources: { openStreetMap: [] } });
      await addRegion(settings, 'baikonur').catch(() => {});
      ensureServedIndex(settings.indexDir);
      expect((await values('москва аргуновская 18')).filter((v) => /Аргуновская/.test(v))).toEqual([]);
    } finally {
      mirror.files.set('/gar/20221124/gar_xml.zip', readFileSync(garFile('django-fias_fake_gar_99_20221124.zip')));
    }
  }, 60_000);

  it('update before any region, and a release list that is not one, are refused in words', async () => {
    await expect(updateData(settings)).rejects.toThrow(/no region added yet: npm run data -- add <region>/);
    await expect(addRegion({ ...settings, garReleasesUrl: `${mirror.url}/osm/asia/kazakhstan-latest.osm.pbf.md5` }, 'baikonur')).rejects.toThrow(/not the registry's release list|no release list/);
  }, 60_000);
});

/** The archive with its region files' dates set to `date` (file names carry the release date). */
function redated(path: string, date: string): Buffer {
  const zip = new AdmZip(path);
  const out = new AdmZip();
  for (const entry of zip.getEntries()) {
    if (entry.isDirectory) continue;
    out.addFile(entry.entryName.replace(/^(\d+\/AS_[A-Z_]+?_)\d{8}_/, `$1${date}_`), entry.getData());
  }
  return out.toBuffer();
}

describe('an index of the previous layout (2)', () => {
  it('is still served, and gains the lookups of layout 3 when the server starts', () => {
    const { dir, cleanup } = tempDir();
    try {
      ensureServedIndex(dir);
      const first = currentIndexFile(dir)!;
      const old = openIndexDatabase(first);
      old.exec('DROP INDEX gar_objects_guid; DROP INDEX gar_houses_guid; DROP INDEX gar_houses_kladr; DROP INDEX gar_houses_lat; DROP INDEX places_lat;');
      old.pragma('user_version = 2');
      old.close();
      openIndexDatabase(first, { readonly: true }).close(); // served as it is
      expect(ensureServedIndex(dir).built).toBe(true);
      const upgraded = openIndexDatabase(currentIndexFile(dir)!, { readonly: true });
      expect(upgraded.pragma('user_version', { simple: true })).toBe(INDEX_LAYOUT);
      const names = (upgraded.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(['gar_objects_guid', 'gar_houses_guid', 'gar_houses_kladr', 'gar_houses_lat', 'places_lat']));
      upgraded.close();
    } finally {
      cleanup();
    }
  });
});
