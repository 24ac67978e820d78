-- Cashback (消费返现): campaigns that give back part of what a payer paid,
-- held for a while, then credited to the payer's wallet.

-- amount_given is what the campaign has granted net of reversals, moved
-- only by compare-and-set in the payment's and the refund's transactions;
-- the CHECK stands behind it so that no concurrency gives past the budget.
CREATE TABLE cashback_campaigns (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT REFERENCES merchants (id),
    livemode        BOOLEAN NOT NULL,
    funding         TEXT NOT NULL CHECK (funding IN ('merchant', 'platform')),
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    rate_bps        INTEGER NOT NULL CHECK (rate_bps > 0 AND rate_bps <= 10000),
    max_per_payment BIGINT CHECK (max_per_payment > 0),
    max_per_wallet  BIGINT CHECK (max_per_wallet > 0),
    min_spend       BIGINT NOT NULL CHECK (min_spend >= 0),
    budget_amount   BIGINT NOT NULL CHECK (budget_amount > 0),
    hold_days       INTEGER NOT NULL CHECK (hold_days >= 0 AND hold_days <= 90),
    starts_at       TIMESTAMPTZ,
    ends_at         TIMESTAMPTZ,
    status          TEXT NOT NULL,
    amount_given    BIGINT NOT NULL DEFAULT 0 CHECK (amount_given >= 0),
    last_grant      BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK ((funding = 'merchant') = (merchant_id IS NOT NULL)),
    CHECK (amount_given <= budget_amount)
);
CREATE INDEX cashback_campaigns_merchant ON cashback_campaigns (merchant_id, livemode, id);
CREATE INDEX cashback_campaigns_live ON cashback_campaigns (funding, status, currency);

-- What one wallet has been given by one campaign, net of reversals, for
-- max_per_wallet; last_grant carries a grant's size out of the statement.
CREATE TABLE cashback_wallet_totals (
    campaign_id TEXT NOT NULL REFERENCES cashback_campaigns (id),
    wallet_id   TEXT NOT NULL REFERENCES wallets (id),
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    last_grant  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, wallet_id)
);

-- A cashback's amount is always amount_pending + amount_credited +
-- amount_reversed: held, then credited, and taken back by refunds from
-- either. amount_to_debt is what a refund could not take back from the
-- wallet; amount_netted is what this cashback's credit repaid of the
-- wallet's debt instead of reaching the wallet.
CREATE TABLE cashbacks (
    id              TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES cashback_campaigns (id),
    funding         TEXT NOT NULL,
    wallet_id       TEXT NOT NULL REFERENCES wallets (id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    order_id        TEXT NOT NULL REFERENCES orders (id),
    payment_id      TEXT NOT NULL,
    livemode        BOOLEAN NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    amount_pending  BIGINT NOT NULL CHECK (amount_pending >= 0),
    amount_credited BIGINT NOT NULL DEFAULT 0 CHECK (amount_credited >= 0),
    amount_reversed BIGINT NOT NULL DEFAULT 0 CHECK (amount_reversed >= 0),
    amount_to_debt  BIGINT NOT NULL DEFAULT 0 CHECK (amount_to_debt >= 0),
    amount_netted   BIGINT NOT NULL DEFAULT 0 CHECK (amount_netted >= 0),
    status          TEXT NOT NULL,
    available_at    TIMESTAMPTZ NOT NULL,
    credited_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (payment_id, campaign_id),
    CHECK (amount = amount_pending + amount_credited + amount_reversed)
);
CREATE INDEX cashbacks_due ON cashbacks (status, available_at);
CREATE INDEX cashbacks_order ON cashbacks (order_id);
CREATE INDEX cashbacks_wallet ON cashbacks (wallet_id, id);
CREATE INDEX cashbacks_merchant ON cashbacks (merchant_id, livemode, id);
