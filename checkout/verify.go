package checkout

import (
	"fmt"

	"github.com/scanpay/scanpay/ledger"
)

// LedgerChecks are the invariants that tie checkout's own tables to the
// ledger, for ledger.Verify (scanpay ledger verify runs them):
//
//   - every campaign's counters equal its coupons: redeemed counts the
//     coupons used, amount_redeemed their discounts less what refunds gave
//     back to the funder;
//   - the platform's marketing account, per currency and mode, has paid
//     exactly the discounts and cashback of platform campaigns, less what
//     refunds gave back to it;
//   - every cashback is its pending, credited and reversed parts, and its
//     status agrees; the cashback pending account holds exactly the
//     pending parts; every wallet's cashback debt is what refunds could not
//     take back less what later cashback repaid; every cashback campaign
//     has given exactly its cashbacks net of reversals.
func LedgerChecks() []ledger.Check {
	return []ledger.Check{
		{
			Query: `SELECT cc.id, cc.redeemed, cc.amount_redeemed,
	COALESCE(u.used, 0) AS used, COALESCE(u.discounts, 0) - COALESCE(b.reversed, 0) AS net
FROM coupon_campaigns cc
LEFT JOIN (SELECT campaign_id, COUNT(*) AS used, SUM(discount) AS discounts FROM coupons
	WHERE status = 'redeemed' GROUP BY campaign_id) u ON u.campaign_id = cc.id
LEFT JOIN (SELECT o.promotion_campaign_id AS campaign_id, SUM(r.amount_discount_reversed) AS reversed
	FROM refunds r JOIN orders o ON o.id = r.order_id GROUP BY o.promotion_campaign_id) b ON b.campaign_id = cc.id
WHERE cc.redeemed <> COALESCE(u.used, 0) OR cc.amount_redeemed <> COALESCE(u.discounts, 0) - COALESCE(b.reversed, 0)
ORDER BY cc.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("coupon campaign %v: redeemed %v and amount_redeemed %v, but its coupons say %v and %v",
					r["id"], r["redeemed"], r["amount_redeemed"], r["used"], r["net"])
			},
		},
		{
			Query: `SELECT m.currency, m.livemode, m.balance, COALESCE(d.funded, 0) + COALESCE(c.funded, 0) AS funded
FROM (SELECT currency, livemode, SUM(balance) AS balance FROM ledger_accounts WHERE kind = ?
	GROUP BY currency, livemode) m
LEFT JOIN (SELECT o.currency, o.livemode, SUM(o.amount_discount) - COALESCE(SUM(r.reversed), 0) AS funded
	FROM orders o LEFT JOIN (SELECT order_id, SUM(amount_discount_reversed) AS reversed FROM refunds GROUP BY order_id) r
		ON r.order_id = o.id
	WHERE o.promotion_funding = ? GROUP BY o.currency, o.livemode) d
	ON d.currency = m.currency AND d.livemode = m.livemode
LEFT JOIN (SELECT currency, livemode, SUM(amount - amount_reversed) AS funded FROM cashbacks
	WHERE funding = ? GROUP BY currency, livemode) c
	ON c.currency = m.currency AND c.livemode = m.livemode
WHERE m.balance <> -(COALESCE(d.funded, 0) + COALESCE(c.funded, 0))
ORDER BY m.currency, m.livemode`,
			Args: []any{string(ledger.PlatformMarketing), FundingPlatform, FundingPlatform},
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("platform marketing %v (livemode %v): balance %v, but the platform's discounts and cashback net of refunds come to %v",
					r["currency"], r["livemode"], r["balance"], r["funded"])
			},
		},
		{
			Query: `SELECT id, amount, amount_pending, amount_credited, amount_reversed, status FROM cashbacks
WHERE amount <> amount_pending + amount_credited + amount_reversed
	OR (status = 'pending') <> (amount_pending > 0) OR (status = 'reversed') <> (amount_reversed = amount)
ORDER BY id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("cashback %v (%v): %v is not %v pending + %v credited + %v reversed as its status says",
					r["id"], r["status"], r["amount"], r["amount_pending"], r["amount_credited"], r["amount_reversed"])
			},
		},
		{
			Query: `SELECT a.currency, a.livemode, a.balance, COALESCE(c.pending, 0) AS pending
FROM (SELECT currency, livemode, SUM(balance) AS balance FROM ledger_accounts WHERE kind = ? GROUP BY currency, livemode) a
LEFT JOIN (SELECT currency, livemode, SUM(amount_pending) AS pending FROM cashbacks GROUP BY currency, livemode) c
	ON c.currency = a.currency AND c.livemode = a.livemode
WHERE a.balance <> COALESCE(c.pending, 0)
ORDER BY a.currency, a.livemode`,
			Args: []any{string(ledger.CashbackPending)},
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("cashback pending %v (livemode %v): balance %v, but the cashbacks held come to %v",
					r["currency"], r["livemode"], r["balance"], r["pending"])
			},
		},
		{
			Query: `SELECT a.owner, a.currency, a.balance, COALESCE(c.owed, 0) AS owed
FROM (SELECT owner, currency, livemode, SUM(balance) AS balance FROM ledger_accounts WHERE kind = ?
	GROUP BY owner, currency, livemode) a
LEFT JOIN (SELECT wallet_id, currency, livemode, SUM(amount_to_debt) - SUM(amount_netted) AS owed FROM cashbacks
	GROUP BY wallet_id, currency, livemode) c
	ON c.wallet_id = a.owner AND c.currency = a.currency AND c.livemode = a.livemode
WHERE a.balance <> -COALESCE(c.owed, 0)
ORDER BY a.owner, a.currency`,
			Args: []any{string(ledger.CashbackDebt)},
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("cashback debt of %v in %v: balance %v, but its cashbacks say it owes %v",
					r["owner"], r["currency"], r["balance"], r["owed"])
			},
		},
		{
			Query: `SELECT cc.id, cc.amount_given, COALESCE(c.given, 0) AS given FROM cashback_campaigns cc
LEFT JOIN (SELECT campaign_id, SUM(amount - amount_reversed) AS given FROM cashbacks GROUP BY campaign_id) c
	ON c.campaign_id = cc.id
WHERE cc.amount_given <> COALESCE(c.given, 0)
ORDER BY cc.id`,
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("cashback campaign %v: amount_given %v, but its cashbacks net of reversals come to %v",
					r["id"], r["amount_given"], r["given"])
			},
		},
	}
}
