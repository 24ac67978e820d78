package sdk

import (
	"context"
	"net/http"
	"time"
)

// Merchant is the business a secret key belongs to.
type Merchant struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Name    string `json:"name"`
	Country string `json:"country"`
	City    string `json:"city"`
	MCC     string `json:"mcc"`
	// FeeRateBPS is the merchant's fee, in basis points of a payment.
	FeeRateBPS int `json:"fee_rate_bps"`
	// Livemode is the mode of the key: test keys see test objects only.
	Livemode  bool      `json:"livemode"`
	CreatedAt time.Time `json:"created_at"`
}

// MerchantService calls /v1/merchant.
type MerchantService struct{ c *Client }

// Get returns the merchant of the client's key, which checks the key: a
// wrong one matches ErrAPIKeyInvalid, a revoked one ErrAPIKeyRevoked.
func (s *MerchantService) Get(ctx context.Context) (*Merchant, error) {
	return fetch[Merchant](ctx, s.c, request{method: http.MethodGet, path: "/v1/merchant"})
}
