/**
 * Registry deltas, applied by record ID on top of a base (django-fias' hand-edited Байконур base
 * and two consecutive deltas: ул Школьная renamed Школьная-2, ул Студенческая closed, a new
 * planning structure, a house added under мкр 5-й and then re-parented to Школьная-2), and what
 * the import refuses: with a clear message, a non-zero exit and the served index untouched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { DataError, IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { currentIndexFile } from '../../server/store/index-files.js';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { tempDir } from '../helpers.js';
import { BAIKONUR, garFile, GAR_DIR, hasGar, suggestedValues } from './gar-fixtures.js';

const BASE = garFile('django-fias_fake_gar_99_20221124.zip');
const DELTA_1 = garFile('django-fias_fake_gar_delta_99_20221128.zip');
const DELTA_2 = garFile('django-fias_fake_gar_delta_99_20221202.zip');

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const apply = (file: string, options: Parameters<typeof importGar>[2] = {}) => IndexBuild.run(tmp.dir, (build) => importGar(build, file, options));

const values = (q: string) => suggestedValues(tmp.dir, q);

/** What a refused import must leave: the same served file, byte for byte. */
function servedSnapshot(): { file: string | null; bytes: string } {
  const file = currentIndexFile(tmp.dir);
  return { file, bytes: file ? readFileSync(file).toString('base64') : '' };
}

describe.skipIf(!hasGar)('registry deltas', () => {
  if (!hasGar) console.warn(`skipped: no registry samples at ${GAR_DIR}`);

  it('applies two deltas in order: a rename (the old name still finds it), a closed street, a new object, a house re-parented', async () => {
    await apply(BASE);
    expect(await values('байконур школьная 30')).toEqual(['г Байконур, ул Школьная, д 30 к 1']);
    expect((await values('байконур студенческая'))[0]).toBe('г Байконур, ул Студенческая');

    const first = await apply(DELTA_1, { delta: true });
    expect(first.regions[0]).toMatchObject({ code: 99, version: '20221129', closed: 1 });
    expect(await values('байконур школьная-2 30')).toEqual(['г Байконур, ул Школьная-2, д 30 к 1']);
    // The old name finds the house and answers with today's.
    expect(await values('байконур школьная 30')).toEqual(['г Байконур, ул Школьная-2, д 30 к 1']);
    expect(await values('байконур студенческая')).not.toContain('г Байконур, ул Студенческая');
    expect(await values('байконур юбилейный')).toContain('г Байконур, тер №22 сад Юбилейный');
    expect(await values('байконур 5-й 70а')).toEqual(['г Байконур, мкр 5-й, зд 70а']);

    await apply(DELTA_2, { delta: true });
    expect(await values('байконур школьная-2 70а')).toEqual(['г Байконур, ул Школьная-2, зд 70а']);
    expect(await values('байконур 5-й 70а')).not.toContain('г Байконур, мкр 5-й, зд 70а');
  });

  it('puts a delta\'s rows back in place: the other rows keep their rowids, the table stays in importance order, the FTS index whole', async () => {
    await apply(BASE);
    const read = () => {
      const db = openIndexDatabase(currentIndexFile(tmp.dir)!, { readonly: true });
      try {
        const others = db.prepare("SELECT id, value FROM places WHERE source NOT LIKE 'gar:%' ORDER BY id").all();
        const outOfOrder = db.prepare('SELECT count(*) AS n FROM places a JOIN places b ON a.id < b.id AND a.importance < b.importance').get() as { n: number };
        // Every word of the index is in the typo list, as a full rebuild would list it.
        const unlisted = db.prepare("SELECT term FROM places_vocab WHERE length(term) >= 3 AND term NOT GLOB '[0-9]*' AND term NOT GLOB 'p[0-9]*' AND term NOT IN (SELECT word FROM place_words)").all();
        return { others, outOfOrder: outOfOrder.n, unlisted };
      } finally {
        db.close();
      }
    };
    const before = read();
    await apply(DELTA_1, { delta: true });
    const after = read();
    expect(after.others).toEqual(before.others); // nothing renumbered
    expect(after.outOfOrder).toBe(0);
    expect(after.unlisted).toEqual([]);
    const db = openIndexDatabase(currentIndexFile(tmp.dir)!);
    try {
      db.exec("INSERT INTO places_fts(places_fts) VALUES ('integrity-check')"); // throws on an FTS index out of step with its rows
      db.exec("INSERT INTO places_fts(places_fts, rank) VALUES ('integrity-check', 1)");
    } finally {
      db.close();
    }
    expect(await values('байконур юбилейный')).toContain('г Байконур, тер №22 сад Юбилейный');
  });

  it('refuses a repeated or older delta, a gap and a delta without its base, in words, the served index untouched', async () => {
    await expect(apply(DELTA_1, { delta: true })).rejects.toThrow(/a delta without its base .* import the full archive \(gar_xml\.zip\) first/);
    await apply(BASE);
    const before = servedSnapshot();
    await expect(apply(DELTA_2, { delta: true })).rejects.toThrow(/a gap — the index is at 20221124, this delta is of 20221202 .* re-import the full archive/);
    expect(servedSnapshot()).toEqual(before);
    await apply(DELTA_1, { delta: true });
    const after = servedSnapshot();
    await expect(apply(DELTA_1, { delta: true })).rejects.toThrow(/not newer than the index \(20221129\)/);
    expect(servedSnapshot()).toEqual(after);
  });
});

