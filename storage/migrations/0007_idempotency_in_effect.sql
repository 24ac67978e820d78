-- An Idempotency-Key's record is now written in the transaction of the
-- effect it answers for, whole, or not at all: there is no claim to hold
-- while a request runs, so no lease. A claim left by the previous version
-- recorded nothing that happened; it goes. sealed marks an answer that
-- holds a secret (a signing secret, a session token) and is stored sealed.
DELETE FROM idempotency_keys WHERE status_code IS NULL;
ALTER TABLE idempotency_keys DROP COLUMN locked_until;
ALTER TABLE idempotency_keys ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
