package checkout

import (
	"context"
	"math/bits"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Cashback statuses.
const (
	CashbackPending  = "pending"
	CashbackCredited = "credited"
	CashbackReversed = "reversed"
)

// Cashback is part of a payment given back to the payer: held until
// available_at, then credited to their wallet. Amount is always
// AmountPending + AmountCredited + AmountReversed.
type Cashback struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	Livemode       bool   `json:"livemode"`
	Campaign       string `json:"campaign"`
	Funding        string `json:"funding"`
	Order          string `json:"order"`
	Payment        string `json:"payment"`
	Currency       string `json:"currency"`
	Amount         int64  `json:"amount"`
	AmountPending  int64  `json:"amount_pending"`
	AmountCredited int64  `json:"amount_credited"`
	AmountReversed int64  `json:"amount_reversed"`
	// AmountToDebt is what refunds took back that the wallet could not
	// cover; AmountNetted what this cashback's credit repaid of the
	// wallet's debt instead of reaching its balance.
	AmountToDebt int64      `json:"amount_to_debt"`
	AmountNetted int64      `json:"amount_netted"`
	Status       string     `json:"status"`
	AvailableAt  time.Time  `json:"available_at"`
	CreditedAt   *time.Time `json:"credited_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

type cashbackRow struct {
	ID             string
	CampaignID     string
	Funding        string
	WalletID       string
	MerchantID     string
	OrderID        string
	PaymentID      string
	Livemode       bool
	Currency       string
	Amount         int64
	AmountPending  int64
	AmountCredited int64
	AmountReversed int64
	AmountToDebt   int64
	AmountNetted   int64
	Status         string
	AvailableAt    time.Time
	CreditedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (cashbackRow) TableName() string { return "cashbacks" }

func (r cashbackRow) toCashback() Cashback {
	return Cashback{ID: r.ID, Object: "cashback", Livemode: r.Livemode, Campaign: r.CampaignID, Funding: r.Funding,
		Order: r.OrderID, Payment: r.PaymentID, Currency: r.Currency, Amount: r.Amount, AmountPending: r.AmountPending,
		AmountCredited: r.AmountCredited, AmountReversed: r.AmountReversed, AmountToDebt: r.AmountToDebt,
		AmountNetted: r.AmountNetted, Status: r.Status, AvailableAt: r.AvailableAt, CreditedAt: r.CreditedAt, CreatedAt: r.CreatedAt}
}

// funder is the account a cashback is paid from and given back to.
func (r cashbackRow) funder() ledger.Account {
	if r.Funding == FundingPlatform {
		return ledger.PlatformMarketingAccount(r.Currency, r.Livemode)
	}
	return ledger.MerchantPendingAccount(r.MerchantID, r.Currency, r.Livemode)
}

// cashbackCampaignsSQL, as columns of the payment's read of its order, finds
// the one merchant and the one platform cashback campaign that apply to it
// (the newest active of each), so that a payment with none costs nothing
// more. Its arguments are the time, four times.
const cashbackCampaignsSQL = `,
	(SELECT c.id FROM cashback_campaigns c WHERE c.funding = 'merchant' AND c.merchant_id = orders.merchant_id
		AND c.livemode = orders.livemode AND c.currency = orders.currency AND c.status = 'active'
		AND c.amount_given < c.budget_amount AND (c.starts_at IS NULL OR c.starts_at <= ?) AND (c.ends_at IS NULL OR c.ends_at > ?)
		ORDER BY c.id DESC LIMIT 1) AS merchant_cashback,
	(SELECT c.id FROM cashback_campaigns c WHERE c.funding = 'platform'
		AND c.livemode = orders.livemode AND c.currency = orders.currency AND c.status = 'active'
		AND c.amount_given < c.budget_amount AND (c.starts_at IS NULL OR c.starts_at <= ?) AND (c.ends_at IS NULL OR c.ends_at > ?)
		ORDER BY c.id DESC LIMIT 1) AS platform_cashback`

// payableOrder is the payment's read of its order, with the cashback
// campaigns that apply.
type payableOrder struct {
	Order            orderRow `gorm:"embedded"`
	MerchantCashback *string
	PlatformCashback *string
}

// cashbackEarned is what a campaign would give for a payment of paid: rate
// × paid rounded down, within max_per_payment, and for a merchant campaign
// no more than the merchant's proceeds (paid less fee); zero under
// min_spend.
func (r cashbackCampaignRow) cashbackEarned(paid, fee int64) int64 {
	if paid < r.MinSpend {
		return 0
	}
	hi, lo := bits.Mul64(uint64(paid), uint64(r.RateBPS))
	q, _ := bits.Div64(hi, lo, 10000)
	x := int64(q)
	if r.MaxPerPayment != nil {
		x = min(x, *r.MaxPerPayment)
	}
	if r.Funding == FundingMerchant {
		x = min(x, paid-fee)
	}
	return max(x, 0)
}

// grantCashback gives the payer of o cashback from one campaign, inside
// the payment's transaction: the wallet's cap and the campaign's budget
// are each taken by one statement that grants what is left of them at
// most, so no concurrency passes either, and the budget runs out at
// exactly its amount. It returns the cashback (nil when nothing is left
// to give) and adds its funding to posting.
func (s *Service) grantCashback(tx *gorm.DB, campaignID string, o orderRow, walletID, paymentID string, posting *ledger.Transaction, now time.Time) (*cashbackRow, error) {
	var c cashbackCampaignRow
	if err := tx.Where("id = ?", campaignID).Take(&c).Error; err != nil {
		return nil, err
	}
	want := c.cashbackEarned(o.AmountPaid, o.Fee)
	if want == 0 {
		return nil, nil
	}
	if c.MaxPerWallet != nil {
		var granted []int64
		err := tx.Raw(`INSERT INTO cashback_wallet_totals (campaign_id, wallet_id, amount, last_grant)
VALUES (?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT))
ON CONFLICT (campaign_id, wallet_id) DO UPDATE SET
	last_grant = CASE WHEN excluded.amount < ? - cashback_wallet_totals.amount THEN excluded.amount ELSE ? - cashback_wallet_totals.amount END,
	amount = cashback_wallet_totals.amount + CASE WHEN excluded.amount < ? - cashback_wallet_totals.amount THEN excluded.amount ELSE ? - cashback_wallet_totals.amount END
