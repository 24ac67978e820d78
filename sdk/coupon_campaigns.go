package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// CouponCampaign funds coupons: an amount or a percentage off, within a
// budget.
type CouponCampaign struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	Funding  string `json:"funding"`
	// Merchants are the merchants a platform campaign is limited to;
	// empty for every merchant, and for the merchant's own campaigns.
	Merchants       []string   `json:"merchants"`
	Name            string     `json:"name"`
	Currency        string     `json:"currency"`
	AmountOff       *int64     `json:"amount_off"`
	PercentOffBPS   *int       `json:"percent_off_bps"`
	MaxDiscount     *int64     `json:"max_discount"`
	MinSpend        int64      `json:"min_spend"`
	MaxCoupons      *int64     `json:"max_coupons"`
	MaxAmount       *int64     `json:"max_amount"`
	MaxPerWallet    int        `json:"max_per_wallet"`
	Claimable       bool       `json:"claimable"`
	StartsAt        *time.Time `json:"starts_at"`
	EndsAt          *time.Time `json:"ends_at"`
	CouponValidDays int        `json:"coupon_valid_days"`
	// Status is active, paused, ended or exhausted.
	Status         string    `json:"status"`
	Issued         int64     `json:"issued"`
	Redeemed       int64     `json:"redeemed"`
	AmountRedeemed int64     `json:"amount_redeemed"`
	BudgetLeft     *int64    `json:"budget_left"`
	CouponsLeft    *int64    `json:"coupons_left"`
	CreatedAt      time.Time `json:"created_at"`
}

// Coupon is a discount a payer's wallet holds.
type Coupon struct {
	ID            string     `json:"id"`
	Object        string     `json:"object"`
	Livemode      bool       `json:"livemode"`
	Campaign      string     `json:"campaign"`
	Name          string     `json:"name"`
	Funding       string     `json:"funding"`
	Currency      string     `json:"currency"`
	AmountOff     *int64     `json:"amount_off"`
	PercentOffBPS *int       `json:"percent_off_bps"`
	MaxDiscount   *int64     `json:"max_discount"`
	MinSpend      int64      `json:"min_spend"`
	Status        string     `json:"status"`
	ValidUntil    time.Time  `json:"valid_until"`
	Order         *string    `json:"order"`
	Discount      *int64     `json:"discount"`
	RedeemedAt    *time.Time `json:"redeemed_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

// CouponCampaignCreateParams describe a merchant-funded campaign: Name,
// Currency and one of AmountOff or PercentOffBPS are required. Pointer
// fields are optional; Int64 and Int make them.
type CouponCampaignCreateParams struct {
	Name            string     `json:"name"`
	Currency        string     `json:"currency"`
	AmountOff       *int64     `json:"amount_off,omitempty"`
	PercentOffBPS   *int       `json:"percent_off_bps,omitempty"`
	MaxDiscount     *int64     `json:"max_discount,omitempty"`
	MinSpend        *int64     `json:"min_spend,omitempty"`
	MaxCoupons      *int64     `json:"max_coupons,omitempty"`
	MaxAmount       *int64     `json:"max_amount,omitempty"`
	MaxPerWallet    *int       `json:"max_per_wallet,omitempty"`
	Claimable       bool       `json:"claimable,omitempty"`
	StartsAt        *time.Time `json:"starts_at,omitempty"`
	EndsAt          *time.Time `json:"ends_at,omitempty"`
	CouponValidDays *int       `json:"coupon_valid_days,omitempty"`
	IdempotencyKey  string     `json:"-"`
}

// Int64 returns a pointer to v, for optional parameters.
func Int64(v int64) *int64 { return &v }

// Int returns a pointer to v, for optional parameters.
func Int(v int) *int { return &v }

// CouponCampaignService calls /v1/coupon_campaigns.
type CouponCampaignService struct{ c *Client }

// Create starts a campaign. Bad terms match ErrParameterInvalid, with Param
// naming the field.
func (s *CouponCampaignService) Create(ctx context.Context, params *CouponCampaignCreateParams) (*CouponCampaign, error) {
	if params == nil {
		params = &CouponCampaignCreateParams{}
	}
	return fetch[CouponCampaign](ctx, s.c, request{method: http.MethodPost, path: "/v1/coupon_campaigns", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns a campaign; an unknown id matches ErrResourceMissing.
func (s *CouponCampaignService) Get(ctx context.Context, id string) (*CouponCampaign, error) {
	return fetch[CouponCampaign](ctx, s.c, request{method: http.MethodGet, path: "/v1/coupon_campaigns/" + url.PathEscape(id)})
}

// List walks the merchant's campaigns, newest first.
func (s *CouponCampaignService) List(ctx context.Context, params *ListParams) iter.Seq2[*CouponCampaign, error] {
	if params == nil {
		params = &ListParams{}
	}
	return list(ctx, s.c, "/v1/coupon_campaigns", url.Values{}, *params, func(c *CouponCampaign) string { return c.ID })
}

// Pause stops new coupons and redemptions until Resume.
func (s *CouponCampaignService) Pause(ctx context.Context, id string) (*CouponCampaign, error) {
	return s.action(ctx, id, "pause")
}

// Resume restarts a paused campaign.
func (s *CouponCampaignService) Resume(ctx context.Context, id string) (*CouponCampaign, error) {
	return s.action(ctx, id, "resume")
}

// End ends a campaign for good; coupons of it can no longer be used. An
// ended campaign matches ErrCampaignNotActive.
func (s *CouponCampaignService) End(ctx context.Context, id string) (*CouponCampaign, error) {
	return s.action(ctx, id, "end")
}

func (s *CouponCampaignService) action(ctx context.Context, id, verb string) (*CouponCampaign, error) {
	return fetch[CouponCampaign](ctx, s.c, request{method: http.MethodPost, path: "/v1/coupon_campaigns/" + url.PathEscape(id) + "/" + verb, body: struct{}{}})
}

// SendCoupon gives the wallet registered to phone a coupon of the
// campaign. An unknown phone matches ErrResourceMissing with Param
// "phone"; a wallet holding as many as it may, ErrCouponLimitReached.
func (s *CouponCampaignService) SendCoupon(ctx context.Context, campaignID, phone string) (*Coupon, error) {
	return fetch[Coupon](ctx, s.c, request{method: http.MethodPost, path: "/v1/coupon_campaigns/" + url.PathEscape(campaignID) + "/coupons",
		body: map[string]string{"phone": phone}})
}
