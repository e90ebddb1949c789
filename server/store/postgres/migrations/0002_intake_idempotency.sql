-- Up Migration
-- A website may send a lead again with the same Idempotency-Key header (a retry after a timeout):
-- within 24 hours it gets the first answer and no second lead (SQLite: store/database.ts, migration 8).
ALTER TABLE intake_leads ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX intake_leads_idempotency ON intake_leads (site_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Down Migration
DROP INDEX intake_leads_idempotency;
ALTER TABLE intake_leads DROP COLUMN idempotency_key;
