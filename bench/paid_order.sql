-- The floor: the least SQL a paid order needs on Scanpay's own schema, as
-- one pgbench transaction (run with -M prepared on a database seeded by
-- floor_seed.sql). Three commits, as the issue counts them:
--   1. the order, inserted and committed alone (create order);
--   2. the payment, one transaction: the order's compare-and-set from
--      pending to paid (with the expiry), the payment row, the order.paid
--      event with a payload of the real one's size (~760 bytes), its one
--      delivery, the ledger posting as one two-row balance update (the
--      payer's wallet and a random stripe of the merchant's pending
--      balance; the fee leg is left out, as the issue's floor leaves it)
--      and its two entries;
--   3. the delivery's outcome, committed alone.
-- pgbench reads ":name" as a variable even inside a string literal, so the
-- payload writes ": false" and ": null" with a space, and account ids are
-- joined with concat_ws.
-- What the gateway adds on top (API-key and merchant reads, idempotency
-- records, the wallet's freeze check, the dispatcher's claim, the attempt
-- log, a third ledger row) is what the comparison measures.
\set r random(1, 9000000000000000000)
\set amount random(100, 19999)
\set stripe random(0, 15)

INSERT INTO orders (id, merchant_id, livemode, status, amount, currency, description, reference, metadata,
    qr_format, qr_code, qr_payload, expires_at, created_at, updated_at)
VALUES ('ord_' || :r, 'mch_bench', false, 'pending', :amount, 'CNY', '', NULL, '{}',
    'url', 'qr' || :r, 'http://127.0.0.1:8080/q/qr' || :r, now() + interval '15 minutes', now(), now());

BEGIN;
UPDATE orders SET status = 'paid', amount_paid = :amount, paid_at = now(), updated_at = now()
WHERE id = 'ord_' || :r AND status = 'pending' AND expires_at > now();
INSERT INTO payments (id, order_id, merchant_id, livemode, wallet_id, amount, currency, fee, created_at)
VALUES ('pay_' || :r, 'ord_' || :r, 'mch_bench', false, 'wal_bench_' || :client_id, :amount, 'CNY', 0, now());
INSERT INTO events (id, merchant_id, livemode, type, order_id, payload, created_at)
SELECT 'evt_' || v.r, 'mch_bench', false, 'order.paid', 'ord_' || v.r,
    '{"id":"evt_' || v.r || '","object":"event","type":"order.paid","created_at":"' || v.at || '","livemode": false,'
    || '"data":{"object":{"id":"ord_' || v.r || '","object":"order","livemode": false,"status":"paid","amount":' || v.amount
    || ',"currency":"CNY","description":"","reference": null,"metadata":{},"amount_discount":0,"amount_paid":' || v.amount
    || ',"amount_refunded":0,"fee":0,"qr":{"format":"url","payload":"http://127.0.0.1:8080/q/qr' || v.r
    || '","image_url":"http://127.0.0.1:8080/v1/orders/ord_' || v.r || '/qr.png"},"checkout_url":"http://127.0.0.1:8080/pay/ord_' || v.r
    || '","expires_at":"' || v.at || '","paid_at":"' || v.at || '","created_at":"' || v.at || '"}}}',
    now()
FROM (SELECT CAST(:r AS text) AS r, CAST(:amount AS text) AS amount, CAST(now() AS text) AS at) AS v;
INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
VALUES ('evt_' || :r, 'we_bench', 'pending', 0, now(), now(), now());
UPDATE ledger_accounts AS a SET balance = a.balance + p.amount, updated_at = now()
FROM (VALUES (concat_ws(':', 'wal_bench_' || :client_id, 'wallet', 'CNY', 'test'), -CAST(:amount AS bigint)),
             (concat_ws(':', 'mch_bench', 'merchant_pending', 'CNY', 'test#' || :stripe), CAST(:amount AS bigint))) AS p (id, amount)
WHERE a.id = p.id;
INSERT INTO ledger_entries (id, txn_id, account_id, amount, currency, kind, reference, created_at)
SELECT 'le_' || v.r || 'a', 'ltx_' || v.r, concat_ws(':', 'wal_bench_' || v.c, 'wallet', 'CNY', 'test'), -v.amount, 'CNY', 'payment', 'pay_' || v.r, now()
FROM (SELECT CAST(:r AS text) AS r, CAST(:client_id AS text) AS c, CAST(:amount AS bigint) AS amount) AS v
UNION ALL
SELECT 'le_' || v.r || 'b', 'ltx_' || v.r, concat_ws(':', 'mch_bench', 'merchant_pending', 'CNY', 'test#' || v.s), v.amount, 'CNY', 'payment', 'pay_' || v.r, now()
FROM (SELECT CAST(:r AS text) AS r, CAST(:stripe AS text) AS s, CAST(:amount AS bigint) AS amount) AS v;
COMMIT;

UPDATE webhook_deliveries SET status = 'delivered', attempts = 1, claim_token = NULL, last_error = NULL, updated_at = now()
WHERE event_id = 'evt_' || :r AND endpoint_id = 'we_bench';
