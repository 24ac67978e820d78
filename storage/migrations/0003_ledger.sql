-- The double-entry ledger: one row per account holding its running balance,
-- and the entries whose sum that balance must always equal.

-- allow_negative is stored rather than derived from kind so the CHECK can
-- guard every write, the first insert of an account included (ledger/post.go
-- explains how a debit's upsert passes the check on its proposed row). The
-- range check matters only on SQLite, which turns an overflowing integer
-- sum into a float instead of failing; PostgreSQL raises an error itself.
CREATE TABLE ledger_accounts (
    id             TEXT PRIMARY KEY,
    owner          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    currency       TEXT NOT NULL,
    livemode       BOOLEAN NOT NULL,
    allow_negative BOOLEAN NOT NULL,
    balance        BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    CONSTRAINT ledger_accounts_overdraft CHECK (allow_negative OR balance >= 0),
    CONSTRAINT ledger_accounts_balance_range CHECK (balance BETWEEN -9223372036854775807 AND 9223372036854775807)
);

-- kind and reference copy the transaction's, so an account's history reads
-- without a join; entry ids sort by time and serve as the history cursor.
CREATE TABLE ledger_entries (
    id          TEXT PRIMARY KEY,
    txn_id      TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount      BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reference   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_txn ON ledger_entries (txn_id);
CREATE INDEX ledger_entries_reference ON ledger_entries (reference);
