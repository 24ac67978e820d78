package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Balance is what the merchant has, per currency, in the key's mode.
// Pending is not yet settled (below zero when refunds of settled takings
// outweigh what is unsettled), Available is settled and may be paid out,
// InTransit is paid out and not yet at the bank. A currency the merchant
// never had is absent, not zero.
type Balance struct {
	Object    string            `json:"object"`
	Livemode  bool              `json:"livemode"`
	Pending   []CurrencyBalance `json:"pending"`
	Available []CurrencyBalance `json:"available"`
	InTransit []CurrencyBalance `json:"in_transit"`
}

// CurrencyBalance is an amount in one currency, in its minor unit.
type CurrencyBalance struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// BalanceService calls /v1/balance.
type BalanceService struct{ c *Client }

// Get returns the merchant's balance, straight from the gateway's ledger.
func (s *BalanceService) Get(ctx context.Context) (*Balance, error) {
	return fetch[Balance](ctx, s.c, request{method: http.MethodGet, path: "/v1/balance"})
}

// BalanceTransactionType is what moved the merchant's money.
type BalanceTransactionType string

// The balance transaction types. CouponFunding is a platform-funded
// discount paid to the merchant, CashbackFunding a merchant-funded
// cashback taken from it; PayoutFailure brings a failed payout's money
// back.
const (
	BalanceTransactionPayment         BalanceTransactionType = "payment"
	BalanceTransactionRefund          BalanceTransactionType = "refund"
	BalanceTransactionCouponFunding   BalanceTransactionType = "coupon_funding"
	BalanceTransactionCashbackFunding BalanceTransactionType = "cashback_funding"
	BalanceTransactionPayout          BalanceTransactionType = "payout"
	BalanceTransactionPayoutFailure   BalanceTransactionType = "payout_failure"
	BalanceTransactionAdjustment      BalanceTransactionType = "adjustment"
)

// BalanceTransaction is one line of the merchant's statement: one
// movement of its money. Amounts are in the currency's minor unit; Net is
// Gross less Fee, and negative for money going out.
type BalanceTransaction struct {
	ID       string                 `json:"id"`
	Object   string                 `json:"object"`
	Livemode bool                   `json:"livemode"`
	Type     BalanceTransactionType `json:"type"`
	// Source is the id of what moved the money: a payment, refund,
	// cashback, payout...
	Source string `json:"source"`
	// Order and Reference (the merchant's own order number) are set for
	// lines of an order.
	Order     *string `json:"order"`
	Reference *string `json:"reference"`
	Currency  string  `json:"currency"`
	Gross     int64   `json:"gross"`
	Fee       int64   `json:"fee"`
	Net       int64   `json:"net"`
	// Status is "pending" until the line's business day settles, then
	// "available".
	Status string `json:"status"`
	// AvailableOn is the business day (YYYY-MM-DD, in the merchant's
	// time zone) the money is, or is due to be, available.
	AvailableOn string `json:"available_on"`
	// Settlement is the settlement that made the line available; Payout
	// the automatic payout that paid it out.
	Settlement *string   `json:"settlement"`
	Payout     *string   `json:"payout"`
	CreatedAt  time.Time `json:"created_at"`
}

// BalanceTransactionListParams narrow a list of balance transactions;
// empty fields match all. Payout matches a payout's own lines and, for an
// automatic payout, the lines it paid out.
type BalanceTransactionListParams struct {
	ListParams
	Type       BalanceTransactionType
	Settlement string
	Payout     string
}

// BalanceTransactionService calls /v1/balance_transactions.
type BalanceTransactionService struct{ c *Client }

// Get returns a balance transaction; an unknown id matches
// ErrResourceMissing.
func (s *BalanceTransactionService) Get(ctx context.Context, id string) (*BalanceTransaction, error) {
	return fetch[BalanceTransaction](ctx, s.c, request{method: http.MethodGet, path: "/v1/balance_transactions/" + url.PathEscape(id)})
}

// List walks the merchant's balance transactions, newest first. An
// unknown type matches ErrParameterInvalid.
func (s *BalanceTransactionService) List(ctx context.Context, params *BalanceTransactionListParams) iter.Seq2[*BalanceTransaction, error] {
	if params == nil {
		params = &BalanceTransactionListParams{}
	}
	q := url.Values{"type": {string(params.Type)}, "settlement": {params.Settlement}, "payout": {params.Payout}}
	return list(ctx, s.c, "/v1/balance_transactions", q, params.ListParams, func(t *BalanceTransaction) string { return t.ID })
}
