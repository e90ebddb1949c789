/**
 * The address index file: a SQLite database of its own, apart from the accounts' store. It is
 * written only by a build (server/address-data), which makes a new file beside the one being
 * served and switches to it when complete; the server opens it read-only (geocoding/served-index).
 *
 * Layout, chosen by measurement (docs/address-data.md):
 * - `places` + `places_fts`: settlements, planning structures and streets (and OpenStreetMap
 *   houses), one FTS5 row each, in importance order (rowid 1 = most important); prefixes of up
 *   to five letters are indexed ("Крас", "Верхн" match thousands of names: at 10 M houses a
 *   keystroke's p95 went from 4.0 to 1.4 ms in-process for 9 MB more);
 * - `gar_houses`: the registry's houses, one plain row each keyed by the registry's OBJECTID and
 *   found through their parent (a street's `gar_id`): an FTS5 row would cost ≥ 165 bytes a house;
 * - `gar_objects`: the registry's address objects as read (names, types, parents, params), from
 *   which `places` rows are derived again when a delta renames or re-parents one;
 * - `meta`: versions (the gazetteer's hash, the registry's version per region, the OSM files).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './database.js';
import type { NewPlaceRow } from './index-rows.js';

/** Bumped when the layout changes: a file of another layout is rebuilt, never read; LOOKUPS take layout 2 to 3 in place. */
export const INDEX_LAYOUT = 3;

const SCHEMA = `
  CREATE TABLE places (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('settlement', 'street', 'house')),
    source       TEXT NOT NULL,
    value        TEXT NOT NULL,
    country      TEXT, country_code TEXT, region TEXT, city TEXT, settlement TEXT,
    street       TEXT, house TEXT, block TEXT, postal_code TEXT,
    lat          REAL, lon REAL,
    importance   REAL NOT NULL DEFAULT 0,
    search_text  TEXT NOT NULL,
    gar_id       INTEGER,
    extra        TEXT
  );
  CREATE INDEX places_source ON places(source);
  CREATE INDEX places_gar ON places(gar_id) WHERE gar_id IS NOT NULL;
  CREATE VIRTUAL TABLE places_fts USING fts5(search_text, content='places', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5');
  CREATE VIRTUAL TABLE places_vocab USING fts5vocab(places_fts, row);
  CREATE VIRTUAL TABLE place_words USING fts5(word, tokenize='trigram');
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE gar_objects (
    objectid   INTEGER PRIMARY KEY,
    parent     INTEGER,
    region     INTEGER NOT NULL,
    level      INTEGER NOT NULL,
    name       TEXT NOT NULL,
    type_short TEXT NOT NULL,
    type_full  TEXT,
    guid       TEXT NOT NULL,
    params     TEXT,
    old_names  TEXT,
    houses     INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX gar_objects_parent ON gar_objects(parent);
  CREATE TABLE gar_houses (
    objectid    INTEGER PRIMARY KEY,
    parent      INTEGER NOT NULL,
    key         TEXT NOT NULL,
    num         TEXT,
    type        INTEGER,
    add1        TEXT,
    add_type1   INTEGER,
    add2        TEXT,
    add_type2   INTEGER,
    postal_code INTEGER,
    guid        BLOB NOT NULL,
    okato       INTEGER,
    oktmo       INTEGER,
    kladr       TEXT,
    lat         REAL,
    lon         REAL
  );
  CREATE TABLE gar_types (kind TEXT NOT NULL, id INTEGER NOT NULL, short TEXT NOT NULL, full TEXT NOT NULL, PRIMARY KEY (kind, id));
`;

/** Houses are found through their parent (a street's gar_id) and the beginning of their number. */
const HOUSE_PARENT_INDEX = 'CREATE INDEX gar_houses_parent ON gar_houses(parent, key)';

/**
 * Layout 3: what DaData's findById and geolocate ask (server/geocoding/address-lookups.ts): a
 * registry object or house by its FIAS id or KLADR code, and the houses near a point (by latitude
 * band, then longitude). A layout-2 file gets them when it is next built (at start, once).
 */
const LOOKUPS = `
  CREATE INDEX IF NOT EXISTS gar_objects_guid ON gar_objects(guid);
  CREATE INDEX IF NOT EXISTS gar_houses_guid ON gar_houses(guid);
  CREATE INDEX IF NOT EXISTS gar_houses_kladr ON gar_houses(kladr) WHERE kladr IS NOT NULL;
  CREATE INDEX IF NOT EXISTS gar_houses_lat ON gar_houses(lat) WHERE lat IS NOT NULL;
  CREATE INDEX IF NOT EXISTS places_lat ON places(lat) WHERE lat IS NOT NULL AND kind = 'house';
`;

export function openIndexDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (options.readonly) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const layout = db.pragma('user_version', { simple: true });
    // A layout-2 file is still served (it lacks only the lookups) until its next build adds them.
    if (layout !== INDEX_LAYOUT && layout !== 2) {
      db.close();
      throw new Error(`${path}: an address index of layout ${String(layout)}, this release reads ${INDEX_LAYOUT}`);
    }
    // A served file never changes: read it through a memory map and a larger page cache (a
    // keystroke touches a few dozen pages of a multi-gigabyte file, and the default cache holds 2 MB).
    db.pragma('mmap_size = 1073741824');
    db.pragma('cache_size = -65536');
    return db;
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  const layout = db.pragma('user_version', { simple: true }) as number;
  if (layout === 0) {
    db.exec(SCHEMA);
    db.exec(HOUSE_PARENT_INDEX);
    db.exec(LOOKUPS);
    db.pragma(`user_version = ${INDEX_LAYOUT}`);
  } else if (layout === 2) {
    db.exec(LOOKUPS);
    db.pragma(`user_version = ${INDEX_LAYOUT}`);
  } else if (layout !== INDEX_LAYOUT) {
    db.close();
    throw new Error(`${path}: an address index of layout ${layout}, this release builds ${INDEX_LAYOUT}`);
  }
  return db;
}

/** The layout an open index file was written in. */
export function layoutOf(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** A build's copy is thrown away on any failure, so it needs no journal while it is written. */
export function startBuildWrites(db: Db): void {
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
}

/**
 * Leaves a finished build as a plain file (no journal beside it) with fresh planner statistics,
 * sampled (analysis_limit: each index read up to 1,000 rows, sqlite.org/lang_analyze.html): a full
 * ANALYZE reads every row of a country's index after every delta.
 */
export function finishBuildWrites(db: Db): void {
  db.pragma('journal_mode = DELETE');
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
}

/** Places an older release imported into the accounts' file (`places`, sources `import:*`), for a first index. */
export function legacyImportedPlaces(legacy: Db): Iterable<NewPlaceRow> {
  if (!legacy.prepare("SELECT 1 FROM sqlite_master WHERE name = 'places'").get()) return [];
  return legacy
    .prepare("SELECT kind, source, value, country, country_code, region, city, settlement, street, house, block, postal_code, lat, lon, importance, search_text FROM places WHERE source LIKE 'import:%'")
    .iterate() as Iterable<NewPlaceRow>;
}
