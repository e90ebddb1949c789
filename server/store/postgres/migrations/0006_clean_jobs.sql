-- Up Migration
-- Cleaning an account's existing addresses: a job and one row per entity it read (SQLite: store/database.ts, migration 12).
CREATE TABLE clean_jobs (
  id               BIGSERIAL PRIMARY KEY,
  account_id       BIGINT NOT NULL,
  entity           TEXT NOT NULL,
  filter           TEXT NOT NULL,
  status           TEXT NOT NULL,
  next_page        INTEGER NOT NULL DEFAULT 1,
  read_count             INTEGER NOT NULL DEFAULT 0,
  to_do            INTEGER NOT NULL DEFAULT 0,
  done             INTEGER NOT NULL DEFAULT 0,
  phase_started_at BIGINT,
  cancel           INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX clean_jobs_account ON clean_jobs (account_id, id);
CREATE TABLE clean_rows (
  job_id     BIGINT NOT NULL REFERENCES clean_jobs(id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL,
  entity_id  BIGINT NOT NULL,
  class      TEXT NOT NULL,
  old_value  TEXT NOT NULL,
  new_value  TEXT,
  verdict    TEXT,
  zone       TEXT,
  price      DOUBLE PRECISION,
  budget     DOUBLE PRECISION,
  data       TEXT,
  state      TEXT NOT NULL DEFAULT 'none',
  reason     TEXT,
  old_fields     TEXT,
  new_fields    TEXT,
  PRIMARY KEY (job_id, entity_id)
);
CREATE INDEX clean_rows_state ON clean_rows (job_id, state, entity_id);

-- Down Migration
DROP TABLE clean_rows;
DROP TABLE clean_jobs;
