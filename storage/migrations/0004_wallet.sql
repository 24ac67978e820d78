-- The reference payer wallet: accounts with a PIN, and the top-ups and
-- withdrawals that move money between a wallet and its linked bank account.

-- phone is the normalised E.164 number, unique because it is how a payer
-- signs in. pin_hash is bcrypt; the PIN itself is never stored. A wrong PIN
-- raises failed_pin_attempts in one UPDATE; reaching the limit sets
-- pin_locked_until, and only a correct PIN clears both. updated_at follows
-- the owner's settings (frozen, no_pin_limit), not the PIN counters.
CREATE TABLE wallets (
    id                  TEXT PRIMARY KEY,
    livemode            BOOLEAN NOT NULL,
    phone               TEXT NOT NULL UNIQUE,
    pin_hash            TEXT NOT NULL,
    failed_pin_attempts INTEGER NOT NULL DEFAULT 0,
    pin_locked_until    TIMESTAMPTZ,
    frozen              BOOLEAN NOT NULL DEFAULT FALSE,
    no_pin_limit        BIGINT NOT NULL CHECK (no_pin_limit >= 0),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

-- A transfer row exists only for a movement that happened: it commits with
-- its ledger posting and the bank's answer, or not at all.
CREATE TABLE wallet_transfers (
    id          TEXT PRIMARY KEY,
    wallet_id   TEXT NOT NULL REFERENCES wallets (id),
    livemode    BOOLEAN NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('topup', 'withdrawal')),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX wallet_transfers_wallet ON wallet_transfers (wallet_id, id);

-- A wallet's balances and its history span its accounts in every currency,
-- found by owner.
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner, livemode);
