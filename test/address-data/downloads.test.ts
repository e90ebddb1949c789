/**
 * Downloads on the real internet, against the loopback mirror (test/fakes/fake-mirror.ts) with
 * the faults it has: a slow but steady link, a link cut again and again, a server that is down,
 * ranges served without Accept-Ranges or not at all, a table of contents of 1,685 entries (the
 * real full archive's count), a damaged entry, and hostile release lists and files.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { ZipArchive as ZipWriter } from 'archiver';
import AdmZip from 'adm-zip';
import { downloadFile } from '../../server/address-data/download.js';
import { DEFAULT_WEB, type WebPolicy } from '../../server/address-data/web-fetch.js';
import { ZipArchive } from '../../server/address-data/gar/zip-archive.js';
import { garReleases } from '../../server/address-data/gar/releases.js';
import { addRegion, dataStatus, type DataSettings } from '../../server/address-data/data-operations.js';
import { DataError, IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { currentIndexFile } from '../../server/store/index-files.js';
import { FakeMirror } from '../fakes/fake-mirror.js';
import { tempDir } from '../helpers.js';
import { garFile, hasGar } from './gar-fixtures.js';
import { hasRealdata, realFile } from '../realdata.js';

const mirror = new FakeMirror();
let tmp: ReturnType<typeof tempDir>;
const web: WebPolicy = { ...DEFAULT_WEB, idleMs: 400, retryBaseMs: 40 };
const bytes = randomBytes(200_000);

beforeAll(() => mirror.start());
afterAll(() => mirror.stop());
beforeEach(() => {
  tmp = tempDir();
  mirror.requests.length = 0;
  mirror.files.set('/file.bin', bytes);
});
afterEach(() => tmp.cleanup());

const gets = (path: string) => mirror.requests.filter((r) => r.path === path && r.method === 'GET');

describe('a download', () => {
  it('on a slow but steady link takes as long as it takes: the timeout is for silence, not for the whole', async () => {
    // 200 KB at 16 KB every 100 ms: about 1.3 s, three times the 400 ms a silence may last.
    mirror.trickle.set('/file.bin', { bytes: 16_000, everyMs: 100 });
    const started = performance.now();
    const result = await downloadFile(`${mirror.url}/file.bin`, join(tmp.dir, 'file.bin'), { web });
    expect(performance.now() - started).toBeGreaterThan(web.idleMs * 2);
    expect(result).toEqual({ bytes: bytes.length, resumed: false });
    expect(readFileSync(join(tmp.dir, 'file.bin')).equals(bytes)).toBe(true);
    expect(gets('/file.bin')).toHaveLength(1);
    mirror.trickle.delete('/file.bin');
  });

  it('cut eight times finishes all the same: each try that brings bytes starts the count of failures again', async () => {
    mirror.cutEvery.set('/file.bin', { bytes: 20_000, times: 8 });
    const result = await downloadFile(`${mirror.url}/file.bin`, join(tmp.dir, 'file.bin'), { web, attempts: 5 });
    expect(result.resumed).toBe(true);
    expect(readFileSync(join(tmp.dir, 'file.bin')).equals(bytes)).toBe(true);
    const ranges = gets('/file.bin').map((r) => r.range);
    expect(ranges).toEqual([null, ...Array.from({ length: 8 }, (_, i) => `bytes=${(i + 1) * 20_000}-`)]);
  });

  it('a server that is down is tried five times with growing pauses, then said in one line', async () => {
    mirror.unavailable.set('/file.bin', 100);
    await expect(downloadFile(`${mirror.url}/file.bin`, join(tmp.dir, 'file.bin'), { web })).rejects.toThrow(/failed 5 times in a row \(the server answered 503\)/);
    const times = gets('/file.bin').map((r) => r.at);
    expect(times).toHaveLength(5);
    // Pause n lies between half and all of 40 ms × 2^(n-1): it grows, and never comes back at once.
    times.slice(1).forEach((at, i) => expect(at - times[i]).toBeGreaterThanOrEqual((web.retryBaseMs * 2 ** i) / 2 - 5));
    mirror.unavailable.set('/file.bin', 3);
    expect((await downloadFile(`${mirror.url}/file.bin`, join(tmp.dir, 'file.bin'), { web })).bytes).toBe(bytes.length);
  });

  it('a refused connection is retried with pauses too, not five times at once', async () => {
    const port = await closedPort();
    const started = performance.now();
    await expect(downloadFile(`http://127.0.0.1:${port}/file.bin`, join(tmp.dir, 'file.bin'), { web })).rejects.toThrow(/failed 5 times in a row/);
    // At least half of 40 + 80 + 160 + 320 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(300 - 5);
  });

  it('without a length and without an end stops at the download cap, leaving nothing behind', async () => {
    mirror.endless.add('/endless.osm.pbf');
    await expect(downloadFile(`${mirror.url}/endless.osm.pbf`, join(tmp.dir, 'x.osm.pbf'), { web: { ...web, maxDownloadBytes: 5e6 } })).rejects.toThrow(/goes on past 0\.01 GB, the most a download may be \(DATA_MAX_DOWNLOAD_GB\)/);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('follows a redirect on the same host, and refuses one to another host unless it is allowed', async () => {
    mirror.redirects.set('/moved.bin', '/file.bin');
    expect((await downloadFile(`${mirror.url}/moved.bin`, join(tmp.dir, 'a.bin'), { web })).bytes).toBe(bytes.length);
    mirror.redirects.set('/elsewhere.bin', `${mirror.url.replace('127.0.0.1', 'localhost')}/file.bin`);
    await expect(downloadFile(`${mirror.url}/elsewhere.bin`, join(tmp.dir, 'b.bin'), { web })).rejects.toThrow(/redirected to localhost:\d+, another host; .* add localhost to DATA_REDIRECT_HOSTS/);
    expect((await downloadFile(`${mirror.url}/elsewhere.bin`, join(tmp.dir, 'b.bin'), { web: { ...web, redirectHosts: ['localhost'] } })).bytes).toBe(bytes.length);
    mirror.redirects.set('/to-disk.bin', 'file:///etc/passwd');
    await expect(downloadFile(`${mirror.url}/to-disk.bin`, join(tmp.dir, 'c.bin'), { web })).rejects.toThrow(/not a web address/);
  });
});

describe('a remote archive', () => {
  it('reads a table of contents of 1,685 entries in three requests (a probe, the tail, the directory), zip64 records included', async () => {
    const zip = await zip64Of(Array.from({ length: 1685 }, (_, i) => [`${String(i % 90).padStart(2, '0')}/AS_HOUSES_20230626_${randomUUIDish(i)}.XML`, randomBytes(120)]));
    mirror.files.set('/big/gar_xml.zip', zip);
    const archive = await ZipArchive.open(`${mirror.url}/big/gar_xml.zip`, { web });
    try {
      expect(archive.entries).toHaveLength(1685);
      expect(gets('/big/gar_xml.zip').map((r) => r.range)).toEqual(['bytes=0-0', expect.stringMatching(/^bytes=\d+-\d+$/), expect.stringMatching(/^bytes=\d+-\d+$/)]);
      const entry = archive.entries[100];
      const text: Buffer[] = [];
      for await (const chunk of await archive.open(entry.name)) text.push(chunk as Buffer);
      expect(Buffer.concat(text).length).toBe(120);
    } finally {
      archive.close();
    }
  });

  it.skipIf(!hasGar)('counts the 206, not the Accept-Ranges header; a server that ignores ranges is said in words', async () => {
    mirror.files.set('/quiet/gar_xml.zip', readFileSync(garFile('gar_xml_99_baikonur_20230626.zip')));
    mirror.quietRanges.add('/quiet/gar_xml.zip');
    const archive = await ZipArchive.open(`${mirror.url}/quiet/gar_xml.zip`, { web });
    expect(archive.entries.length).toBeGreaterThan(20);
    archive.close();
    mirror.files.set('/whole/gar_xml.zip', readFileSync(garFile('gar_xml_99_baikonur_20230626.zip')));
    mirror.ignoreRanges.add('/whole/gar_xml.zip');
    await expect(ZipArchive.open(`${mirror.url}/whole/gar_xml.zip`, { web })).rejects.toThrow(/does not serve byte ranges .* download the archive and run npm run import:gar/);
  });

  it.skipIf(!hasGar)('with a damaged entry fails in one line, by range or from disk, with the build and its lock gone and the served index as it was', async () => {
    const damaged = damage(readFileSync(garFile('gar_xml_99_baikonur_20230626.zip')), /^99\/AS_HOUSES_\d/);
    mirror.files.set('/damaged/gar_xml.zip', damaged);
    const indexDir = join(tmp.dir, 'index');
    await IndexBuild.run(indexDir, () => undefined);
    const served = currentIndexFile(indexDir);
    for (const source of [`${mirror.url}/damaged/gar_xml.zip`, writeTemp('gar_xml.zip', damaged)]) {
      const failure = await IndexBuild.run(indexDir, (build) => importGar(build, source, { regions: [99], web })).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DataError);
      expect((failure as Error).message).toMatch(/AS_HOUSES_.* is damaged .* download the archive again/);
      expect(readdirSync(indexDir).filter((n) => n.endsWith('.building') || n === 'BUILD.lock')).toEqual([]);
      expect(currentIndexFile(indexDir)).toBe(served);
    }
  });
});

describe.skipIf(!hasGar || !hasRealdata)('a hostile release list', () => {
  let settings: DataSettings;
  beforeEach(() => {
    settings = { indexDir: join(tmp.dir, 'index'), osmExtractsUrl: `${mirror.url}/osm`, garReleasesUrl: `${mirror.url}/gar/releases`, osmMaxAgeDays: 30, web };
    mirror.files.set('/osm/asia/kazakhstan-latest.osm.pbf', readFileSync(realFile('gh-moscow.osm.pbf')));
  });

  it.each([
    ['a local path', '/etc/passwd'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a data: URL', 'data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=='],
  ])('an archive address that is %s is refused, nothing read from our disk', async (_, address) => {
    mirror.releases.splice(0, mirror.releases.length, { VersionId: 20221124, TextVersion: 'x', GarXMLFullURL: address, GarXMLDeltaURL: null });
    await expect(addRegion(settings, 'baikonur')).rejects.toThrow(/release 20221124: .* is not a web address/);
    expect(existsSync(join(settings.indexDir, 'CURRENT'))).toBe(false);
    expect(dataStatus(settings.indexDir).running).toBeNull();
  });

  it('a list that never ends is cut at 16 MB', async () => {
    mirror.endless.add('/gar/endless-releases');
    const started = performance.now();
    await expect(garReleases(`${mirror.url}/gar/endless-releases`, web)).rejects.toThrow(/the release list: .* goes on past 17 MB|goes on past 16 MB/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

/** A zip with zip64 end records (as archives past 4 GB have), made by archiver. */
async function zip64Of(files: Array<[string, Buffer]>): Promise<Buffer> {
  const zip = new ZipWriter({ forceZip64: true, store: true });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on('end', resolve));
  zip.pipe(out);
  for (const [name, data] of files) zip.append(data, { name });
  await zip.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const randomUUIDish = (i: number) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;

/** The archive with the middle of an entry's packed bytes overwritten (its table of contents intact). */
function damage(zip: Buffer, entry: RegExp): Buffer {
  const copy = Buffer.from(zip);
  const found = new AdmZip(zip).getEntries().find((e) => entry.test(e.entryName))!;
  const local = (found.header as unknown as { offset: number }).offset;
  const start = local + 30 + copy.readUInt16LE(local + 26) + copy.readUInt16LE(local + 28);
  const size = found.header.compressedSize;
  copy.fill(0xa5, start + Math.floor(size / 3), start + Math.floor(size / 3) + 64);
  return copy;
}

function writeTemp(name: string, data: Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, data);
  return path;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
