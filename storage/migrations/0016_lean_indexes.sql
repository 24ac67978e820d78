-- Fewer index entries per paid order. A payment's posting writes four
-- ledger entries and a balance transaction; every index on them is kept
-- up on each, inside the payment's statement.
-- Ledger entries are read by account (ledger_entries_account); by
-- transaction and by reference only in the invariant checks, which read
-- them all anyway.
DROP INDEX ledger_entries_txn;
DROP INDEX ledger_entries_reference;
-- A balance transaction gets its settlement and its payout long after it
-- is written; until then there is nothing to find it by.
DROP INDEX balance_transactions_settlement;
DROP INDEX balance_transactions_payout;
CREATE INDEX balance_transactions_settlement ON balance_transactions (settlement_id) WHERE settlement_id IS NOT NULL;
CREATE INDEX balance_transactions_payout ON balance_transactions (payout_id) WHERE payout_id IS NOT NULL;
