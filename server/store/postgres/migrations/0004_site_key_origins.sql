-- Up Migration
-- A site key may name the web origins allowed to use it from a browser (SQLite: store/database.ts, migration 10).
ALTER TABLE site_keys ADD COLUMN origins TEXT;

-- Down Migration
ALTER TABLE site_keys DROP COLUMN origins;
