-- Hardening: roll-up sums that cannot overflow, user emails unique per account, idempotency records
-- written with their effect.

-- A tree's monthly total adds every entry of every descendant: numeric is exact at any size, where
-- bigint stops at 2^63 and then refuses every later write of every tenant in that month.
ALTER TABLE account_monthly_pages ALTER COLUMN standard_pages TYPE numeric;

-- An email is unique within an account, not across the installation: a global index let one tenant
-- learn (and squat) the addresses another tenant uses.
DROP INDEX users_email;
CREATE UNIQUE INDEX users_account_email ON users (account_id, lower(email));
CREATE INDEX users_email ON users (lower(email));

-- Records are now written in the transaction of their effect, complete with the response. Rows left
-- pending by the earlier design (written before the effect) would answer "in progress" for ever.
DELETE FROM idempotency_keys WHERE status_code IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN status_code SET NOT NULL;
UPDATE idempotency_keys SET response_body = '' WHERE response_body IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN response_body SET NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN content_type text NOT NULL DEFAULT 'application/json; charset=utf-8';
-- Records expire after 24 hours; the purge job and the lookups go by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
