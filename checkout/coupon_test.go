package checkout_test

import (
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
)

// campaign starts a merchant-funded campaign of e's merchant.
func (e *env) campaign(params checkout.CampaignParams) checkout.CouponCampaign {
	e.t.Helper()
	if params.Name == "" {
		params.Name = "Spring"
	}
	if params.Currency == "" {
		params.Currency = "CNY"
	}
	c, err := e.checkout.CreateCampaign(e.ctx, e.merchant, params)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) send(campaignID, phone string) checkout.Coupon {
	e.t.Helper()
	c, err := e.checkout.SendCoupon(e.ctx, e.merchant, campaignID, phone)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) payWith(walletID, orderID, couponID string) (checkout.Payment, error) {
	return e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: orderID, Coupon: &couponID})
}

func TestCampaignBadInputIsRefusedAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	at := func(s string) *string { return &s }
	for _, tt := range []struct {
		name  string
		p     checkout.CampaignParams
		code  string
		param string
	}{
		{"no name", checkout.CampaignParams{Currency: "CNY", AmountOff: ptr[int64](100)}, "parameter_missing", "name"},
		{"no currency", checkout.CampaignParams{Name: "x", AmountOff: ptr[int64](100)}, "parameter_missing", "currency"},
		{"unknown currency", checkout.CampaignParams{Name: "x", Currency: "XYZ", AmountOff: ptr[int64](100)}, "parameter_invalid", "currency"},
		{"no discount", checkout.CampaignParams{Name: "x", Currency: "CNY"}, "parameter_invalid", "amount_off"},
		{"both discounts", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), PercentOffBPS: ptr(10)}, "parameter_invalid", "percent_off_bps"},
		{"zero amount off", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](0)}, "parameter_invalid", "amount_off"},
		{"negative amount off", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](-5)}, "parameter_invalid", "amount_off"},
		{"more than 100%", checkout.CampaignParams{Name: "x", Currency: "CNY", PercentOffBPS: ptr(10001)}, "parameter_invalid", "percent_off_bps"},
		{"zero percent", checkout.CampaignParams{Name: "x", Currency: "CNY", PercentOffBPS: ptr(0)}, "parameter_invalid", "percent_off_bps"},
		{"negative cap", checkout.CampaignParams{Name: "x", Currency: "CNY", PercentOffBPS: ptr(10), MaxDiscount: ptr[int64](-1)}, "parameter_invalid", "max_discount"},
		{"zero budget", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), MaxAmount: ptr[int64](0)}, "parameter_invalid", "max_amount"},
		{"zero coupons", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), MaxCoupons: ptr[int64](0)}, "parameter_invalid", "max_coupons"},
		{"negative min spend", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), MinSpend: ptr[int64](-1)}, "parameter_invalid", "min_spend"},
		{"zero per wallet", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), MaxPerWallet: ptr(0)}, "parameter_invalid", "max_per_wallet"},
		{"zero valid days", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), CouponValidDays: ptr(0)}, "parameter_invalid", "coupon_valid_days"},
		{"ends before it starts", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1),
			StartsAt: at("2027-01-02T00:00:00Z"), EndsAt: at("2027-01-01T00:00:00Z")}, "parameter_invalid", "ends_at"},
		{"not a time", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](1), StartsAt: at("tomorrow")}, "parameter_invalid", "starts_at"},
		{"budget below one coupon", checkout.CampaignParams{Name: "x", Currency: "CNY", AmountOff: ptr[int64](500), MaxAmount: ptr[int64](100)}, "parameter_invalid", "max_amount"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.checkout.CreateCampaign(e.ctx, e.merchant, tt.p)
			wantError(t, err, tt.code, tt.param)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM coupon_campaigns`); n != 0 {
		t.Fatalf("%d campaigns stored by bad input", n)
	}
}

func TestDiscountRules(t *testing.T) {
	for _, tt := range []struct {
		name   string
		p      checkout.CampaignParams
		price  int64
		expect int64
	}{
		{"amount off", checkout.CampaignParams{AmountOff: ptr[int64](300)}, 1250, 300},
		{"amount off bigger than the price leaves one unit", checkout.CampaignParams{AmountOff: ptr[int64](5000)}, 1250, 1249},
		{"percent rounds down", checkout.CampaignParams{PercentOffBPS: ptr(1500)}, 999, 149},
		{"percent capped", checkout.CampaignParams{PercentOffBPS: ptr(5000), MaxDiscount: ptr[int64](200)}, 1000, 200},
		{"100% leaves one unit", checkout.CampaignParams{PercentOffBPS: ptr(10000)}, 1000, 999},
		{"huge price does not overflow", checkout.CampaignParams{PercentOffBPS: ptr(9999)}, 9_000_000_000_000_000_000, 8_999_100_000_000_000_000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.p.MinSpend = ptr[int64](0)
			c := e.campaign(tt.p)
			if got := c.Discount(tt.price); got != tt.expect {
				t.Fatalf("discount of %d = %d, want %d", tt.price, got, tt.expect)
			}
		})
	}
}

// TestMerchantFundedCoupon pays with a coupon the merchant sent: the payer
// pays the price less the discount, the merchant is credited what was
// paid, less the fee on it, and the campaign's budget takes the discount.
func TestMerchantFundedCoupon(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	c := e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](300), MinSpend: ptr[int64](1000), MaxAmount: ptr[int64](10000)})
	coupon := e.send(c.ID, "+86 138 0013 8000")
	if coupon.Status != checkout.CouponAvailable || coupon.Campaign != c.ID {
		t.Fatalf("coupon %+v", coupon)
	}
	o := e.order(1250)
	preview, err := e.checkout.Scan(e.ctx, walletID, o.QR.Payload)
	if err != nil || len(preview.Coupons) != 1 || preview.Coupons[0].Coupon != coupon.ID ||
		preview.Coupons[0].Discount != 300 || preview.Coupons[0].AmountPayable != 950 {
		t.Fatalf("preview %+v, %v", preview, err)
	}
	pay, err := e.payWith(walletID, o.ID, coupon.ID)
	if err != nil || pay.Amount != 1250 || pay.AmountDiscount != 300 || pay.AmountPaid != 950 || pay.Promotion == nil {
		t.Fatalf("payment %+v, %v", pay, err)
	}
	got, err := e.checkout.GetOrder(e.ctx, e.merchant, o.ID)
	want := checkout.Promotion{Coupon: coupon.ID, Campaign: c.ID, Funding: checkout.FundingMerchant, Discount: 300}
	if err != nil || got.AmountDiscount != 300 || got.AmountPaid != 950 || got.Promotion == nil || *got.Promotion != want ||
		got.Fee != merchant.Fee(merchant.DefaultFeeRateBPS, 950) {
		t.Fatalf("order %+v, %v", got, err)
	}
	if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 50000-950 {
		t.Fatalf("wallet %d", b)
	}
	if b := e.balance(ledger.MerchantPendingAccount(e.merchant.MerchantID, "CNY", false)); b != 950-got.Fee {
		t.Fatalf("merchant pending %d", b)
	}
	after, err := e.checkout.GetCampaign(e.ctx, e.merchant, c.ID)
	if err != nil || after.Redeemed != 1 || after.AmountRedeemed != 300 || *after.BudgetLeft != 9700 || after.Issued != 1 {
		t.Fatalf("campaign %+v, %v", after, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'coupon.redeemed' AND order_id = ?`, o.ID); n != 1 {
		t.Fatalf("%d coupon.redeemed events", n)
	}
	// Used once, never again.
	_, err = e.payWith(walletID, e.order(1250).ID, coupon.ID)
	wantError(t, err, "coupon_not_applicable", "coupon")
	e.verifyLedger()
}

