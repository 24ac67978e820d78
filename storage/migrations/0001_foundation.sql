-- Merchants, their API keys, and the idempotency records every POST uses.

CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    city        TEXT NOT NULL,
    mcc         TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- A key is stored only as the SHA-256 of the whole secret; lookup holds the
-- first characters of its random part so the row can be found without
-- scanning, and the hash is then compared in constant time.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode    BOOLEAN NOT NULL,
    lookup      TEXT NOT NULL UNIQUE,
    hash        TEXT NOT NULL,
    last4       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id);

-- status_code is NULL while the first request runs; locked_until bounds how
-- long a crashed request can hold its key.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER,
    response_body TEXT,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
