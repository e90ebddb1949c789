/** `npm run import:addresses` as an admin runs it: the summary line, the index it writes, its refusals. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { currentIndexFile } from '../../server/store/index-files.js';

function importAddresses(args: string[], databasePath: string) {
  return spawnSync('npm', ['run', '--silent', 'import:addresses', '--', ...args], { env: { ...process.env, DATABASE_PATH: databasePath }, encoding: 'utf8' });
}

describe('npm run import:addresses', () => {
  it('reads an extract in two passes, says what it imported, placed and skipped, and writes the index', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amo-address-cli-'));
    try {
      const db = join(dir, 'store.db');
      const run = importAddresses(['test/fixtures/boundaries.osm', '--source', 'hand'], db);
      expect(run.status).toBe(0);
      expect(run.stderr).toContain('pass 2 of 2');
      expect(run.stdout).toMatch(/import:hand: 4 houses and 4 streets imported, placed by 3 boundaries and settlement areas \(skipped: 0 without a street, 0 without a house number, 0 duplicates, 1 areas cut by the extract's edge\) in [\d.]+ s \([\d,]+ objects\/s, peak memory \d+ MB\)/);
      const rows = new Database(currentIndexFile(join(dir, 'index'))!, { readonly: true }).prepare("SELECT city, region FROM places WHERE source = 'import:hand' AND kind = 'house' AND street = 'Лесная улица' AND house = '1'").all();
      expect(rows).toEqual([{ city: 'Берёзовка', region: 'Тестовая область' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file it cannot read, saying which kinds it reads', () => {
    const run = importAddresses(['package.json'], join(tmpdir(), 'never-written.db'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unsupported file type .json');
    expect(run.stderr).toContain('.osm.pbf');
  });
});
