/**
 * Opens the SQLite file (WAL, foreign keys) and brings its schema up to date. Migrations are
 * append-only: a released migration is never edited, a change is a new entry.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  // 1: accounts and their tokens (access/refresh encrypted, AES-256-GCM, see token-crypto.ts)
  `CREATE TABLE accounts (
     account_id     INTEGER PRIMARY KEY,
     subdomain      TEXT NOT NULL,
     base_domain    TEXT NOT NULL,
     access_token   BLOB NOT NULL,
     refresh_token  BLOB NOT NULL,
     expires_at     INTEGER NOT NULL,
     status         TEXT NOT NULL CHECK (status IN ('connected', 'reconnect_required')),
     last_error     TEXT,
     connected_at   INTEGER NOT NULL,
     updated_at     INTEGER NOT NULL
   );`,
  // 2: the local geocoder's places (gazetteer, imported streets/houses) and their FTS indexes
  `CREATE TABLE places (
     id           INTEGER PRIMARY KEY,
     kind         TEXT NOT NULL CHECK (kind IN ('settlement', 'street', 'house')),
     source       TEXT NOT NULL,
     value        TEXT NOT NULL,
     country      TEXT, country_code TEXT, region TEXT, city TEXT, settlement TEXT,
     street       TEXT, house TEXT, block TEXT, postal_code TEXT,
     lat          REAL, lon REAL,
     importance   REAL NOT NULL DEFAULT 0,
     search_text  TEXT NOT NULL
   );
   CREATE INDEX places_source ON places(source);
   CREATE VIRTUAL TABLE places_fts USING fts5(search_text, content='places', content_rowid='id',
     tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
   CREATE VIRTUAL TABLE places_tri USING fts5(search_text, content='places', content_rowid='id',
     tokenize='trigram');
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 3: each account's own address book (chosen in the widget, read from its leads/contacts)
  `CREATE TABLE account_addresses (
     id           INTEGER PRIMARY KEY,
     account_id   INTEGER NOT NULL,
     normalized   TEXT NOT NULL,
     value        TEXT NOT NULL,
     data         TEXT NOT NULL,
     origin       TEXT NOT NULL,
     uses         INTEGER NOT NULL DEFAULT 1,
     last_used_at INTEGER NOT NULL,
     UNIQUE (account_id, normalized)
   );
   CREATE VIRTUAL TABLE account_addresses_fts USING fts5(normalized, account_id UNINDEXED,
     content='account_addresses', content_rowid='id', tokenize='unicode61 remove_diacritics 2',
     prefix='1 2 3');
   CREATE TRIGGER account_addresses_ai AFTER INSERT ON account_addresses BEGIN
     INSERT INTO account_addresses_fts(rowid, normalized, account_id) VALUES (new.id, new.normalized, new.account_id);
   END;
   CREATE TRIGGER account_addresses_ad AFTER DELETE ON account_addresses BEGIN
     INSERT INTO account_addresses_fts(account_addresses_fts, rowid, normalized, account_id)
       VALUES ('delete', old.id, old.normalized, old.account_id);
   END;`,
  // 4: writes to amoCRM: the outbox behind every write, website intake, webhooks, field mapping
  `CREATE TABLE outbox (
     id              INTEGER PRIMARY KEY,
     account_id      INTEGER NOT NULL,
     kind            TEXT NOT NULL,
     payload         TEXT NOT NULL,
     state           TEXT NOT NULL DEFAULT '{}',
     status          TEXT NOT NULL CHECK (status IN ('pending', 'done', 'parked')),
     dedupe_key      TEXT UNIQUE,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_until     INTEGER,
     last_error      TEXT,
     created_at      INTEGER NOT NULL,
     updated_at      INTEGER NOT NULL
   );
   CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
   CREATE TABLE site_keys (
     id          INTEGER PRIMARY KEY,
     account_id  INTEGER NOT NULL,
     name        TEXT NOT NULL,
     key_hash    TEXT NOT NULL UNIQUE,
     created_at  INTEGER NOT NULL,
     revoked_at  INTEGER
   );
   CREATE TABLE intake_leads (
     id          TEXT PRIMARY KEY,
     site_key_id INTEGER NOT NULL REFERENCES site_keys(id),
     account_id  INTEGER NOT NULL,
     outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
     created_at  INTEGER NOT NULL
   );
   CREATE TABLE webhook_events (
     hash        TEXT PRIMARY KEY,
     account_id  INTEGER NOT NULL,
     received_at INTEGER NOT NULL
   );
   CREATE TABLE account_settings (
     account_id  INTEGER PRIMARY KEY,
     settings    TEXT NOT NULL,
     updated_at  INTEGER NOT NULL
   );
   CREATE TABLE writebacks (
     account_id  INTEGER NOT NULL,
     entity      TEXT NOT NULL,
     entity_id   INTEGER NOT NULL,
     field_id    INTEGER NOT NULL,
     value       TEXT NOT NULL,
     written_at  INTEGER NOT NULL,
     PRIMARY KEY (account_id, entity, entity_id, field_id)
   );`,
  // 5: typos are corrected against the index's own vocabulary instead of a trigram index of every row
  `DROP TABLE places_tri;
   CREATE VIRTUAL TABLE places_vocab USING fts5vocab(places_fts, row);
   CREATE VIRTUAL TABLE place_words USING fts5(word, tokenize='trigram');`,
  // 6: amoCRM's block pause survives a restart (reference §8: a block does not heal by retrying)
  `ALTER TABLE accounts ADD COLUMN blocked_until INTEGER;`,
  // 7: the admin console lists each site key with its last use
  `ALTER TABLE site_keys ADD COLUMN last_used_at INTEGER;`,
  // 8: a website's retry with the same Idempotency-Key makes no second lead; an account's waiting
  // items counted at every lead (its cap) and per account at every claim (PostgreSQL: 0002)
  `ALTER TABLE intake_leads ADD COLUMN idempotency_key TEXT;
   CREATE UNIQUE INDEX intake_leads_idempotency ON intake_leads (site_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
   CREATE INDEX outbox_account_status ON outbox (account_id, status);`,
  // 9: each account's delivery zones and warehouses, swapped whole in one write (PostgreSQL: 0003)
  `CREATE TABLE delivery_zones (
     account_id  INTEGER PRIMARY KEY,
     zones       TEXT NOT NULL,
     warehouses  TEXT NOT NULL,
     source      TEXT,
     version     INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL
   );`,
  // 10: a site key may name the web origins allowed to use it from a browser (PostgreSQL: 0004)
  `ALTER TABLE site_keys ADD COLUMN origins TEXT;`,
  // 11: an account's price by distance from its warehouses, beside its zones (PostgreSQL: 0005)
  `ALTER TABLE delivery_zones ADD COLUMN pricing TEXT;`,
  // 12: cleaning an account's existing addresses: a job and one row per entity it read (PostgreSQL: 0006)
  `CREATE TABLE clean_jobs (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     account_id  INTEGER NOT NULL,
     entity      TEXT NOT NULL,
     filter      TEXT NOT NULL,
     status      TEXT NOT NULL,
     next_page   INTEGER NOT NULL DEFAULT 1,
     read_count        INTEGER NOT NULL DEFAULT 0,
     to_do       INTEGER NOT NULL DEFAULT 0,
     done        INTEGER NOT NULL DEFAULT 0,
     phase_started_at INTEGER,
     cancel      INTEGER NOT NULL DEFAULT 0,
     error       TEXT,
     created_at  INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL
   );
   CREATE INDEX clean_jobs_account ON clean_jobs (account_id, id);
   CREATE TABLE clean_rows (
     job_id      INTEGER NOT NULL REFERENCES clean_jobs(id) ON DELETE CASCADE,
     account_id  INTEGER NOT NULL,
     entity_id   INTEGER NOT NULL,
     class       TEXT NOT NULL,
     old_value   TEXT NOT NULL,
     new_value   TEXT,
     verdict     TEXT,
     zone        TEXT,
     price       REAL,
     budget      REAL,
     data        TEXT,
     state       TEXT NOT NULL DEFAULT 'none',
     reason      TEXT,
     old_fields      TEXT,
     new_fields     TEXT,
     PRIMARY KEY (job_id, entity_id)
   );
   CREATE INDEX clean_rows_state ON clean_rows (job_id, state, entity_id);`,
];

/** The schema this release writes (`PRAGMA user_version` after its migrations). */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(path: string, options: { synchronous?: 'FULL' | 'NORMAL' } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** The file was migrated by a newer release: this one refuses to write rows that schema does not expect. */
export class NewerSqliteSchemaError extends Error {}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    db.close();
    throw new NewerSqliteSchemaError(`DATABASE_PATH: the SQLite file has schema version ${current}, newer than this release's ${MIGRATIONS.length}. Start the newer release, or restore a backup taken before it.`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Whether the database answers a query (the health check). */
export function canRead(db: Db): boolean {
  try {
    db.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}
