package settlement

import (
	"fmt"

	"github.com/scanpay/scanpay/ledger"
)

// LedgerChecks are the invariants that tie settlements and payouts to the
// ledger, for ledger.Verify (scanpay ledger verify runs them):
//
//   - every settlement's count and totals are its balance transactions',
//     which are available, and the merchant's, mode's and currency's;
//   - every settlement's net is what its ledger posting moved from
//     pending to available (nothing when it is zero), and every settlement
//     posting has its settlement;
//   - every payout's status agrees with its postings: pending or in
//     transit, its amount is in transit; paid, it went out through bank
//     clearing; failed, all of it came back to available;
//   - every merchant's in-transit balance is its pending and in-transit
//     payouts;
//   - the balance transactions an automatic payout carries net to zero
//     with its own (they are what it paid out), and no manual payout
//     carries any.
func LedgerChecks() []ledger.Check {
	return []ledger.Check{
		{
			Query: `SELECT s.id, s.count, s.gross, s.fees, s.refunds, s.discounts, s.cashback, s.adjustments, s.net,
	COALESCE(b.n, 0) AS lines, COALESCE(b.net, 0) AS lines_net, COALESCE(b.strays, 0) AS strays
FROM settlements s
LEFT JOIN (SELECT l.settlement_id, COUNT(*) AS n, SUM(l.net) AS net, SUM(l.fee) AS fees,
	SUM(CASE WHEN l.type = 'payment' THEN l.gross ELSE 0 END) AS gross,
	SUM(CASE WHEN l.type = 'refund' THEN l.gross ELSE 0 END) AS refunds,
	SUM(CASE WHEN l.type = 'coupon_funding' THEN l.gross ELSE 0 END) AS discounts,
	SUM(CASE WHEN l.type = 'cashback_funding' THEN l.gross ELSE 0 END) AS cashback,
	SUM(CASE WHEN l.type NOT IN ('payment', 'refund', 'coupon_funding', 'cashback_funding') THEN l.gross ELSE 0 END) AS adjustments,
	SUM(CASE WHEN l.status <> 'available' OR l.merchant_id <> st.merchant_id OR l.livemode <> st.livemode
		OR l.currency <> st.currency OR l.available_on IS NULL OR l.available_on <> st.available_on THEN 1 ELSE 0 END) AS strays
	FROM balance_transactions l JOIN settlements st ON st.id = l.settlement_id GROUP BY l.settlement_id) b
	ON b.settlement_id = s.id
WHERE s.count <> COALESCE(b.n, 0) OR s.net <> COALESCE(b.net, 0) OR s.fees <> COALESCE(b.fees, 0)
	OR s.gross <> COALESCE(b.gross, 0) OR s.refunds <> COALESCE(b.refunds, 0) OR s.discounts <> COALESCE(b.discounts, 0)
	OR s.cashback <> COALESCE(b.cashback, 0) OR s.adjustments <> COALESCE(b.adjustments, 0) OR COALESCE(b.strays, 0) > 0
ORDER BY s.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("settlement %v: %v lines netting %v (gross %v, fees %v, refunds %v, discounts %v, cashback %v, adjustments %v), but its balance transactions are %v netting %v, %v of them not its own or not available on its day",
					r["id"], r["count"], r["net"], r["gross"], r["fees"], r["refunds"], r["discounts"], r["cashback"], r["adjustments"],
					r["lines"], r["lines_net"], r["strays"])
			},
		},
		{
			Query: `SELECT l.id, l.settlement_id FROM balance_transactions l LEFT JOIN settlements s ON s.id = l.settlement_id
WHERE l.settlement_id IS NOT NULL AND s.id IS NULL ORDER BY l.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("balance transaction %v names settlement %v, which does not exist", r["id"], r["settlement_id"])
			},
		},
		{
			Query: `SELECT s.id, s.net, COALESCE(e.available, 0) AS available, COALESCE(e.pending, 0) AS pending
FROM settlements s
LEFT JOIN (SELECT le.reference,
	SUM(CASE WHEN a.kind = 'merchant_available' THEN le.amount ELSE 0 END) AS available,
	SUM(CASE WHEN a.kind = 'merchant_pending' THEN le.amount ELSE 0 END) AS pending
	FROM ledger_entries le JOIN ledger_accounts a ON a.id = le.account_id
	WHERE le.kind = 'settlement' GROUP BY le.reference) e ON e.reference = s.id
WHERE s.net <> COALESCE(e.available, 0) OR s.net <> -COALESCE(e.pending, 0)
ORDER BY s.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("settlement %v nets %v, but its posting moved %v to available and %v on pending",
					r["id"], r["net"], r["available"], r["pending"])
			},
		},
		{
			Query: `SELECT DISTINCT le.txn_id, le.reference FROM ledger_entries le LEFT JOIN settlements s ON s.id = le.reference
WHERE le.kind = 'settlement' AND s.id IS NULL ORDER BY le.txn_id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("settlement posting %v names %v, which is no settlement", r["txn_id"], r["reference"])
			},
		},
		{
			Query: `SELECT p.id, p.status, p.amount, COALESCE(e.available, 0) AS available,
	COALESCE(e.in_transit, 0) AS in_transit, COALESCE(e.clearing, 0) AS clearing
FROM payouts p
LEFT JOIN (SELECT le.reference,
	SUM(CASE WHEN a.kind = 'merchant_available' THEN le.amount ELSE 0 END) AS available,
	SUM(CASE WHEN a.kind = 'merchant_in_transit' THEN le.amount ELSE 0 END) AS in_transit,
	SUM(CASE WHEN a.kind = 'bank_clearing' THEN le.amount ELSE 0 END) AS clearing
	FROM ledger_entries le JOIN ledger_accounts a ON a.id = le.account_id
	WHERE le.kind IN ('payout', 'payout_paid', 'payout_failure') GROUP BY le.reference) e ON e.reference = p.id
WHERE NOT (
	(p.status IN ('pending', 'in_transit') AND COALESCE(e.available, 0) = -p.amount AND COALESCE(e.in_transit, 0) = p.amount AND COALESCE(e.clearing, 0) = 0)
	OR (p.status = 'paid' AND COALESCE(e.available, 0) = -p.amount AND COALESCE(e.in_transit, 0) = 0 AND COALESCE(e.clearing, 0) = p.amount)
	OR (p.status = 'failed' AND COALESCE(e.available, 0) = 0 AND COALESCE(e.in_transit, 0) = 0 AND COALESCE(e.clearing, 0) = 0))
ORDER BY p.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("payout %v is %v with %v, but its postings moved %v on available, %v on in transit and %v on bank clearing",
					r["id"], r["status"], r["amount"], r["available"], r["in_transit"], r["clearing"])
			},
		},
		{
			Query: `SELECT a.owner, a.currency, a.livemode, a.balance, COALESCE(p.amount, 0) AS payouts
FROM (SELECT owner, currency, livemode, SUM(balance) AS balance FROM ledger_accounts WHERE kind = ?
	GROUP BY owner, currency, livemode) a
LEFT JOIN (SELECT merchant_id, currency, livemode, SUM(amount) AS amount FROM payouts
	WHERE status IN ('pending', 'in_transit') GROUP BY merchant_id, currency, livemode) p
	ON p.merchant_id = a.owner AND p.currency = a.currency AND p.livemode = a.livemode
WHERE a.balance <> COALESCE(p.amount, 0)
ORDER BY a.owner, a.currency`,
			Args: []any{string(ledger.MerchantInTransit)},
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("merchant %v: %v in transit %v, but its pending and in-transit payouts come to %v",
					r["owner"], r["currency"], r["balance"], r["payouts"])
			},
		},
		{
			Query: `SELECT l.payout_id, p.automatic_date, SUM(l.net) AS net,
	SUM(CASE WHEN l.status <> 'available' OR l.merchant_id <> p.merchant_id OR l.currency <> p.currency OR l.livemode <> p.livemode THEN 1 ELSE 0 END) AS strays
FROM balance_transactions l LEFT JOIN payouts p ON p.id = l.payout_id
WHERE l.payout_id IS NOT NULL
GROUP BY l.payout_id, p.automatic_date
HAVING SUM(l.net) <> 0 OR p.automatic_date IS NULL
	OR SUM(CASE WHEN l.status <> 'available' OR l.merchant_id <> p.merchant_id OR l.currency <> p.currency OR l.livemode <> p.livemode THEN 1 ELSE 0 END) > 0
ORDER BY l.payout_id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("payout %v (automatic on %v) carries balance transactions netting %v with its own, not 0, %v of them not its merchant's available money",
					r["payout_id"], r["automatic_date"], r["net"], r["strays"])
			},
		},
	}
}
