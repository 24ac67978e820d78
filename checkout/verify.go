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
//     exactly the discounts of platform campaigns, less what refunds gave
//     back to it.
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
			Query: `SELECT m.currency, m.livemode, m.balance, COALESCE(d.funded, 0) AS funded
FROM (SELECT currency, livemode, SUM(balance) AS balance FROM ledger_accounts WHERE kind = ?
	GROUP BY currency, livemode) m
LEFT JOIN (SELECT o.currency, o.livemode, SUM(o.amount_discount) - COALESCE(SUM(r.reversed), 0) AS funded
	FROM orders o LEFT JOIN (SELECT order_id, SUM(amount_discount_reversed) AS reversed FROM refunds GROUP BY order_id) r
		ON r.order_id = o.id
	WHERE o.promotion_funding = ? GROUP BY o.currency, o.livemode) d
	ON d.currency = m.currency AND d.livemode = m.livemode
WHERE m.balance <> -COALESCE(d.funded, 0)
ORDER BY m.currency, m.livemode`,
			Args: []any{string(ledger.PlatformMarketing), FundingPlatform},
			Describe: func(r map[string]any) string {
				return fmt.Sprintf("platform marketing %v (livemode %v): balance %v, but platform-funded discounts net of refunds come to %v",
					r["currency"], r["livemode"], r["balance"], r["funded"])
			},
		},
	}
}
