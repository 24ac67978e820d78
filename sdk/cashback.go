package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// CashbackCampaign gives payers back RateBPS of what they paid, held for
// HoldDays, within a budget.
type CashbackCampaign struct {
	ID             string     `json:"id"`
	Object         string     `json:"object"`
	Livemode       bool       `json:"livemode"`
	Funding        string     `json:"funding"`
	Name           string     `json:"name"`
	Currency       string     `json:"currency"`
	RateBPS        int        `json:"rate_bps"`
	MaxPerPayment  *int64     `json:"max_per_payment"`
	MaxPerWallet   *int64     `json:"max_per_wallet"`
	MinSpend       int64      `json:"min_spend"`
	BudgetAmount   int64      `json:"budget_amount"`
	HoldDays       int        `json:"hold_days"`
	StartsAt       *time.Time `json:"starts_at"`
	EndsAt         *time.Time `json:"ends_at"`
	Status         string     `json:"status"`
	AmountPending  int64      `json:"amount_pending"`
	AmountCredited int64      `json:"amount_credited"`
	AmountReversed int64      `json:"amount_reversed"`
	BudgetLeft     int64      `json:"budget_left"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Cashback is part of a payment given back to its payer: Amount is always
// AmountPending + AmountCredited + AmountReversed.
type Cashback struct {
	ID             string     `json:"id"`
	Object         string     `json:"object"`
	Livemode       bool       `json:"livemode"`
	Campaign       string     `json:"campaign"`
	Funding        string     `json:"funding"`
	Order          string     `json:"order"`
	Payment        string     `json:"payment"`
	Currency       string     `json:"currency"`
	Amount         int64      `json:"amount"`
	AmountPending  int64      `json:"amount_pending"`
	AmountCredited int64      `json:"amount_credited"`
	AmountReversed int64      `json:"amount_reversed"`
	AmountToDebt   int64      `json:"amount_to_debt"`
	AmountNetted   int64      `json:"amount_netted"`
	Status         string     `json:"status"`
	AvailableAt    time.Time  `json:"available_at"`
	CreditedAt     *time.Time `json:"credited_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// CashbackCampaignCreateParams describe a merchant-funded cashback
// campaign: Name, Currency, RateBPS and BudgetAmount are required.
// HoldDays is a pointer because zero (no hold) differs from the default 7.
type CashbackCampaignCreateParams struct {
	Name           string     `json:"name"`
	Currency       string     `json:"currency"`
	RateBPS        int        `json:"rate_bps"`
	BudgetAmount   int64      `json:"budget_amount"`
	MaxPerPayment  *int64     `json:"max_per_payment,omitempty"`
	MaxPerWallet   *int64     `json:"max_per_wallet,omitempty"`
	MinSpend       *int64     `json:"min_spend,omitempty"`
	HoldDays       *int       `json:"hold_days,omitempty"`
	StartsAt       *time.Time `json:"starts_at,omitempty"`
	EndsAt         *time.Time `json:"ends_at,omitempty"`
	IdempotencyKey string     `json:"-"`
}

// CashbackCampaignService calls /v1/cashback_campaigns.
type CashbackCampaignService struct{ c *Client }

// Create starts a campaign. Bad terms match ErrParameterInvalid.
func (s *CashbackCampaignService) Create(ctx context.Context, params *CashbackCampaignCreateParams) (*CashbackCampaign, error) {
	if params == nil {
		params = &CashbackCampaignCreateParams{}
	}
	return fetch[CashbackCampaign](ctx, s.c, request{method: http.MethodPost, path: "/v1/cashback_campaigns", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns a campaign with its totals.
func (s *CashbackCampaignService) Get(ctx context.Context, id string) (*CashbackCampaign, error) {
	return fetch[CashbackCampaign](ctx, s.c, request{method: http.MethodGet, path: "/v1/cashback_campaigns/" + url.PathEscape(id)})
}

// List walks the merchant's cashback campaigns, newest first.
func (s *CashbackCampaignService) List(ctx context.Context, params *ListParams) iter.Seq2[*CashbackCampaign, error] {
	if params == nil {
		params = &ListParams{}
	}
	return list(ctx, s.c, "/v1/cashback_campaigns", url.Values{}, *params, func(c *CashbackCampaign) string { return c.ID })
}

// Pause stops the campaign earning until Resume; cashback earned is
// credited as usual.
func (s *CashbackCampaignService) Pause(ctx context.Context, id string) (*CashbackCampaign, error) {
	return s.action(ctx, id, "pause")
}

// Resume restarts a paused campaign.
func (s *CashbackCampaignService) Resume(ctx context.Context, id string) (*CashbackCampaign, error) {
	return s.action(ctx, id, "resume")
}

// End ends the campaign for good.
func (s *CashbackCampaignService) End(ctx context.Context, id string) (*CashbackCampaign, error) {
	return s.action(ctx, id, "end")
}

func (s *CashbackCampaignService) action(ctx context.Context, id, verb string) (*CashbackCampaign, error) {
	return fetch[CashbackCampaign](ctx, s.c, request{method: http.MethodPost, path: "/v1/cashback_campaigns/" + url.PathEscape(id) + "/" + verb, body: struct{}{}})
}

// CashbackListParams narrow a list of cashbacks; an empty Order matches all.
type CashbackListParams struct {
	ListParams
	Order string
}

// CashbackService calls /v1/cashbacks.
type CashbackService struct{ c *Client }

// Get returns one of the cashbacks of the merchant's orders.
func (s *CashbackService) Get(ctx context.Context, id string) (*Cashback, error) {
	return fetch[Cashback](ctx, s.c, request{method: http.MethodGet, path: "/v1/cashbacks/" + url.PathEscape(id)})
}

// List walks the cashbacks of the merchant's orders, newest first.
func (s *CashbackService) List(ctx context.Context, params *CashbackListParams) iter.Seq2[*Cashback, error] {
	if params == nil {
		params = &CashbackListParams{}
	}
	return list(ctx, s.c, "/v1/cashbacks", url.Values{"order": {params.Order}}, params.ListParams, func(c *Cashback) string { return c.ID })
}
