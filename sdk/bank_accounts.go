package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Bank account statuses: new until a payout to it is paid, errored once
// one fails (it then gets no automatic payout: add another).
const (
	BankAccountNew      = "new"
	BankAccountVerified = "verified"
	BankAccountErrored  = "errored"
)

// BankAccount is where the merchant's payouts in one currency go. The
// gateway never shows its number again, only Last4.
type BankAccount struct {
	ID            string    `json:"id"`
	Object        string    `json:"object"`
	Livemode      bool      `json:"livemode"`
	AccountHolder string    `json:"account_holder"`
	Currency      string    `json:"currency"`
	Last4         string    `json:"last4"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
}

// BankAccountCreateParams describe a bank account; every field is
// required. AccountNumber is 8 to 20 digits.
type BankAccountCreateParams struct {
	AccountHolder  string `json:"account_holder"`
	AccountNumber  string `json:"account_number"`
	Currency       string `json:"currency"`
	IdempotencyKey string `json:"-"`
}

// BankAccountService calls /v1/bank_accounts.
type BankAccountService struct{ c *Client }

// Create adds a bank account. The newest usable account of a currency is
// where payouts go, so adding one replaces an errored one. A missing or
// malformed field matches ErrParameterMissing or ErrParameterInvalid,
// with Param naming it; the error never repeats the number.
func (s *BankAccountService) Create(ctx context.Context, params *BankAccountCreateParams) (*BankAccount, error) {
	if params == nil {
		params = &BankAccountCreateParams{}
	}
	return fetch[BankAccount](ctx, s.c, request{method: http.MethodPost, path: "/v1/bank_accounts", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns a bank account; an unknown id matches ErrResourceMissing.
func (s *BankAccountService) Get(ctx context.Context, id string) (*BankAccount, error) {
	return fetch[BankAccount](ctx, s.c, request{method: http.MethodGet, path: "/v1/bank_accounts/" + url.PathEscape(id)})
}

// List walks the merchant's bank accounts, newest first.
func (s *BankAccountService) List(ctx context.Context, params *ListParams) iter.Seq2[*BankAccount, error] {
	if params == nil {
		params = &ListParams{}
	}
	return list(ctx, s.c, "/v1/bank_accounts", nil, *params, func(a *BankAccount) string { return a.ID })
}
