package settlement

import (
	"context"
	"slices"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
)

// Balance transaction statuses: a line's money is pending until its
// business day settles, available after.
const (
	LinePending   = "pending"
	LineAvailable = "available"
)

// lineTypes are the balance transaction types a list may filter on.
var lineTypes = []string{ledger.LinePayment, ledger.LineRefund, ledger.LineCouponFunding, ledger.LineCashbackFunding,
	ledger.LinePayout, ledger.LinePayoutFailure, ledger.LineAdjustment}

// BalanceTransaction is one line of a merchant's statement: one movement
// of its money, as the ledger posting that moved it wrote it. Net is Gross
// less Fee. AvailableOn is the business day (in the merchant's time zone)
// the money is, or will be, available: a pending line's day plus the
// settlement delay, a settled line's settlement day plus the delay it
// settled with, and a payout's or a payout failure's own day.
type BalanceTransaction struct {
	ID          string    `json:"id"`
	Object      string    `json:"object"`
	Livemode    bool      `json:"livemode"`
	Type        string    `json:"type"`
	Source      string    `json:"source"`
	Order       *string   `json:"order"`
	Reference   *string   `json:"reference"`
	Currency    string    `json:"currency"`
	Gross       int64     `json:"gross"`
	Fee         int64     `json:"fee"`
	Net         int64     `json:"net"`
	Status      string    `json:"status"`
	AvailableOn string    `json:"available_on"`
	Settlement  *string   `json:"settlement"`
	Payout      *string   `json:"payout"`
	CreatedAt   time.Time `json:"created_at"`
}

// lineRow is the balance_transactions table, which ledger.Post writes.
type lineRow struct {
	ID           string
	MerchantID   string
	Livemode     bool
	Currency     string
	Type         string
	Source       string
	OrderID      *string
	Reference    *string
	Gross        int64
	Fee          int64
	Net          int64
	Status       string
	SettlementID *string
	PayoutID     *string
	AvailableOn  *string
	CreatedAt    time.Time
}

func (lineRow) TableName() string { return "balance_transactions" }

// toBalanceTransaction shows r with its available day, which for a line
// still pending follows from m's time zone and delay as they are now.
func (r lineRow) toBalanceTransaction(m merchant.Merchant) BalanceTransaction {
	var on string
	switch {
	case r.AvailableOn != nil:
		on = *r.AvailableOn
	case r.Status == LinePending:
		on = formatDay(dayOf(r.CreatedAt, m.Location()).AddDate(0, 0, m.SettlementDelayDays))
	default:
		on = formatDay(dayOf(r.CreatedAt, m.Location()))
	}
	return BalanceTransaction{ID: r.ID, Object: "balance_transaction", Livemode: r.Livemode, Type: r.Type, Source: r.Source,
		Order: r.OrderID, Reference: r.Reference, Currency: r.Currency, Gross: r.Gross, Fee: r.Fee, Net: r.Net,
		Status: r.Status, AvailableOn: on, Settlement: r.SettlementID, Payout: r.PayoutID, CreatedAt: r.CreatedAt}
}

// BalanceTransactionFilter narrows a list of balance transactions; empty
// fields match everything. Payout matches the payout's own lines (its
// payout, its failure) and, for an automatic payout, the lines it paid out.
type BalanceTransactionFilter struct {
	Type          string
	Settlement    string
	Payout        string
	Limit         int
	StartingAfter string
}

// GetBalanceTransaction returns one of the principal's balance
// transactions, or a not-found error.
func (s *Service) GetBalanceTransaction(ctx context.Context, p merchant.Principal, id string) (BalanceTransaction, error) {
	m, err := s.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return BalanceTransaction{}, err
	}
	row, err := merchant.Find[lineRow](ctx, s.db, p, "balance transaction", id)
	if err != nil {
		return BalanceTransaction{}, err
	}
	return row.toBalanceTransaction(m), nil
}

// ListBalanceTransactions returns the principal's balance transactions,
// newest first, and whether more follow. An unknown type is a
// scanpay.KindInvalid error naming type.
func (s *Service) ListBalanceTransactions(ctx context.Context, p merchant.Principal, f BalanceTransactionFilter) ([]BalanceTransaction, bool, error) {
	m, err := s.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return nil, false, err
	}
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	if f.Type != "" {
		if !slices.Contains(lineTypes, f.Type) {
			return nil, false, scanpay.Invalid("type", "unknown balance transaction type %q", f.Type)
		}
		q = q.Where("type = ?", f.Type)
	}
	if f.Settlement != "" {
		q = q.Where("settlement_id = ?", f.Settlement)
	}
	if f.Payout != "" {
		q = q.Where("(payout_id = ? OR (source = ? AND type IN ?))", f.Payout, f.Payout,
			[]string{ledger.LinePayout, ledger.LinePayoutFailure})
	}
	rows, more, err := storage.Page[lineRow](q, f.Limit, f.StartingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]BalanceTransaction, len(rows))
	for i, r := range rows {
		out[i] = r.toBalanceTransaction(m)
	}
	return out, more, nil
}

// Balance is what a merchant has, per currency: pending (not yet
// settled; below zero when refunds of settled takings exceed what is
// unsettled), available (settled, ready to pay out) and in transit (paid
// out, not yet at its bank).
type Balance struct {
	Object    string                   `json:"object"`
	Livemode  bool                     `json:"livemode"`
	Pending   []ledger.CurrencyBalance `json:"pending"`
	Available []ledger.CurrencyBalance `json:"available"`
	InTransit []ledger.CurrencyBalance `json:"in_transit"`
}

// Balance returns the principal's balances, straight from the ledger.
func (s *Service) Balance(ctx context.Context, p merchant.Principal) (Balance, error) {
	b := Balance{Object: "balance", Livemode: p.Livemode}
	for _, part := range []struct {
		kind ledger.Kind
		dst  *[]ledger.CurrencyBalance
	}{{ledger.MerchantPending, &b.Pending}, {ledger.MerchantAvailable, &b.Available}, {ledger.MerchantInTransit, &b.InTransit}} {
		balances, err := ledger.OwnerBalances(ctx, s.db, p.MerchantID, part.kind, p.Livemode)
		if err != nil {
			return Balance{}, err
		}
		if balances == nil {
			balances = []ledger.CurrencyBalance{}
		}
		*part.dst = balances
	}
	return b, nil
}
