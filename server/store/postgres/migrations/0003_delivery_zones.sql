-- Up Migration
-- Each account's delivery zones and warehouses, swapped whole in one write (SQLite: store/database.ts, migration 9).
CREATE TABLE delivery_zones (
  account_id BIGINT PRIMARY KEY,
  zones      TEXT NOT NULL,
  warehouses TEXT NOT NULL,
  source     TEXT,
  version    BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Down Migration
DROP TABLE delivery_zones;
