-- Fewer index entries per paid order. A payment's posting writes four
-- ledger entries, and every index on them is kept up on each, inside the
-- payment's statement. Ledger entries are read by account
-- (ledger_entries_account); by transaction and by reference only in the
-- invariant checks, which read them all anyway. Dropping an index holds
-- the table's lock only for a moment.
DROP INDEX ledger_entries_txn;
DROP INDEX ledger_entries_reference;
