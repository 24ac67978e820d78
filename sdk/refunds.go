package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Refund is money given back to the payer of an order.
type Refund struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	Order    string `json:"order"`
	Payment  string `json:"payment"`
	// Amount is a part of the order's price, in minor units. The payer got
	// AmountToPayer of it, their share of what they paid; the rest,
	// AmountDiscountReversed, went back to whoever funded the discount.
	Amount                 int64     `json:"amount"`
	AmountToPayer          int64     `json:"amount_to_payer"`
	AmountDiscountReversed int64     `json:"amount_discount_reversed"`
	Currency               string    `json:"currency"`
	Reason                 string    `json:"reason"`
	Status                 string    `json:"status"`
	CreatedAt              time.Time `json:"created_at"`
}

// RefundCreateParams describe a refund. Order is required.
type RefundCreateParams struct {
	Order string `json:"order"`
	// Amount is how much of the order's price to give back; zero means
	// all that is left.
	Amount         int64  `json:"amount,omitempty"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"-"`
}

// RefundListParams narrow a list of refunds; an empty Order matches all.
type RefundListParams struct {
	ListParams
	Order string
}

// RefundService calls /v1/refunds.
type RefundService struct{ c *Client }

// Create gives back part or all of what was paid for an order, at once.
// An order that is not paid matches ErrOrderNotRefundable; an amount over
// what is left matches ErrRefundExceedsPayment; an unknown order matches
// ErrResourceMissing.
func (s *RefundService) Create(ctx context.Context, params *RefundCreateParams) (*Refund, error) {
	if params == nil {
		params = &RefundCreateParams{}
	}
	return fetch[Refund](ctx, s.c, request{method: http.MethodPost, path: "/v1/refunds", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns a refund; an unknown id matches ErrResourceMissing.
func (s *RefundService) Get(ctx context.Context, id string) (*Refund, error) {
	return fetch[Refund](ctx, s.c, request{method: http.MethodGet, path: "/v1/refunds/" + url.PathEscape(id)})
}

// List walks the merchant's refunds, newest first.
func (s *RefundService) List(ctx context.Context, params *RefundListParams) iter.Seq2[*Refund, error] {
	if params == nil {
		params = &RefundListParams{}
	}
	q := url.Values{"order": {params.Order}}
	return list(ctx, s.c, "/v1/refunds", q, params.ListParams, func(r *Refund) string { return r.ID })
}
