-- The till, the in-page checkout and the static merchant QR.

-- An order's client secret (ord_..._secret_<random>) opens only that
-- order's QR image, status and event stream, from a browser. Its random
-- part is stored sealed with a key derived from the master key, bound to
-- the order, so a dump of the database opens nothing; orders made before
-- have none. source says how the order came: 'api' (POST /v1/orders) or
-- 'static_qr' (a payer paid the merchant's static code).
ALTER TABLE orders ADD COLUMN client_secret TEXT;
ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT 'api';

-- A merchant's static codes (the counter sticker), one per mode, so test
-- and live data stay apart. Merchants made before get theirs on first use.
ALTER TABLE merchants ADD COLUMN static_code_test TEXT;
ALTER TABLE merchants ADD COLUMN static_code_live TEXT;
CREATE UNIQUE INDEX merchants_static_code_test ON merchants (static_code_test);
CREATE UNIQUE INDEX merchants_static_code_live ON merchants (static_code_live);

-- What one wallet paid through static codes on one day (China Standard
-- Time) in one currency, for the daily cap. It rises only inside the
-- payment's transaction, by an upsert whose WHERE keeps it within the cap,
-- so two payments at once cannot pass it together.
CREATE TABLE static_qr_spend (
    wallet_id TEXT NOT NULL REFERENCES wallets (id),
    day       TEXT NOT NULL,
    currency  TEXT NOT NULL,
    amount    BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (wallet_id, day, currency)
);
