/**
 * `npm start` builds the demo's real streets once (scripts/demo-data.ts) from ../shared: central
 * Moscow from OpenStreetMap and г Байконур from the registry; the demo page says what it covers.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ServedIndex } from '../../server/geocoding/served-index.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { startApp, tempDir } from '../helpers.js';
import { hasGar } from './gar-fixtures.js';
import { hasRealdata } from '../realdata.js';

describe.skipIf(!hasGar || !hasRealdata)('the demo with real streets', () => {
  it('is built once into the data folder and answers house by house; the coverage names its areas', async () => {
    const tmp = tempDir();
    try {
      const env = { ...process.env, DATABASE_PATH: join(tmp.dir, 'db.sqlite') };
      const first = spawnSync('npx', ['tsx', 'scripts/demo-data.ts'], { env, encoding: 'utf8' });
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/demo data: Москва \(центр, OpenStreetMap\) и г Байконур \(ГАР\) built into .* \(once\)/);
      const again = spawnSync('npx', ['tsx', 'scripts/demo-data.ts'], { env, encoding: 'utf8' });
      expect(again.stdout).toMatch(/already in/);
      const served = new ServedIndex(join(tmp.dir, 'index'));
      const index = new LocalIndex(served);
      const top = async (q: string) => (await index.suggest(q, { count: 3, language: 'ru' }))[0]?.value;
      expect(await top('москва аргуновская 18')).toBe('г Москва, ул Аргуновская, д 18');
      expect(await top('москва милашенкова 9 к2')).toBe('г Москва, ул Милашенкова, д 9 к 2');
      expect(await top('байконур гагарина')).toBe('г Байконур, ул Гагарина');
      served.close();
      const app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'db.sqlite') });
      try {
        const coverage = await (await fetch(`${app.url}/api/address/coverage`)).json();
        expect(coverage.sources.openStreetMap.map((o: { extract: string }) => o.extract)).toEqual(['Москва, центр (OpenStreetMap)']);
        expect(coverage.sources.registry.regions).toEqual({ '99': '20230626' });
      } finally {
        await app.close();
      }
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
