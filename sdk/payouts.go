package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// PayoutStatus is where a payout is on its way to the bank.
type PayoutStatus string

// A payout is pending until the bank accepts it, in_transit until it
// arrives, then paid; or failed when the bank refuses or returns it, and
// its money is back in the available balance.
const (
	PayoutPending   PayoutStatus = "pending"
	PayoutInTransit PayoutStatus = "in_transit"
	PayoutPaid      PayoutStatus = "paid"
	PayoutFailed    PayoutStatus = "failed"
)

// Payout moves the merchant's available money to its bank account.
type Payout struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	// Amount is in the currency's minor unit.
	Amount      int64        `json:"amount"`
	Currency    string       `json:"currency"`
	BankAccount string       `json:"bank_account"`
	Status      PayoutStatus `json:"status"`
	// Automatic is the daily payout of everything available, made on Date
	// (a business day); a manual one (PayoutService.Create) has no Date.
	Automatic bool    `json:"automatic"`
	Date      *string `json:"date"`
	// FailureCode and FailureMessage say why a failed payout failed, as
	// the bank said it: account_closed, no_account, could_not_process...
	FailureCode    *string    `json:"failure_code"`
	FailureMessage *string    `json:"failure_message"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	PaidAt         *time.Time `json:"paid_at"`
	FailedAt       *time.Time `json:"failed_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// PayoutCreateParams ask for a manual payout. Amount and Currency are
// required; BankAccount defaults to the newest usable account of the
// currency.
type PayoutCreateParams struct {
	Amount         int64  `json:"amount,omitempty"`
	Currency       string `json:"currency,omitempty"`
	BankAccount    string `json:"bank_account,omitempty"`
	IdempotencyKey string `json:"-"`
}

// PayoutService calls /v1/payouts.
type PayoutService struct{ c *Client }

// Create pays out part of the available balance. An amount over what can
// be paid out (the available balance, less what unsettled refunds may
// take back) matches ErrBalanceInsufficient; no usable bank account in
// the currency ErrBankAccountMissing; a bank account a payout to failed
// ErrBankAccountErrored; another invalid field ErrParameterInvalid or
// ErrParameterMissing with Param naming it; an unknown bank account
// ErrResourceMissing. On any error nothing moved. A retry (automatic, or
// the same IdempotencyKey) replays the first answer: one payout.
func (s *PayoutService) Create(ctx context.Context, params *PayoutCreateParams) (*Payout, error) {
	if params == nil {
		params = &PayoutCreateParams{}
	}
	return fetch[Payout](ctx, s.c, request{method: http.MethodPost, path: "/v1/payouts", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns a payout; an unknown id matches ErrResourceMissing.
func (s *PayoutService) Get(ctx context.Context, id string) (*Payout, error) {
	return fetch[Payout](ctx, s.c, request{method: http.MethodGet, path: "/v1/payouts/" + url.PathEscape(id)})
}

// List walks the merchant's payouts, manual and automatic, newest first.
func (s *PayoutService) List(ctx context.Context, params *ListParams) iter.Seq2[*Payout, error] {
	if params == nil {
		params = &ListParams{}
	}
	return list(ctx, s.c, "/v1/payouts", nil, *params, func(p *Payout) string { return p.ID })
}
