/**
 * The embedded geocoder's storage: places (settlements, streets, houses) with an FTS5 index, and
 * the word list the typo corrector searches (geocoding-notes, "The embedded default"). Rows are
 * kept in importance order (the smallest rowid the most important), so a MATCH that stops at LIMIT
 * already holds the best candidates. Search and ranking live in geocoding/local-index.ts.
 *
 * A full reorder numbers rows ROW_GAP apart, so that a registry delta can put a region's rows back
 * in place (replaceRowsInPlace): each into a free rowid between its neighbours in importance, its
 * FTS5 entry added and the old ones deleted, without rewriting a country's table.
 */
import type { Db } from './database.js';
import type { GarHouseRow, GarObjectRow, NewPlaceRow, PlaceRow } from './index-rows.js';

export type { GarHouseRow, NewPlaceRow, PlaceRow } from './index-rows.js';

const COLUMNS = 'kind, source, value, country, country_code, region, city, settlement, street, house, block, postal_code, lat, lon, importance, search_text, gar_id, extra';
/** Free rowids left after each row by a full reorder. */
export const ROW_GAP = 1024;
/** Words the typo corrector lists: of three letters or more, not numbers, not the "p123" postcode tokens. */
const LISTED_WORD = /^(?![0-9]|p[0-9])\S{3,}$/u;

export class PlacesRepository {
  private readonly matchStmt;
  private readonly insertStmt;
  private readonly termStmt;
  private readonly termPrefixStmt;
  private readonly wordsStmt;
  private readonly housesStmt;
  private readonly garPlaceStmt;
  private readonly typesStmt;
  private readonly registryMatchStmt;
  private readonly garObjectStmt;

  constructor(readonly db: Db) {
    this.matchStmt = db.prepare<[string, number], PlaceRow>(
      `SELECT p.* FROM places p JOIN (SELECT rowid FROM places_fts WHERE places_fts MATCH ? ORDER BY rowid LIMIT ?) m ON p.id = m.rowid`,
    );
    this.insertStmt = db.prepare(`INSERT INTO places (${COLUMNS}) VALUES (${COLUMNS.split(', ').map((c) => `@${c}`).join(', ')})`);
    this.termStmt = db.prepare<[string], { term: string }>('SELECT term FROM places_vocab WHERE term = ?');
    this.termPrefixStmt = db.prepare<[string, string], { term: string }>('SELECT term FROM places_vocab WHERE term >= ? AND term < ? LIMIT 1');
    this.wordsStmt = db.prepare<[string, number], { word: string }>('SELECT word FROM place_words WHERE place_words MATCH ? ORDER BY rank LIMIT ?');
    this.housesStmt = db.prepare<[number, string, string, number], GarHouseRow>('SELECT * FROM gar_houses WHERE parent = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?');
    this.garPlaceStmt = db.prepare<[number], PlaceRow>('SELECT * FROM places WHERE gar_id = ?');
    this.registryMatchStmt = db.prepare<[string, number], PlaceRow>(
      `SELECT p.* FROM places p JOIN (SELECT rowid FROM places_fts WHERE places_fts MATCH ? ORDER BY rowid LIMIT ?) m ON p.id = m.rowid WHERE p.gar_id IS NOT NULL ORDER BY p.id`,
    );
    this.garObjectStmt = db.prepare<[number], GarObjectRow>('SELECT * FROM gar_objects WHERE objectid = ?');
    this.typesStmt = db.prepare<[], { kind: string; id: number; short: string; full: string }>('SELECT kind, id, short, full FROM gar_types');
  }

  /** The first `limit` registry places (settlements, streets: rows with a gar_id) matching an FTS5 expression, in importance order. */
  matchRegistry(expression: string, limit: number): PlaceRow[] {
    return this.registryMatchStmt.all(expression, limit * 4).slice(0, limit);
  }

  /** Registry houses of one parent whose key starts with `keyPrefix` (the whole key when it is exact), in key order. */
  housesOf(parent: number, keyPrefix: string, limit: number): GarHouseRow[] {
    return this.housesStmt.all(parent, keyPrefix, `${keyPrefix}\uffff`, limit);
  }

  /** A registry address object as read (names, type, parent, params). */
  garObject(objectid: number): GarObjectRow | undefined {
    return this.garObjectStmt.get(objectid);
  }

  /** The place row of a registry object, or undefined. */
  garPlace(objectid: number): PlaceRow | undefined {
    return this.garPlaceStmt.get(objectid);
  }

  /** The registry's house and add-on house types (AS_HOUSE_TYPES, AS_ADDHOUSE_TYPES): kind → id → short name. */
  garTypes(): Map<string, Map<number, { short: string; full: string }>> {
    const types = new Map<string, Map<number, { short: string; full: string }>>();
    for (const t of this.typesStmt.all()) {
      if (!types.has(t.kind)) types.set(t.kind, new Map());
      types.get(t.kind)!.set(t.id, { short: t.short, full: t.full });
    }
    return types;
  }

