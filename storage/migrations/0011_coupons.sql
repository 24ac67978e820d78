-- Coupons (代金券): campaigns that fund discounts, coupons held by payers'
-- wallets, and the part of each refund that goes back to the funder.

-- merchant_id is the funding merchant; NULL for a platform campaign, whose
-- scope is every merchant or those in coupon_campaign_merchants. redeemed
-- and amount_redeemed are net of refunds and move only by compare-and-set
-- in the payment's (or refund's) transaction; the CHECKs stand behind the
-- compare-and-set, so no concurrency spends past the budget. status is
-- what the owner set (active, paused, ended); "exhausted" is read off the
-- counters.
CREATE TABLE coupon_campaigns (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT REFERENCES merchants (id),
    livemode          BOOLEAN NOT NULL,
    funding           TEXT NOT NULL CHECK (funding IN ('merchant', 'platform')),
    name              TEXT NOT NULL,
    currency          TEXT NOT NULL,
    amount_off        BIGINT CHECK (amount_off > 0),
    percent_off_bps   INTEGER CHECK (percent_off_bps > 0 AND percent_off_bps <= 10000),
    max_discount      BIGINT CHECK (max_discount > 0),
    min_spend         BIGINT NOT NULL CHECK (min_spend >= 0),
    max_coupons       BIGINT CHECK (max_coupons > 0),
    max_amount        BIGINT CHECK (max_amount > 0),
    max_per_wallet    INTEGER NOT NULL CHECK (max_per_wallet > 0),
    claimable         BOOLEAN NOT NULL,
    starts_at         TIMESTAMPTZ,
    ends_at           TIMESTAMPTZ,
    coupon_valid_days INTEGER NOT NULL CHECK (coupon_valid_days > 0),
    status            TEXT NOT NULL,
    issued            BIGINT NOT NULL DEFAULT 0,
    redeemed          BIGINT NOT NULL DEFAULT 0 CHECK (redeemed >= 0),
    amount_redeemed   BIGINT NOT NULL DEFAULT 0 CHECK (amount_redeemed >= 0),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CHECK ((amount_off IS NULL) <> (percent_off_bps IS NULL)),
    CHECK ((funding = 'merchant') = (merchant_id IS NOT NULL)),
    CHECK (max_coupons IS NULL OR redeemed <= max_coupons),
    CHECK (max_amount IS NULL OR amount_redeemed <= max_amount)
);
CREATE INDEX coupon_campaigns_merchant ON coupon_campaigns (merchant_id, livemode, id);
CREATE INDEX coupon_campaigns_claimable ON coupon_campaigns (claimable, status, currency);

CREATE TABLE coupon_campaign_merchants (
    campaign_id TEXT NOT NULL REFERENCES coupon_campaigns (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    PRIMARY KEY (campaign_id, merchant_id)
);

-- A wallet holds at most max_per_wallet coupons of a campaign: each takes
-- the next ordinal, and the unique (campaign, wallet, ordinal) makes two
-- claims at once unable to take the same one. A coupon is redeemed once,
-- on one order: the compare-and-set on status, and the unique order_id.
CREATE TABLE coupons (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES coupon_campaigns (id),
    wallet_id   TEXT NOT NULL REFERENCES wallets (id),
    livemode    BOOLEAN NOT NULL,
    ordinal     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    valid_until TIMESTAMPTZ NOT NULL,
    order_id    TEXT UNIQUE REFERENCES orders (id),
    discount    BIGINT,
    redeemed_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (campaign_id, wallet_id, ordinal)
);
CREATE INDEX coupons_wallet ON coupons (wallet_id, id);

-- The promotion an order was paid with, and refunds in price terms:
-- amount_refunded stays what went back to the payer (at most amount_paid),
-- price_refunded is the part of the price refunded (at most amount).
ALTER TABLE orders ADD COLUMN coupon_id TEXT;
ALTER TABLE orders ADD COLUMN promotion_campaign_id TEXT;
ALTER TABLE orders ADD COLUMN promotion_funding TEXT;
ALTER TABLE orders ADD COLUMN price_refunded BIGINT NOT NULL DEFAULT 0 CHECK (price_refunded >= 0);
UPDATE orders SET price_refunded = amount_refunded;

-- A refund names an amount of the price; amount_to_payer is the payer's
-- share of it, amount_discount_reversed the funder's.
ALTER TABLE refunds ADD COLUMN amount_to_payer BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN amount_discount_reversed BIGINT NOT NULL DEFAULT 0;
UPDATE refunds SET amount_to_payer = amount;
