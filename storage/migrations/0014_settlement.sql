-- Settlement and payouts: a merchant's business days settled once each,
-- the signed report of each, the bank accounts its money goes to, and the
-- payouts that take it there.

-- A business day is a calendar day in the merchant's time zone; it settles
-- settlement_delay_days after it ends. payout_schedule is daily or manual.
ALTER TABLE merchants ADD COLUMN settlement_delay_days INTEGER NOT NULL DEFAULT 1;
ALTER TABLE merchants ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
ALTER TABLE merchants ADD COLUMN payout_schedule TEXT NOT NULL DEFAULT 'daily';

-- One settlement per merchant, mode, currency and business day: the
-- unique constraint is what lets any number of gateways and repeated runs
-- settle a day exactly once. The totals are its balance transactions';
-- the report's digest and signature are of the CSV built from them.
CREATE TABLE settlements (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    livemode         BOOLEAN NOT NULL,
    currency         TEXT NOT NULL,
    date             TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    available_on     TEXT NOT NULL,
    count            BIGINT NOT NULL CHECK (count > 0),
    gross            BIGINT NOT NULL,
    fees             BIGINT NOT NULL,
    refunds          BIGINT NOT NULL,
    discounts        BIGINT NOT NULL,
    cashback         BIGINT NOT NULL,
    adjustments      BIGINT NOT NULL,
    net              BIGINT NOT NULL,
    report_sha256    TEXT NOT NULL,
    report_signature TEXT NOT NULL,
    report_key_id    TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (merchant_id, livemode, currency, date),
    CHECK (net = gross + refunds + discounts + cashback + adjustments - fees)
);
CREATE INDEX settlements_merchant ON settlements (merchant_id, livemode, id);

-- The public halves of the keys that have signed reports, so a report
-- signed before a rotation still verifies.
CREATE TABLE signing_keys (
    id         TEXT PRIMARY KEY,
    algorithm  TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The account number is sealed (AES-GCM, bound to the row's id); only its
-- last four digits are kept readable.
CREATE TABLE bank_accounts (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (id),
    livemode       BOOLEAN NOT NULL,
    currency       TEXT NOT NULL,
    account_holder TEXT NOT NULL,
    number_sealed  TEXT NOT NULL,
    last4          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('new', 'verified', 'errored')),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_accounts_merchant ON bank_accounts (merchant_id, livemode, currency, id);

-- A payout moves available money to the merchant's in-transit balance,
-- then out through the bank, or back when the bank refuses or returns it.
-- automatic_date is set on automatic payouts only: one per merchant,
-- mode, currency and business day (NULLs never conflict).
CREATE TABLE payouts (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    livemode        BOOLEAN NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'in_transit', 'paid', 'failed')),
    automatic_date  TEXT,
    failure_code    TEXT,
    failure_message TEXT,
    submitted_at    TIMESTAMPTZ,
    paid_at         TIMESTAMPTZ,
    failed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (merchant_id, livemode, currency, automatic_date)
);
CREATE INDEX payouts_merchant ON payouts (merchant_id, livemode, id);
CREATE INDEX payouts_status ON payouts (status, id);

-- The automatic payouts look for merchants with money available every
-- minute: by kind, not through every wallet's account. Neither column
-- ever changes, so postings do not maintain this index.
CREATE INDEX ledger_accounts_kind ON ledger_accounts (kind, owner);