  /** A registry house by its FIAS id (`gar_houses_guid`, layout 3). */
  houseByGuid(guid: Buffer): GarHouseRow | undefined {
    return this.db.prepare('SELECT * FROM gar_houses WHERE guid = ?').get(guid) as GarHouseRow | undefined;
  }

  /** A registry address object (street, settlement…) by its FIAS id (`gar_objects_guid`, layout 3). */
  objectByGuid(guid: string): GarObjectRow | undefined {
    return this.db.prepare('SELECT * FROM gar_objects WHERE guid = ? COLLATE NOCASE').get(guid) as GarObjectRow | undefined;
  }

  /** Registry houses by their KLADR code (`gar_houses_kladr`). */
  housesByKladr(code: string, limit: number): GarHouseRow[] {
    return this.db.prepare('SELECT * FROM gar_houses WHERE kladr = ? LIMIT ?').all(code, limit) as GarHouseRow[];
  }

  /**
   * Registry objects whose KLADR code (kept in their params) starts with `code`. A scan of the
   * objects' table (no index: the code lives in a JSON text): some hundred milliseconds on a
   * country's registry, for a lookup a site makes once per stored address.
   */
  objectsByKladr(code: string, limit: number): GarObjectRow[] {
    return this.db.prepare(`SELECT * FROM gar_objects WHERE params LIKE ? ORDER BY level LIMIT ?`).all(`%"kladr":"${code.replace(/[%_"]/g, '')}%`, limit) as GarObjectRow[];
  }

  /** Houses (OpenStreetMap, CSV) with a point in the box, by latitude band (`places_lat`). */
  housesInBox(south: number, north: number, west: number, east: number, limit: number): PlaceRow[] {
    return this.db.prepare("SELECT * FROM places WHERE kind = 'house' AND lat IS NOT NULL AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? LIMIT ?").all(south, north, west, east, limit) as PlaceRow[];
  }

  /** Registry houses with their own point in the box (`gar_houses_lat`). */
  registryHousesInBox(south: number, north: number, west: number, east: number, limit: number): GarHouseRow[] {
    return this.db.prepare('SELECT * FROM gar_houses WHERE lat IS NOT NULL AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? LIMIT ?').all(south, north, west, east, limit) as GarHouseRow[];
  }

  /** The first `limit` places (in importance order) matching an FTS5 expression. */
  match(expression: string, limit: number): PlaceRow[] {
    return this.matchStmt.all(expression, limit);
  }