WHERE cashback_wallet_totals.amount < ?
RETURNING last_grant`, c.ID, walletID, min(want, *c.MaxPerWallet), min(want, *c.MaxPerWallet),
			*c.MaxPerWallet, *c.MaxPerWallet, *c.MaxPerWallet, *c.MaxPerWallet, *c.MaxPerWallet).Scan(&granted).Error
		if err != nil {
			return nil, err
		}
		if len(granted) == 0 || granted[0] == 0 {
			return nil, nil
		}
		want = granted[0]
	}
	var granted []int64
	err := tx.Raw(`UPDATE cashback_campaigns SET
	last_grant = CASE WHEN CAST(? AS BIGINT) < budget_amount - amount_given THEN CAST(? AS BIGINT) ELSE budget_amount - amount_given END,
	amount_given = amount_given + CASE WHEN CAST(? AS BIGINT) < budget_amount - amount_given THEN CAST(? AS BIGINT) ELSE budget_amount - amount_given END,
	updated_at = ?
WHERE id = ? AND status = ? AND amount_given < budget_amount
	AND (starts_at IS NULL OR starts_at <= ?) AND (ends_at IS NULL OR ends_at > ?)
RETURNING last_grant`, want, want, want, want, now, c.ID, CampaignActive, now, now).Scan(&granted).Error
	if err != nil {
		return nil, err
	}
	got := int64(0)
	if len(granted) == 1 {
		got = granted[0]
	}
	if got < want && c.MaxPerWallet != nil {
		// The budget gave less than the wallet's cap made room for.
		if err := tx.Exec(`UPDATE cashback_wallet_totals SET amount = amount - ? WHERE campaign_id = ? AND wallet_id = ?`,
			want-got, c.ID, walletID).Error; err != nil {
			return nil, err
		}
	}
	if got == 0 {
		return nil, nil
	}
	cb := cashbackRow{ID: scanpay.NewID("cb"), CampaignID: c.ID, Funding: c.Funding, WalletID: walletID,
		MerchantID: o.MerchantID, OrderID: o.ID, PaymentID: paymentID, Livemode: o.Livemode, Currency: o.Currency,
		Amount: got, AmountPending: got, Status: CashbackPending, AvailableAt: now.AddDate(0, 0, c.HoldDays),
		CreatedAt: now, UpdatedAt: now}
	if err := storage.DeferInsert(tx, &cb, nil); err != nil {
		return nil, err
	}
	posting.Move(cb.funder(), ledger.CashbackPendingAccount(cb.Currency, cb.Livemode), got)
	if cb.Funding == FundingMerchant {
		posting.Line(o.line(cb.funder(), ledger.LineCashbackFunding, cb.ID, -got, 0))
	}
	_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.CashbackCreated, MerchantID: o.MerchantID, Livemode: o.Livemode,
		OrderID: o.ID, Object: cb.toCashback(), CreatedAt: now})
	return &cb, err
}

// CashbackReversal is what cashback.reversed reports of one refund's
// share of a cashback: how much was reversed, and of a credited one how
// much was taken back from the wallet and how much became its debt.
type CashbackReversal struct {
	Cashback         Cashback `json:"cashback"`
	Refund           string   `json:"refund"`
	AmountReversed   int64    `json:"amount_reversed"`
	AmountTakenBack  int64    `json:"amount_taken_back"`
	AmountToDebt     int64    `json:"amount_to_debt"`
	FromPendingFunds bool     `json:"from_pending"`
}

// reverseCashback takes back, in the refund's transaction, the share of
// each of the order's cashbacks that the refund's share of the price is;
// the refund that completes the order takes back exactly the rest. Held
// cashback is reduced; credited cashback is taken back from the wallet,
// whose balance (after the refund reached it) never goes below zero, and
// what it cannot cover becomes the wallet's debt. The funder gets the
// share back, and the campaign's budget and the wallet's cap are restored
// by it. Movements are added to posting.
func (s *Service) reverseCashback(tx *gorm.DB, o orderRow, r refundRow, completes bool, posting *ledger.Transaction, now time.Time) error {
	q := tx.Where("order_id = ? AND status <> ?", o.ID, CashbackReversed).Order("id")
	if storage.DialectOf(tx) == storage.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var cashbacks []cashbackRow
	if err := q.Find(&cashbacks).Error; err != nil {
		return err
	}
	// What the wallet held before this refund, read (and locked) when a
	// credited cashback first needs it: all of an order's cashbacks are
	// its one payer's. The refund itself reaches the payer whole; what the
	// wallet held cannot cover is the payer's debt, repaid from their
	// later cashback.
	var walletLeft int64
	walletRead := false
	for _, cb := range cashbacks {
		share := cb.Amount - cb.AmountReversed
		if !completes {
			share = min(merchant.FeeShare(cb.Amount, r.Amount, o.Amount), share)
		}
		if share == 0 {
			continue
		}
		rev := CashbackReversal{Refund: r.ID, AmountReversed: share, FromPendingFunds: cb.AmountPending > 0}
		if cb.AmountPending > 0 {
			posting.Move(ledger.CashbackPendingAccount(cb.Currency, cb.Livemode), cb.funder(), share)
			cb.AmountPending -= share
		} else {
			wallet := ledger.WalletAccount(cb.WalletID, cb.Currency, cb.Livemode)
			if !walletRead {
				balance, err := ledger.LockedBalance(tx, wallet)
				if err != nil {
					return err
				}
				walletLeft, walletRead = balance, true
			}
			rev.AmountTakenBack = min(share, max(walletLeft, 0))
			rev.AmountToDebt = share - rev.AmountTakenBack
			walletLeft -= rev.AmountTakenBack
			posting.Move(wallet, cb.funder(), rev.AmountTakenBack)
			posting.Move(ledger.CashbackDebtAccount(cb.WalletID, cb.Currency, cb.Livemode), cb.funder(), rev.AmountToDebt)
			cb.AmountCredited -= share
			cb.AmountToDebt += rev.AmountToDebt
		}
		if cb.Funding == FundingMerchant {
			posting.Line(o.line(cb.funder(), ledger.LineCashbackFunding, cb.ID, share, 0))
		}
		cb.AmountReversed += share
		if cb.AmountReversed == cb.Amount {
			cb.Status = CashbackReversed
		}
		cb.UpdatedAt = now
		err := tx.Model(&cashbackRow{}).Where("id = ?", cb.ID).Updates(map[string]any{
			"amount_pending": cb.AmountPending, "amount_credited": cb.AmountCredited, "amount_reversed": cb.AmountReversed,
			"amount_to_debt": cb.AmountToDebt, "status": cb.Status, "updated_at": now}).Error
		if err != nil {
			return err
		}
		for _, w := range []storage.Write{
			{SQL: `UPDATE cashback_campaigns SET amount_given = amount_given - ?, updated_at = ? WHERE id = ?`, Args: []any{share, now, cb.CampaignID}},
			{SQL: `UPDATE cashback_wallet_totals SET amount = amount - ? WHERE campaign_id = ? AND wallet_id = ?`, Args: []any{share, cb.CampaignID, cb.WalletID}},
		} {
			if err := storage.Defer(tx, w); err != nil {
				return err
			}
		}
		rev.Cashback = cb.toCashback()
		if _, err := webhooks.Emit(tx, webhooks.Event{Type: webhooks.CashbackReversed, MerchantID: o.MerchantID,
			Livemode: o.Livemode, OrderID: o.ID, Object: rev, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseCashback credits every cashback whose hold has passed by at to
// its payer's wallet, each in a transaction of its own: a compare-and-set
// from pending to credited, so any number of gateway processes (and the
// command line) can run it at once and none is credited twice; the
// wallet's cashback debt is repaid from it first; cashback.credited goes
// to the outbox. It returns how many it credited.
func (s *Service) ReleaseCashback(ctx context.Context, at time.Time) (int, error) {
	released := 0
	for {
		var due []cashbackRow
		err := s.db.WithContext(ctx).Where("status = ? AND available_at <= ?", CashbackPending, at).
			Order("available_at").Limit(100).Find(&due).Error
		if err != nil || len(due) == 0 {
			return released, err
		}
		for _, cb := range due {
			ok, err := s.release(ctx, cb)
			if err != nil {
				return released, err
			}
			if ok {
				released++
			}
		}
		if len(due) < 100 {
			return released, nil
		}
	}
}

func (s *Service) release(ctx context.Context, cb cashbackRow) (bool, error) {
	released, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (bool, error) {
		now := s.now()
		res := tx.Model(&cashbackRow{}).Where("id = ? AND status = ? AND amount_pending = ?", cb.ID, CashbackPending, cb.AmountPending).
			Updates(map[string]any{"status": CashbackCredited, "amount_credited": gorm.Expr("amount_credited + amount_pending"),
				"amount_pending": 0, "credited_at": now, "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return false, res.Error // credited, or reversed, meanwhile
		}
		debt := ledger.CashbackDebtAccount(cb.WalletID, cb.Currency, cb.Livemode)
		owed, err := ledger.LockedBalance(tx, debt)
		if err != nil {
			return false, err
		}
		netted := min(cb.AmountPending, max(-owed, 0))
		posting := ledger.Transaction{Kind: "cashback", Reference: cb.ID, CreatedAt: now}
		pending := ledger.CashbackPendingAccount(cb.Currency, cb.Livemode)
		posting.Move(pending, debt, netted)
		posting.Move(pending, ledger.WalletAccount(cb.WalletID, cb.Currency, cb.Livemode), cb.AmountPending-netted)
		if err := ledger.Post(tx, posting); err != nil {
			return false, err
		}
		if netted > 0 {
			if err := storage.Defer(tx, storage.Write{SQL: `UPDATE cashbacks SET amount_netted = ? WHERE id = ?`, Args: []any{netted, cb.ID}}); err != nil {
				return false, err
			}
		}
		cb.Status, cb.AmountCredited, cb.AmountNetted, cb.CreditedAt = CashbackCredited, cb.AmountCredited+cb.AmountPending, netted, &now
		cb.AmountPending = 0
		_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.CashbackCredited, MerchantID: cb.MerchantID, Livemode: cb.Livemode,
			OrderID: cb.OrderID, Object: cb.toCashback(), CreatedAt: now})
		return true, err
	})
	if released {
		s.wake()
	}
	return released, err
}

// GetCashback returns one of the principal's cashbacks (those of its
// orders).
func (s *Service) GetCashback(ctx context.Context, p merchant.Principal, id string) (Cashback, error) {
	row, err := merchant.Find[cashbackRow](ctx, s.db, p, "cashback", id)
	if err != nil {
		return Cashback{}, err
	}
	return row.toCashback(), nil
}

// ListCashbacks returns the principal's cashbacks, of one order when
// orderID is given, newest first.
func (s *Service) ListCashbacks(ctx context.Context, p merchant.Principal, orderID string, limit int, startingAfter string) ([]Cashback, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	if orderID != "" {
		q = q.Where("order_id = ?", orderID)
	}
	return listCashbacks(q, limit, startingAfter)
}

func listCashbacks(q *gorm.DB, limit int, startingAfter string) ([]Cashback, bool, error) {
	rows, more, err := storage.Page[cashbackRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Cashback, len(rows))
	for i, r := range rows {
		out[i] = r.toCashback()
	}
	return out, more, nil
}

// CashbackSummary is a wallet's cashback in one currency: held, credited
// (net of what refunds took back) and owed.
type CashbackSummary struct {
	Currency string `json:"currency"`
	Pending  int64  `json:"pending"`
	Credited int64  `json:"credited"`
	Debt     int64  `json:"debt"`
}

// WalletCashbacks returns the wallet's cashbacks, newest first, and its
// totals per currency.
func (s *Service) WalletCashbacks(ctx context.Context, walletID string, livemode bool, limit int, startingAfter string) ([]Cashback, bool, []CashbackSummary, error) {
	list, more, err := listCashbacks(s.db.WithContext(ctx).Where("wallet_id = ?", walletID), limit, startingAfter)
	if err != nil {
		return nil, false, nil, err
	}
	var totals []CashbackSummary
	err = s.db.WithContext(ctx).Raw(`SELECT currency, SUM(amount_pending) AS pending, SUM(amount_credited) AS credited, 0 AS debt
