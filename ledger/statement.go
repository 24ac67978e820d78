package ledger

import (
	"fmt"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Balance transaction types: what a line of a merchant's statement is.
const (
	LinePayment         = "payment"
	LineRefund          = "refund"
	LineCouponFunding   = "coupon_funding"
	LineCashbackFunding = "cashback_funding"
	LinePayout          = "payout"
	LinePayoutFailure   = "payout_failure"
	LineAdjustment      = "adjustment"
)

// Line is one line of a merchant's statement (a balance transaction):
// what a posting did to its money, as the merchant reads it. Its net is
// Gross - Fee. A posting's lines on an account must add up to exactly
// what the posting moves on it; Post refuses it otherwise.
type Line struct {
	Account   Account // the merchant's pending or available balance
	Type      string
	Source    string // the business object: pay_..., re_..., cb_..., po_...
	OrderID   string
	Reference string // the merchant's own order number
	Gross     int64
	Fee       int64
	// Payout is the payout that carries the line's money to the bank,
	// when one already does as the line is written.
	Payout string
	// AvailableOn is the merchant's business day (YYYY-MM-DD) the line's
	// money is available from, for a line on the available balance; a
	// pending line's is known only once it settles.
	AvailableOn string
}

// Net is what the line adds to the merchant's balance.
func (l Line) Net() int64 { return l.Gross - l.Fee }

// statemented reports whether movements of a kind must be explained by
// lines: a merchant's own balances.
func (k Kind) statemented() bool { return k == MerchantPending || k == MerchantAvailable }

// SettlementKind is the posting kind that moves a merchant's pending money
// to available without lines of its own: it makes existing lines
// available instead.
const SettlementKind = "settlement"

type lineRow struct {
	ID          string
	TxnID       string
	MerchantID  string
	Livemode    bool
	Currency    string
	Type        string
	Source      string
	OrderID     *string
	Reference   *string
	Gross       int64
	Fee         int64
	Net         int64
	Status      string
	PayoutID    *string
	AvailableOn *string
	CreatedAt   time.Time
}

func (lineRow) TableName() string { return "balance_transactions" }

// checkLines holds t's lines against its legs: every leg on a statemented
// account is what its lines add up to, and every line is on such an
// account of the posting's currency and mode.
func (t Transaction) checkLines(legs []Entry) error {
	sums := map[Account]int64{}
	for _, l := range t.Lines {
		if !l.Account.Kind.statemented() || l.Type == "" || l.Source == "" {
			return fmt.Errorf("ledger: %s posting for %q: a line on %s, of type %q, from %q", t.Kind, t.Reference, l.Account.ID(), l.Type, l.Source)
		}
		sums[l.Account] += l.Net()
	}
	for _, leg := range legs {
		if !leg.Account.Kind.statemented() || t.Kind == SettlementKind {
			continue
		}
		if sums[leg.Account] != leg.Amount {
			return fmt.Errorf("ledger: %s posting for %q moves %d on %s, but its lines say %d", t.Kind, t.Reference,
				leg.Amount, leg.Account.ID(), sums[leg.Account])
		}
		delete(sums, leg.Account)
	}
	for a, net := range sums {
		if net != 0 {
			return fmt.Errorf("ledger: %s posting for %q has lines of %d on %s, which it does not move", t.Kind, t.Reference, net, a.ID())
		}
	}
	return nil
}

// deferLines writes t's lines as balance transactions (storage.Defer).
func (t Transaction) deferLines(tx *gorm.DB) error {
	if len(t.Lines) == 0 {
		return nil
	}
	rows := make([]lineRow, len(t.Lines))
	for i, l := range t.Lines {
		status := "available"
		if l.Account.Kind == MerchantPending {
			status = "pending"
		}
		rows[i] = lineRow{ID: scanpay.NewID("btx"), TxnID: t.ID, MerchantID: l.Account.Owner, Livemode: l.Account.Livemode,
			Currency: l.Account.Currency, Type: l.Type, Source: l.Source, OrderID: optional(l.OrderID),
			Reference: optional(l.Reference), Gross: l.Gross, Fee: l.Fee, Net: l.Net(), Status: status,
			PayoutID: optional(l.Payout), AvailableOn: optional(l.AvailableOn), CreatedAt: t.CreatedAt}
	}
	w, err := storage.Insert(tx, &rows, nil)
	if err != nil {
		return err
	}
	return storage.Defer(tx, w)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