describe.skipIf(!hasGar)('a registry import refuses bad input, and the served index stays', () => {
  it.each([
    ['not a zip archive', () => writeFile('not.zip', readFileSync('package.json')), /not a readable zip archive/],
    ['a truncated archive', () => writeFile('cut.zip', readFileSync(BAIKONUR).subarray(0, 120_000)), /not a readable zip archive|damaged|cut short/],
    ['a zip with no registry tables', () => zipOf('other.zip', { 'readme.txt': 'hello' }), /no registry tables .* not a ГАР archive/],
    ['a zip bomb', () => zipOf('bomb.zip', { '99/AS_HOUSES_20230626_3fad8974-eb91-41b4-8027-b3f83d58d7a1.XML': Buffer.alloc(64 * 1024 * 1024, 0x20) }), /inflates \d+ times its stored size .* zip bomb/],
    ['binary where XML should be', () => zipOf('binary.zip', { '99/AS_ADDR_OBJ_20230626_3fad8974-eb91-41b4-8027-b3f83d58d7a1.XML': Buffer.from(`<OBJECTS><OBJECT ID="1" NAME="${'x'.repeat(300_000)}`) }), /record longer than 256 KB: not registry XML/],
  ])('%s', async (_, make, message) => {
    await IndexBuild.run(tmp.dir, (build) => importGar(build, BAIKONUR));
    const before = servedSnapshot();
    const file = make();
    const error = await IndexBuild.run(tmp.dir, (build) => importGar(build, file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    expect(servedSnapshot()).toEqual(before);
  });

  it('a region the archive does not hold is named, with the ones it does', async () => {
    await expect(IndexBuild.run(tmp.dir, (build) => importGar(build, BAIKONUR, { regions: [77] }))).rejects.toThrow(/region 77 is not in this archive \(it holds 99\)/);
  });

  it('records that break the XSD are skipped and counted; the rest is imported', async () => {
    const zip = new AdmZip(BAIKONUR);
    const houses = zip.getEntries().find((e) => /AS_HOUSES_2/.test(e.entryName))!;
    const text = houses.getData().toString('utf8').replace('<HOUSES>', '<HOUSES>garbage text<HOUSE ID="1" HOUSENUM="1" ISACTUAL="1" ISACTIVE="1" />');
    zip.updateFile(houses, Buffer.from(text));
    const file = join(tmp.dir, 'broken.zip');
    zip.writeZip(file);
    const result = await IndexBuild.run(tmp.dir, (build) => importGar(build, file));
    expect(result.regions[0]).toMatchObject({ houses: 550, malformed: 2 });
  });

  it('npm run import:gar says one line and exits 1 on a bad archive, and prints its summary on a good one', () => {
    const env = { ...process.env, DATABASE_PATH: join(tmp.dir, 'store.db') };
    const good = spawnSync('npm', ['run', '--silent', 'import:gar', '--', BAIKONUR], { env, encoding: 'utf8' });
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/ГАР import .*: 1 region\(s\), 550 houses in [\d.]+ s \([\d,]+ houses\/s, [\d,]+ records\/s, [\d.]+ MB\/s of XML, peak memory \d+ MB\); the index now holds 550 registry houses, 426 with a postcode/);
    const served = currentIndexFile(join(tmp.dir, 'index'));
    const bad = spawnSync('npm', ['run', '--silent', 'import:gar', '--', '--delta', BAIKONUR], { env, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not newer than the index \(20230626\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(currentIndexFile(join(tmp.dir, 'index'))).toBe(served);
    expect(statSync(served!).size).toBeGreaterThan(0);
  });
});

function writeFile(name: string, bytes: Buffer): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, bytes);
  return path;
}

function zipOf(name: string, entries: Record<string, string | Buffer>): string {
  const zip = new AdmZip();
  for (const [entry, content] of Object.entries(entries)) zip.addFile(entry, Buffer.isBuffer(content) ? content : Buffer.from(content));
  const path = join(tmp.dir, name);
  zip.writeZip(path);
  return path;
}