FROM cashbacks WHERE wallet_id = ? GROUP BY currency ORDER BY currency`, walletID).Scan(&totals).Error
	if err != nil {
		return nil, false, nil, err
	}
	debts, err := ledger.OwnerBalances(ctx, s.db, walletID, ledger.CashbackDebt, livemode)
	if err != nil {
		return nil, false, nil, err
	}
	for _, d := range debts {
		for i := range totals {
			if totals[i].Currency == d.Currency {
				totals[i].Debt = -d.Amount
			}
		}
	}
	if totals == nil {
		totals = []CashbackSummary{}
	}
	return list, more, totals, nil
}

// CashbackOffer is what a campaign would give back for paying an order,
// and when it would become available: shown at scan, before the budget is
// asked.
type CashbackOffer struct {
	Campaign    string    `json:"campaign"`
	Name        string    `json:"name"`
	Funding     string    `json:"funding"`
	Amount      int64     `json:"amount"`
	AvailableAt time.Time `json:"available_at"`
}

// cashbackOffers estimates the cashback paying o would earn, for the scan.
func (s *Service) cashbackOffers(ctx context.Context, o orderRow, now time.Time) ([]CashbackOffer, error) {
	var ids struct {
		MerchantCashback *string
		PlatformCashback *string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT orders.id`+cashbackCampaignsSQL+` FROM orders WHERE orders.id = ?`,
		now, now, now, now, o.ID).Scan(&ids).Error
	if err != nil {
		return nil, err
	}
	offers := []CashbackOffer{}
	for _, id := range []*string{ids.MerchantCashback, ids.PlatformCashback} {
		if id == nil {
			continue
		}
		var c cashbackCampaignRow
		if err := s.db.WithContext(ctx).Where("id = ?", *id).Take(&c).Error; err != nil {
			return nil, err
		}
		fee := merchant.Fee(o.FeeRateBPS, o.Amount)
		if x := min(c.cashbackEarned(o.Amount, fee), c.BudgetAmount-c.AmountGiven); x > 0 {
			offers = append(offers, CashbackOffer{Campaign: c.ID, Name: c.Name, Funding: c.Funding, Amount: x,
				AvailableAt: now.AddDate(0, 0, c.HoldDays)})
		}
	}
	return offers, nil
}