// TestPlatformFundedCoupon: a campaign the operator runs for named
// merchants. The merchant is credited the whole price, less the fee on
// it, and the platform's marketing account pays the discount.
func TestPlatformFundedCoupon(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	c, err := e.checkout.CreatePlatformCampaign(e.ctx, false, checkout.CampaignParams{Name: "Double 11", Currency: "CNY",
		PercentOffBPS: ptr(1000), MaxDiscount: ptr[int64](500), Claimable: true}, []string{e.merchant.MerchantID})
	if err != nil || c.Funding != checkout.FundingPlatform {
		t.Fatalf("campaign %+v, %v", c, err)
	}
	o := e.order(2000)
	preview, err := e.checkout.Scan(e.ctx, walletID, o.QR.Payload)
	if err != nil || len(preview.Claimable) != 1 || preview.Claimable[0].Campaign != c.ID || preview.Claimable[0].Discount != 200 {
		t.Fatalf("preview %+v, %v", preview, err)
	}
	coupon, err := e.checkout.ClaimCoupon(e.ctx, walletID, false, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.checkout.ClaimCoupon(e.ctx, walletID, false, c.ID)
	wantError(t, err, "coupon_limit_reached", "campaign")
	pay, err := e.payWith(walletID, o.ID, coupon.ID)
	if err != nil || pay.AmountPaid != 1800 {
		t.Fatalf("payment %+v, %v", pay, err)
	}
	fee := merchant.Fee(merchant.DefaultFeeRateBPS, 2000)
	if b := e.balance(ledger.MerchantPendingAccount(e.merchant.MerchantID, "CNY", false)); b != 2000-fee {
		t.Fatalf("merchant pending %d, want the whole price less the fee on it", b)
	}
	if b := e.balance(ledger.PlatformMarketingAccount("CNY", false)); b != -200 {
		t.Fatalf("marketing %d, want -200", b)
	}
	if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 50000-1800 {
		t.Fatalf("wallet %d", b)
	}
	e.verifyLedger()
}

// TestRefundsOfADiscountedOrderAddUp refunds discounted orders in uneven
// parts, for each funding: the payer's shares add up to exactly what they
// paid, the funder's to exactly the discount, and every balance returns.
func TestRefundsOfADiscountedOrderAddUp(t *testing.T) {
	for _, funding := range []string{checkout.FundingMerchant, checkout.FundingPlatform} {
		t.Run(funding, func(t *testing.T) {
			e := newEnv(t)
			walletID := e.payer("13800138000", 50000)
			params := checkout.CampaignParams{Name: "Thirty-three off", Currency: "CNY", AmountOff: ptr[int64](333), Claimable: true}
			var c checkout.CouponCampaign
			var err error
			if funding == checkout.FundingMerchant {
				c = e.campaign(params)
			} else if c, err = e.checkout.CreatePlatformCampaign(e.ctx, false, params, nil); err != nil {
				t.Fatal(err)
			}
			coupon, err := e.checkout.ClaimCoupon(e.ctx, walletID, false, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			o := e.order(1000)
			if _, err := e.payWith(walletID, o.ID, coupon.ID); err != nil {
				t.Fatal(err)
			}
			var toPayer, reversed int64
			for _, amount := range []int64{1, 299, 300, 400} {
				r, err := e.checkout.CreateRefund(e.ctx, e.merchant, checkout.RefundParams{Order: o.ID, Amount: &amount})
				if err != nil {
					t.Fatal(err)
				}
				if r.AmountToPayer+r.AmountDiscountReversed != amount {
					t.Fatalf("refund %+v: the shares do not make the amount", r)
				}
				toPayer += r.AmountToPayer
				reversed += r.AmountDiscountReversed
			}
			if toPayer != 667 || reversed != 333 {
				t.Fatalf("payer got %d, funder %d; want 667 and 333", toPayer, reversed)
			}
			got, err := e.checkout.GetOrder(e.ctx, e.merchant, o.ID)
			if err != nil || got.Status != checkout.StatusRefunded || got.AmountRefunded != 1000 {
				t.Fatalf("order %+v, %v", got, err)
			}
			if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 50000 {
				t.Fatalf("wallet %d after the full refund", b)
			}
			for _, a := range []ledger.Account{ledger.MerchantPendingAccount(e.merchant.MerchantID, "CNY", false),
				ledger.PlatformFeesAccount("CNY", false), ledger.PlatformMarketingAccount("CNY", false)} {
				if b := e.balance(a); b != 0 {
					t.Fatalf("%s holds %d after a full refund", a.ID(), b)
				}
			}
			withReversal := e.count(`SELECT COUNT(*) FROM refunds WHERE order_id = ? AND amount_discount_reversed > 0`, o.ID)
			if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'coupon.redemption_reversed' AND order_id = ?`, o.ID); n != withReversal || n < 3 {
				t.Fatalf("%d coupon.redemption_reversed events, want one per refund that gave some back (%d)", n, withReversal)
			}
			// The coupon stays used; the campaign's spending is given back.
			amountRedeemed := e.count(`SELECT amount_redeemed FROM coupon_campaigns WHERE id = ?`, c.ID)
			if amountRedeemed != 0 || e.count(`SELECT COUNT(*) FROM coupons WHERE id = ? AND status = 'redeemed'`, coupon.ID) != 1 {
				t.Fatalf("campaign amount_redeemed %d after the full refund", amountRedeemed)
			}
			e.verifyLedger()
		})
	}
}

func TestCouponRefusals(t *testing.T) {
	e := newEnv(t)
	mine := e.payer("13800138000", 100000)
	other := e.payer("13900139000", 100000)
	fresh := func(p checkout.CampaignParams) (checkout.CouponCampaign, checkout.Coupon) {
		p.MaxPerWallet = ptr(10)
		c := e.campaign(p)
		return c, e.send(c.ID, "13800138000")
	}
	_, plain := fresh(checkout.CampaignParams{AmountOff: ptr[int64](100)})
	_, dollars := fresh(checkout.CampaignParams{Currency: "USD", AmountOff: ptr[int64](100)})
	_, big := fresh(checkout.CampaignParams{AmountOff: ptr[int64](100), MinSpend: ptr[int64](5000)})
	paused, pausedCoupon := fresh(checkout.CampaignParams{AmountOff: ptr[int64](100)})
	if _, err := e.checkout.SetCampaignStatus(e.ctx, &e.merchant, paused.ID, checkout.CampaignPaused); err != nil {
		t.Fatal(err)
	}
	ended, endedCoupon := fresh(checkout.CampaignParams{AmountOff: ptr[int64](100)})
	if _, err := e.checkout.SetCampaignStatus(e.ctx, &e.merchant, ended.ID, checkout.CampaignEnded); err != nil {
		t.Fatal(err)
	}
	_, err := e.checkout.SetCampaignStatus(e.ctx, &e.merchant, ended.ID, checkout.CampaignActive)
	wantError(t, err, "campaign_not_active", "campaign")
	tightCampaign, tight := fresh(checkout.CampaignParams{AmountOff: ptr[int64](300), MaxAmount: ptr[int64](500)})
	tight2 := e.send(tightCampaign.ID, "13800138000")
	if _, err := e.payWith(mine, e.order(1000).ID, tight.ID); err != nil {
		t.Fatal(err)
	}
	// Another merchant's campaign is not found by this one.
	otherMerchant, _, err := merchant.NewService(e.db, e.clock.Now).Create(e.ctx, merchant.CreateParams{Name: "Tea"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.checkout.CreateCampaign(e.ctx, merchant.Principal{MerchantID: otherMerchant.ID}, checkout.CampaignParams{
		Name: "Theirs", Currency: "CNY", AmountOff: ptr[int64](100), Claimable: true})
	if err != nil {
		t.Fatal(err)
	}
	theirCoupon, err := e.checkout.ClaimCoupon(e.ctx, mine, false, theirs.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.checkout.GetCampaign(e.ctx, e.merchant, theirs.ID)
	wantError(t, err, "resource_missing", "id")
	_, err = e.checkout.SendCoupon(e.ctx, e.merchant, theirs.ID, "13800138000")
	wantError(t, err, "resource_missing", "id")
	_, err = e.checkout.SendCoupon(e.ctx, e.merchant, plain.Campaign, "13700137000")
	wantError(t, err, "resource_missing", "phone")

	for _, tt := range []struct {
		name   string
		wallet string
		coupon string
		amount int64
		code   string
	}{
		{"not yours", other, plain.ID, 1000, "coupon_not_applicable"},
		{"another currency", mine, dollars.ID, 1000, "coupon_not_applicable"},
		{"under the minimum spend", mine, big.ID, 4999, "coupon_not_applicable"},
		{"another merchant's", mine, theirCoupon.ID, 1000, "coupon_not_applicable"},
		{"paused campaign", mine, pausedCoupon.ID, 1000, "campaign_not_active"},
		{"ended campaign", mine, endedCoupon.ID, 1000, "campaign_not_active"},
		{"budget cannot cover it", mine, tight2.ID, 1000, "coupon_budget_exhausted"},
		{"no such coupon", mine, "cpn_nothing", 1000, "resource_missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := e.order(tt.amount)
			_, err := e.payWith(tt.wallet, o.ID, tt.coupon)
			wantError(t, err, tt.code, "coupon")
			// The order is still payable, without the coupon.
			if _, err := e.checkout.Pay(e.ctx, tt.wallet, checkout.PayParams{Order: o.ID}); err != nil {
				t.Fatalf("the order is no longer payable: %v", err)
			}
		})
	}
	// Expired.
	e.clock.Advance(31 * 24 * time.Hour)
	_, err = e.payWith(mine, e.order(1000).ID, plain.ID)
	wantError(t, err, "coupon_not_applicable", "coupon")
	e.verifyLedger()
}
