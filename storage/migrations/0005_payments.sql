-- Paying orders and refunding them.

-- The fee plan: basis points of each payment, rounded half up.
ALTER TABLE merchants ADD COLUMN fee_rate_bps INTEGER NOT NULL DEFAULT 60;

-- At most one payment per order, whatever races: order_id is unique.
CREATE TABLE payments (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL UNIQUE REFERENCES orders (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode    BOOLEAN NOT NULL,
    wallet_id   TEXT NOT NULL REFERENCES wallets (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    fee         BIGINT NOT NULL CHECK (fee >= 0),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_wallet ON payments (wallet_id, id);

CREATE TABLE refunds (
    id           TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    payment_id   TEXT NOT NULL REFERENCES payments (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    livemode     BOOLEAN NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    fee_refunded BIGINT NOT NULL CHECK (fee_refunded >= 0),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, id);
CREATE INDEX refunds_merchant ON refunds (merchant_id, livemode, id);