  /** Replaces every place of `source` with `rows`, then re-orders the table and rebuilds the indexes; one transaction. */
  replaceSource(source: string, rows: Iterable<NewPlaceRow>): number {
    let count = 0;
    // A big import sorts and re-indexes millions of rows: a bigger page cache (64 MB) speeds it
    // up; the sort's temporary table stays on disk (SQLite's default), as it would double the
    // process's memory for a regional extract.
    this.db.pragma('cache_size = -65536');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM places WHERE source = ?').run(source);
      for (const row of rows) {
        this.insertStmt.run({ gar_id: null, extra: null, ...row });
        count++;
      }
      this.reorder();
    })();
    return count;
  }

  /** Places by kind: settlements, streets, houses (registry houses are counted apart, in gar_houses). */
  kindCounts(): { settlements: number; streets: number; houses: number } {
    const rows = this.db.prepare('SELECT kind, COUNT(*) AS n FROM places GROUP BY kind').all() as Array<{ kind: string; n: number }>;
    const n = (kind: string) => rows.find((r) => r.kind === kind)?.n ?? 0;
    return { settlements: n('settlement'), streets: n('street'), houses: n('house') };
  }

  /** Houses of the places table (OpenStreetMap, files imported by hand) with a postcode and with a point. */
  houseQuality(): { withPostcode: number; withPoint: number } {
    return this.db.prepare("SELECT COUNT(postal_code) AS withPostcode, COUNT(lat) AS withPoint FROM places WHERE kind = 'house'").get() as { withPostcode: number; withPoint: number };
  }

  countBySource(): Record<string, number> {
    const rows = this.db.prepare('SELECT source, COUNT(*) AS n FROM places GROUP BY source').all() as Array<{ source: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.source, r.n]));
  }

  /** Every settlement, least important first (so the most important wins a shared name in a Map). */
  settlements(): Array<Pick<PlaceRow, 'city' | 'region' | 'importance' | 'country' | 'country_code' | 'lat' | 'lon'>> {
    return this.db.prepare("SELECT city, region, importance, country, country_code, lat, lon FROM places WHERE kind = 'settlement' ORDER BY importance ASC").all() as Array<Pick<PlaceRow, 'city' | 'region' | 'importance' | 'country' | 'country_code' | 'lat' | 'lon'>>;
  }

  /** Streets imported from OpenStreetMap or CSV files, with their points. */
  osmStreets(): Array<Pick<PlaceRow, 'city' | 'settlement' | 'street' | 'lat' | 'lon'>> {
    return this.db.prepare("SELECT city, settlement, street, lat, lon FROM places WHERE kind = 'street' AND source LIKE 'import:%'").all() as Array<Pick<PlaceRow, 'city' | 'settlement' | 'street' | 'lat' | 'lon'>>;
  }

  /** Houses imported from OpenStreetMap or CSV files, for matching registry houses to them. */
  osmHouses(): Iterable<Pick<PlaceRow, 'id' | 'city' | 'settlement' | 'street' | 'house' | 'block' | 'lat' | 'lon'>> {
    return this.db.prepare("SELECT id, city, settlement, street, house, block, lat, lon FROM places WHERE kind = 'house' AND source LIKE 'import:%'").iterate() as Iterable<Pick<PlaceRow, 'id' | 'city' | 'settlement' | 'street' | 'house' | 'block' | 'lat' | 'lon'>>;
  }

  /** Rows of the places table. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM places').get() as { n: number }).n;
  }

  /** Houses imported from OpenStreetMap or CSV files whose words match an FTS5 expression (one street's). */
  osmHousesMatching(expression: string): Array<Pick<PlaceRow, 'id' | 'city' | 'settlement' | 'street' | 'house' | 'block' | 'lat' | 'lon'>> {
    return this.db
      .prepare("SELECT id, city, settlement, street, house, block, lat, lon FROM places WHERE id IN (SELECT rowid FROM places_fts WHERE places_fts MATCH ?) AND kind = 'house' AND source LIKE 'import:%'")
      .all(expression) as Array<Pick<PlaceRow, 'id' | 'city' | 'settlement' | 'street' | 'house' | 'block' | 'lat' | 'lon'>>;
  }

  /** Removes rows by id (OpenStreetMap houses the registry now answers for), from the FTS index too. */
  deleteRows(ids: number[]): void {
    const unindex = this.db.prepare("INSERT INTO places_fts(places_fts, rowid, search_text) SELECT 'delete', id, search_text FROM places WHERE id = ?");
    const remove = this.db.prepare('DELETE FROM places WHERE id = ?');
    for (const id of ids) {
      unindex.run(id);
      remove.run(id);
    }
  }

  /**
   * Replaces the rows of `source` keeping the table in importance order without renumbering it:
   * each new row takes a free rowid between the last row more important and the first less
   * important (found through places_importance), its FTS5 entry is added, and words new to the
   * index join the typo list. When some row finds no free rowid (an index renumbered before gaps
   * were left, or a gap used up), the table is reordered after all, and false says so. Inside the
   * caller's transaction.
   */
  replaceRowsInPlace(source: string, rows: Iterable<NewPlaceRow>): boolean {
    this.db.exec('CREATE INDEX IF NOT EXISTS places_importance ON places(importance, id)');
    const fresh = [...rows].sort((a, b) => b.importance - a.importance);
    // Words the index does not know yet, asked before the old rows go (their words would look new again).
    const words = new Set<string>();
    for (const row of fresh) for (const w of row.search_text.split(/\s+/)) if (LISTED_WORD.test(w)) words.add(w);
    const unknown = [...words].filter((w) => this.termStmt.get(w) === undefined);
    this.db.prepare("INSERT INTO places_fts(places_fts, rowid, search_text) SELECT 'delete', id, search_text FROM places WHERE source = ?").run(source);
    this.db.prepare('DELETE FROM places WHERE source = ?').run(source);
    const above = this.db.prepare<[number], { id: number }>('SELECT max(id) AS id FROM places WHERE importance = (SELECT min(importance) FROM places WHERE importance > ?)');
    const below = this.db.prepare<[number], { id: number }>('SELECT min(id) AS id FROM places WHERE importance = (SELECT max(importance) FROM places WHERE importance < ?)');
    const same = this.db.prepare<[number], { id: number }>('SELECT id FROM places WHERE importance = ? ORDER BY id');
    const last = this.db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM places');
    const insert = this.db.prepare(`INSERT INTO places (id, ${COLUMNS}) VALUES (@id, ${COLUMNS.split(', ').map((c) => `@${c}`).join(', ')})`);
    const index = this.db.prepare('INSERT INTO places_fts(rowid, search_text) VALUES (?, ?)');
    // Each new row's neighbours among the rows already there; the rows that share a gap are spread evenly across it,
    // so that later deltas find room between them too.
    const slots = fresh.map((row) => ({ row, lo: above.get(row.importance)?.id ?? 0, hi: below.get(row.importance)?.id ?? Infinity, id: 0 }));
    let inOrder = true;
    for (let i = 0; i < slots.length && inOrder; ) {
      let j = i;
      while (j + 1 < slots.length && slots[j + 1].lo === slots[i].lo && slots[j + 1].hi === slots[i].hi) j++;
      const { lo, hi } = slots[i];
      const k = j - i + 1;
      const taken = new Set<number>();
      for (let m = i; m <= j; m++) if (m === i || slots[m].row.importance !== slots[m - 1].row.importance) for (const r of same.all(slots[m].row.importance)) taken.add(r.id);
      let previous = lo;
      for (let m = 0; m < k; m++) {
        let id = hi === Infinity ? lo + ROW_GAP * (m + 1) : Math.floor(lo + ((hi - lo) * (m + 1)) / (k + 1));
        if (id <= previous) id = previous + 1;
        while (taken.has(id)) id++;
        if (id >= hi) {
          inOrder = false;
          break;
        }
        slots[i + m].id = previous = id;
      }
      i = j + 1;
    }
    let end = last.get()?.id ?? 0;
    for (const slot of slots) {
      // No room between its neighbours: at the end for now, and the table is renumbered below.
      const id = inOrder ? slot.id : (end += ROW_GAP);
      insert.run({ gar_id: null, extra: null, ...slot.row, id });
      index.run(id, slot.row.search_text);
    }
    if (!inOrder) {
      this.reorder(); // rebuilds the FTS index and the word list too
      return false;
    }
    const list = this.db.prepare('INSERT INTO place_words(word) VALUES (?)');
    for (const w of unknown) if (this.termStmt.get(w)) list.run(w);
    return true;
  }

  /** Replaces the rows of `source` without re-ordering (inside the caller's transaction; `reorder` after). */
  replaceRows(source: string, rows: Iterable<NewPlaceRow>): number {
    this.db.prepare('DELETE FROM places WHERE source = ?').run(source);
    return this.insert(rows);
  }

  /** Whether the index holds `word` (or, with `asPrefix`, a word starting with it). */
  knows(word: string, asPrefix: boolean): boolean {
    return asPrefix ? this.termPrefixStmt.get(word, `${word}\uffff`) !== undefined : this.termStmt.get(word) !== undefined;
  }

  /** Words of the index sharing trigrams with `expression` (an FTS5 OR of trigrams), best first. */
  similarWords(expression: string, limit: number): string[] {
    return this.wordsStmt.all(expression, limit).map((r) => r.word);
  }

  /** The version of a loaded data file (the gazetteer), or null. */
  loadedVersion(name: string): string | null {
    return this.meta(`${name}_version`);
  }

  setLoadedVersion(name: string, version: string): void {
    this.setMeta(`${name}_version`, version);
  }

  /** A fact about the index (versions of what it was built from), or null. */
  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** Every fact whose key starts with `prefix`. */
  metaLike(prefix: string): Record<string, string> {
    const rows = this.db.prepare("SELECT key, value FROM meta WHERE key >= ? AND key < ? || '\uffff'").all(prefix, prefix) as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Inserts rows without re-ordering (call `reorder` once after a batch); inside the caller's transaction. */
  insert(rows: Iterable<NewPlaceRow>): number {
    let count = 0;
    for (const row of rows) {
      this.insertStmt.run({ gar_id: null, extra: null, ...row });
      count++;
    }
    return count;
  }

  /** Adds `rows` and re-orders the table, in one transaction. */
  append(rows: Iterable<NewPlaceRow>): number {
    return this.db.transaction(() => {
      const count = this.insert(rows);
      if (count) this.reorder();
      return count;
    })();
  }

  /** `reorder` in a transaction of its own. */
  reorderNow(): void {
    this.db.transaction(() => this.reorder())();
  }

  /** Renumbers rows by importance (ROW_GAP apart), rebuilds the FTS index (external content) and the typo word list. */
  reorder(): void {
    this.db.exec(`
      CREATE TEMP TABLE places_sorted AS SELECT * FROM places ORDER BY importance DESC, id;
      DELETE FROM places;
      INSERT INTO places (id, ${COLUMNS}) SELECT ${ROW_GAP} * row_number() OVER (ORDER BY importance DESC, id), ${COLUMNS} FROM places_sorted ORDER BY importance DESC, id;
      DROP TABLE places_sorted;
      INSERT INTO places_fts(places_fts) VALUES ('rebuild');
      DELETE FROM place_words;
      INSERT INTO place_words(word) SELECT term FROM places_vocab WHERE length(term) >= 3 AND term NOT GLOB '[0-9]*' AND term NOT GLOB 'p[0-9]*';
    `);
  }
}
