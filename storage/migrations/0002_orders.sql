-- Orders and the event outbox they write to.

CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    livemode        BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    description     TEXT NOT NULL,
    reference       TEXT,
    metadata        TEXT NOT NULL,
    amount_discount BIGINT NOT NULL DEFAULT 0,
    amount_paid     BIGINT NOT NULL DEFAULT 0,
    amount_refunded BIGINT NOT NULL DEFAULT 0,
    fee             BIGINT NOT NULL DEFAULT 0,
    qr_format       TEXT NOT NULL,
    qr_code         TEXT NOT NULL UNIQUE,
    qr_payload      TEXT NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    paid_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK (amount_paid <= amount),
    CHECK (amount_refunded <= amount_paid)
);
-- A merchant's own order number is unique within one mode.
CREATE UNIQUE INDEX orders_reference ON orders (merchant_id, livemode, reference);
CREATE INDEX orders_merchant ON orders (merchant_id, livemode, id);
-- The sweeper finds pending orders past their expiry through this.
CREATE INDEX orders_pending_expiry ON orders (status, expires_at);

-- The outbox: an event is written in the transaction that causes it, and
-- delivered after commit. payload is the exact JSON body merchants receive.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode    BOOLEAN NOT NULL,
    type        TEXT NOT NULL,
    order_id    TEXT,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_merchant ON events (merchant_id, livemode, id);
CREATE INDEX events_order ON events (order_id);
