-- A merchant's statement: one balance transaction per movement of its
-- money, written by the ledger posting that moves it, in its transaction,
-- and checked against it (the nets of a posting's lines on an account are
-- its entries there). status is pending for a line on the merchant's
-- pending balance and available for one on its available balance; a
-- settlement makes a day's pending lines available, with the money.
CREATE TABLE balance_transactions (
    id            TEXT PRIMARY KEY,
    txn_id        TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    livemode      BOOLEAN NOT NULL,
    currency      TEXT NOT NULL,
    type          TEXT NOT NULL,
    source        TEXT NOT NULL,
    order_id      TEXT,
    reference     TEXT,
    gross         BIGINT NOT NULL,
    fee           BIGINT NOT NULL,
    net           BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'available')),
    settlement_id TEXT,
    payout_id     TEXT,
    available_on  TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK (net = gross - fee)
);
CREATE INDEX balance_transactions_merchant ON balance_transactions (merchant_id, livemode, id);
CREATE INDEX balance_transactions_unsettled ON balance_transactions (status, merchant_id, livemode, currency, created_at);
CREATE INDEX balance_transactions_settlement ON balance_transactions (settlement_id);
CREATE INDEX balance_transactions_payout ON balance_transactions (payout_id);

-- A refund may draw on takings that have already settled: the merchant's
-- pending balance may go below zero as long as pending and available
-- together do not, which the refund checks, locking both.
UPDATE ledger_accounts SET allow_negative = TRUE WHERE kind = 'merchant_pending';
