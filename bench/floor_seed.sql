-- Seeds a freshly migrated Scanpay database for paid_order.sql: one
-- merchant with one webhook endpoint subscribed to order.paid; 10,000
-- payer wallets, each holding more than any run can spend (pgbench client
-- n pays from wal_bench_n, so no two clients ever lock the same wallet
-- row, as no two load-tool clients do; the others make the ledger a table
-- that is read by key, as a real one is); and the merchant's 16 pending
-- stripes, as the gateway's ledger creates them.
BEGIN;
INSERT INTO merchants (id, name, country, city, mcc, created_at, fee_rate_bps)
VALUES ('mch_bench', 'Bench Café', 'CN', 'Shanghai', '5999', now(), 60);

INSERT INTO webhook_endpoints (id, merchant_id, livemode, url, description, enabled_events, status, secret, created_at, updated_at)
VALUES ('we_bench', 'mch_bench', false, 'http://127.0.0.1:9/webhooks', 'floor', ',order.paid,', 'enabled', 'sealed', now(), now());

INSERT INTO wallets (id, livemode, phone, pin_hash, no_pin_limit, created_at, updated_at)
SELECT 'wal_bench_' || n, false, '+8619' || lpad(n::text, 9, '0'), 'not a hash', 20000, now(), now()
FROM generate_series(0, 9999) AS n;

INSERT INTO ledger_accounts (id, owner, kind, currency, livemode, allow_negative, balance, created_at, updated_at)
SELECT 'wal_bench_' || n || ':wallet:CNY:test', 'wal_bench_' || n, 'wallet', 'CNY', false, false, 1000000000000000, now(), now()
FROM generate_series(0, 9999) AS n;

INSERT INTO ledger_accounts (id, owner, kind, currency, livemode, allow_negative, balance, created_at, updated_at)
SELECT 'mch_bench:merchant_pending:CNY:test#' || s, 'mch_bench', 'merchant_pending', 'CNY', false, false, 0, now(), now()
FROM generate_series(0, 15) AS s;
COMMIT;
-- Only the seeded tables: the others stay unanalysed, as on a freshly
-- migrated gateway database, so the planner reaches their rows by key
-- rather than trusting an empty table's statistics and scanning.
ANALYZE merchants, webhook_endpoints, wallets, ledger_accounts;
