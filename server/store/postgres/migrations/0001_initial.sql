-- Up Migration
-- The shared state of several instances (issue 12): the same tables as the SQLite file's
-- migrations 1–7 (store/database.ts), minus the address index, which every instance keeps in
-- its own read-only SQLite file (docs/operating.md, "Several instances"). Times are epoch milliseconds.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Tokens are AES-256-GCM ciphertext (store/token-crypto.ts), never plaintext.
CREATE TABLE accounts (
  account_id     BIGINT PRIMARY KEY,
  subdomain      TEXT NOT NULL,
  base_domain    TEXT NOT NULL,
  access_token   BYTEA NOT NULL,
  refresh_token  BYTEA NOT NULL,
  expires_at     BIGINT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('connected', 'reconnect_required')),
  last_error     TEXT,
  connected_at   BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  blocked_until  BIGINT
);

CREATE TABLE account_addresses (
  id           BIGSERIAL PRIMARY KEY,
  account_id   BIGINT NOT NULL,
  normalized   TEXT NOT NULL,
  value        TEXT NOT NULL,
  data         TEXT NOT NULL,
  origin       TEXT NOT NULL,
  uses         INTEGER NOT NULL DEFAULT 1,
  last_used_at BIGINT NOT NULL,
  search       TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', normalized)) STORED,
  UNIQUE (account_id, normalized)
);
CREATE INDEX account_addresses_search ON account_addresses USING GIN (search);

CREATE TABLE outbox (
  id              BIGSERIAL PRIMARY KEY,
  account_id      BIGINT NOT NULL,
  kind            TEXT NOT NULL,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT '{}',
  status          TEXT NOT NULL CHECK (status IN ('pending', 'done', 'parked')),
  dedupe_key      TEXT UNIQUE,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until     BIGINT,
  last_error      TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE site_keys (
  id           BIGSERIAL PRIMARY KEY,
  account_id   BIGINT NOT NULL,
  name         TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT
);

CREATE TABLE intake_leads (
  id          TEXT PRIMARY KEY,
  site_key_id BIGINT NOT NULL REFERENCES site_keys (id),
  account_id  BIGINT NOT NULL,
  outbox_id   BIGINT NOT NULL REFERENCES outbox (id),
  created_at  BIGINT NOT NULL
);

CREATE TABLE webhook_events (
  hash        TEXT PRIMARY KEY,
  account_id  BIGINT NOT NULL,
  received_at BIGINT NOT NULL
);

CREATE TABLE account_settings (
  account_id BIGINT PRIMARY KEY,
  settings   TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE writebacks (
  account_id BIGINT NOT NULL,
  entity     TEXT NOT NULL,
  entity_id  BIGINT NOT NULL,
  field_id   BIGINT NOT NULL,
  value      TEXT NOT NULL,
  written_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, entity, entity_id, field_id)
);

-- The shared send window: when each request to amoCRM was let go, per account, for all
-- instances together (amo/shared-rate-limiter.ts), on the database's clock. Only the last
-- window's starts are kept. Keyed by a bucket name; holds nothing else of the account.
CREATE TABLE send_starts (
  bucket TEXT NOT NULL,
  at     DOUBLE PRECISION NOT NULL
);
CREATE INDEX send_starts_bucket_at ON send_starts (bucket, at);

-- Request counters the instances share (the per-site limit of website leads), one fixed window
-- per key (http/shared-limit-store.ts).
CREATE TABLE rate_hits (
  key      TEXT PRIMARY KEY,
  hits     INTEGER NOT NULL,
  reset_at BIGINT NOT NULL
);

-- Down Migration
DROP TABLE rate_hits, send_starts, writebacks, account_settings, webhook_events, intake_leads, site_keys, outbox, account_addresses, accounts, meta;
