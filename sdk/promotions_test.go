package sdk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/sdk"
)

// TestCouponsAndCashback runs the promotion services against the real
// gateway: a coupon campaign, a coupon sent to a payer and used, the
// order's promotion and the refund's shares, a cashback campaign and the
// cashback it gives, and their errors.
func TestCouponsAndCashback(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	campaign, err := e.c.CouponCampaigns.Create(ctx, &sdk.CouponCampaignCreateParams{Name: "Three off", Currency: "CNY",
		AmountOff: sdk.Int64(300), MaxAmount: sdk.Int64(3000)})
	if err != nil || campaign.Funding != "merchant" || campaign.Status != "active" || *campaign.BudgetLeft != 3000 {
		t.Fatalf("campaign %+v, %v", campaign, err)
	}
	_, err = e.c.CouponCampaigns.Create(ctx, &sdk.CouponCampaignCreateParams{Name: "x", Currency: "CNY", PercentOffBPS: sdk.Int(10001)})
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "percent_off_bps")
	cashback, err := e.c.CashbackCampaigns.Create(ctx, &sdk.CashbackCampaignCreateParams{Name: "Back", Currency: "CNY",
		RateBPS: 1000, BudgetAmount: 10000, HoldDays: sdk.Int(0)})
	if err != nil || cashback.HoldDays != 0 || cashback.BudgetLeft != 10000 {
		t.Fatalf("cashback campaign %+v, %v", cashback, err)
	}

	payer := e.g.Payer(t, 100_000, "CNY")
	coupon, err := e.c.CouponCampaigns.SendCoupon(ctx, campaign.ID, payer.Phone)
	if err != nil || coupon.Status != "available" || coupon.Campaign != campaign.ID {
		t.Fatalf("coupon %+v, %v", coupon, err)
	}
	_, err = e.c.CouponCampaigns.SendCoupon(ctx, campaign.ID, payer.Phone)
	if !errors.Is(err, sdk.ErrCouponLimitReached) {
		t.Fatalf("a second coupon: %v, want ErrCouponLimitReached", err)
	}
	o := e.order(t, &sdk.OrderCreateParams{Amount: 2000, Currency: "CNY"})
	var session struct{ Token string }
	e.g.Call(t, "POST", "/wallet/v1/sessions", "", map[string]any{"phone": payer.Phone, "pin": payer.PIN}, &session)
	e.g.Call(t, "POST", "/wallet/v1/payments", session.Token, map[string]any{"order": o.ID, "coupon": coupon.ID}, nil)

	paid, err := e.c.Orders.Get(ctx, o.ID)
	if err != nil || paid.AmountPaid != 1700 || paid.Promotion == nil || paid.Promotion.Coupon != coupon.ID || paid.Promotion.Discount != 300 {
		t.Fatalf("order %+v, %v", paid, err)
	}
	var cashbacks []*sdk.Cashback
	for cb, err := range e.c.Cashbacks.List(ctx, &sdk.CashbackListParams{Order: o.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		cashbacks = append(cashbacks, cb)
	}
	if len(cashbacks) != 1 || cashbacks[0].Amount != 170 || cashbacks[0].Campaign != cashback.ID {
		t.Fatalf("cashbacks %+v", cashbacks)
	}
	refund, err := e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID, Amount: 1000})
	if err != nil || refund.AmountToPayer != 850 || refund.AmountDiscountReversed != 150 {
		t.Fatalf("refund %+v, %v", refund, err)
	}
	got, err := e.c.CouponCampaigns.Get(ctx, campaign.ID)
	if err != nil || got.Redeemed != 1 || got.AmountRedeemed != 150 {
		t.Fatalf("campaign after the refund %+v, %v", got, err)
	}
	var redeemed *sdk.Coupon
	for ev, err := range e.c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventCouponRedeemed}) {
		if err != nil {
			t.Fatal(err)
		}
		if redeemed, err = ev.Coupon(); err != nil {
			t.Fatal(err)
		}
	}
	if redeemed == nil || redeemed.ID != coupon.ID || *redeemed.Discount != 300 {
		t.Fatalf("coupon.redeemed carries %+v", redeemed)
	}
	if ended, err := e.c.CashbackCampaigns.End(ctx, cashback.ID); err != nil || ended.Status != "ended" {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	if _, err := e.c.CouponCampaigns.End(ctx, campaign.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CouponCampaigns.Resume(ctx, campaign.ID); !errors.Is(err, sdk.ErrCampaignNotActive) {
		t.Fatalf("resume an ended campaign: %v", err)
	}
	n := 0
	for c, err := range e.c.CouponCampaigns.List(ctx, nil) {
		if err != nil || c.ID != campaign.ID {
			t.Fatalf("list: %+v, %v", c, err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d campaigns listed", n)
	}
}
