-- Up Migration
-- An account's price by distance from its warehouses, beside its zones (SQLite: store/database.ts, migration 11).
ALTER TABLE delivery_zones ADD COLUMN pricing TEXT;

-- Down Migration
ALTER TABLE delivery_zones DROP COLUMN pricing;
