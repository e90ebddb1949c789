-- Up Migration
-- A website may send a lead again with the same Idempotency-Key header (a retry after a timeout):
-- within 24 hours it gets the first answer and no second lead (SQLite: store/database.ts, migration 8).
ALTER TABLE intake_leads ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX intake_leads_idempotency ON intake_leads (site_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- An account's waiting items are counted at every lead (its cap) and per account at every claim (fairness).
CREATE INDEX outbox_account_status ON outbox (account_id, status);

-- Down Migration
DROP INDEX outbox_account_status;
DROP INDEX intake_leads_idempotency;
ALTER TABLE intake_leads DROP COLUMN idempotency_key;
