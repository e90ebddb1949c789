/**
 * Ranking at the scale of a country: "ул Гагарина, д 5" exists in many settlements. The real
 * Байконур region (../shared/gar) is imported beside a GENERATED registry-shaped archive that
 * reuses the common street names (scripts/bench/gar-generator.ts; `npm run bench:gar` does the
 * same at 1 M houses). The widget's preferred city narrows; the account's own addresses boost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IndexBuild } from '../../server/address-data/index-build.js';
import { importGar } from '../../server/address-data/gar/import-gar.js';
import { generateGarArchive, SHARED_STREET_NAMES } from '../../scripts/bench/gar-generator.js';
import { startApp, tempDir, type RunningApp } from '../helpers.js';
import { BAIKONUR, expectedHouses, GAR_DIR, hasGar, type ExpectedHouse } from './gar-fixtures.js';

describe.skipIf(!hasGar)('ranking with the registry of a country', () => {
  if (!hasGar) console.warn(`skipped: no registry samples at ${GAR_DIR}`);
  let tmp: ReturnType<typeof tempDir>;
  let app: RunningApp;
  let houses: ExpectedHouse[];
  const withoutCity = (h: ExpectedHouse) => h.typed.split(', ').slice(1).join(', ');
  const suggest = (accountId: number | null, q: string, options: { city?: string } = {}) => app.system.addresses.suggest(accountId, q, { count: 5, language: 'ru', ...options }).then((a) => a.suggestions);

  beforeAll(async () => {
    tmp = tempDir();
    const generated = join(tmp.dir, 'generated.zip');
    await generateGarArchive(generated, 60_000, { regions: 6 });
    app = await startApp({ NODE_ENV: 'test', DATABASE_PATH: join(tmp.dir, 'store.db'), SUGGEST_CACHE_TTL_SECONDS: '0' });
    await IndexBuild.run(app.system.config.indexDir, (build) => importGar(build, generated));
    await IndexBuild.run(app.system.config.indexDir, (build) => importGar(build, BAIKONUR));
    expect(app.system.servedIndex.refresh()).toBe(true);
    houses = expectedHouses(BAIKONUR);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('with the preferred city, every Байконур house typed without its city comes first', async () => {
    const wrong: string[] = [];
    for (const house of houses) {
      const [first] = await suggest(null, withoutCity(house), { city: 'Байконур' });
      if (first?.data.house_fias_id !== house.guid) wrong.push(`${withoutCity(house)} → ${first?.value ?? 'nothing'}`);
    }
    expect(wrong).toEqual([]);
  });

  it('with no preference, a house on a street whose name the country does not share is in the top 5', async () => {
    const common = new Set(SHARED_STREET_NAMES.map((s) => s.toLowerCase()));
    const rare = houses.filter((h) => !common.has(withoutCity(h).split(', ')[0].split(' ').slice(1).join(' ').toLowerCase()));
    expect(rare.length).toBeGreaterThan(300);
    const missing: string[] = [];
    for (const house of rare) if (!(await suggest(null, withoutCity(house))).some((s) => s.data.house_fias_id === house.guid)) missing.push(withoutCity(house));
    expect(missing).toEqual([]);
  });

  it("an account whose own addresses are in Байконур gets Байконур's house first without naming a city; another account does not", async () => {
    const gagarina5 = houses.find((h) => h.typed === 'г Байконур, ул Гагарина, д 5')!;
    expect((await suggest(2, 'ул Гагарина, д 5'))[0]?.data.house_fias_id).not.toBe(gagarina5.guid);
    for (const house of houses.filter((h) => !h.typed.includes('Гагарина')).slice(0, 6)) await app.system.addresses.remember(1, { value: house.typed, data: { city: 'Байконур', region: 'Байконур' } });
    expect((await suggest(1, 'ул Гагарина, д 5'))[0]?.data.house_fias_id).toBe(gagarina5.guid);
    expect((await suggest(2, 'ул Гагарина, д 5'))[0]?.data.house_fias_id).not.toBe(gagarina5.guid);
  });
});
