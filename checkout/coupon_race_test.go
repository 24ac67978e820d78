package checkout_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

// TestThousandPaymentsRaceForAHundredCoupons: 1,000 payments, each with a
// coupon of its own, race for a campaign that may be redeemed 100 times.
// Exactly 100 go through and the budget is spent to the unit, whatever
// the concurrency; every other order stays payable.
func TestThousandPaymentsRaceForAHundredCoupons(t *testing.T) {
	e := newEnv(t)
	const payers, perPayer, budget = 20, 50, 100
	c := e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](10), MaxCoupons: ptr[int64](budget),
		MaxAmount: ptr[int64](budget * 10), MaxPerWallet: ptr(perPayer)})
	type attempt struct{ wallet, order, coupon string }
	var attempts []attempt
	for i := range payers {
		phone := fmt.Sprintf("1390000%04d", i)
		walletID := e.payer(phone, 100_000)
		for range perPayer {
			attempts = append(attempts, attempt{walletID, e.order(100).ID, e.send(c.ID, phone).ID})
		}
	}
	rand.Shuffle(len(attempts), func(i, j int) { attempts[i], attempts[j] = attempts[j], attempts[i] })
	var paid, exhausted, other int
	var mu sync.Mutex
	work := make(chan attempt)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for a := range work {
				_, err := e.payWith(a.wallet, a.order, a.coupon)
				mu.Lock()
				switch {
				case err == nil:
					paid++
				case errors.Is(err, checkout.ErrCouponBudgetExhausted):
					exhausted++
				default:
					other++
					t.Errorf("payment: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	for _, a := range attempts {
		work <- a
	}
	close(work)
	wg.Wait()
	if paid != budget || exhausted != len(attempts)-budget || other != 0 {
		t.Fatalf("%d paid, %d refused for the budget, %d otherwise; want %d and %d", paid, exhausted, other, budget, len(attempts)-budget)
	}
	got, err := e.checkout.GetCampaign(e.ctx, e.merchant, c.ID)
	if err != nil || got.Redeemed != budget || got.AmountRedeemed != budget*10 || *got.BudgetLeft != 0 || got.Status != checkout.CampaignExhausted {
		t.Fatalf("campaign %+v, %v", got, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'pending'`); n != int64(len(attempts)-budget) {
		t.Fatalf("%d orders still pending, want %d", n, len(attempts)-budget)
	}
	e.verifyLedger()
}

// TestOneCouponOnTwoOrdersAtOnce: the coupon pays for one of them only,
// and the other order stays payable.
func TestOneCouponOnTwoOrdersAtOnce(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 100_000)
	c := e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](100), MaxPerWallet: ptr(20)})
	for round := range 20 {
		coupon := e.send(c.ID, "13800138000")
		orders := []string{e.order(1000).ID, e.order(1000).ID}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, o := range orders {
			wg.Go(func() { _, errs[i] = e.payWith(walletID, o, coupon.ID) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			if !errors.Is(err, checkout.ErrCouponNotApplicable) {
				t.Fatalf("round %d: the loser got %v", round, err)
			}
			if _, err := e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: orders[i]}); err != nil {
				t.Fatalf("round %d: the other order is not payable: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: the coupon paid %d orders", round, won)
		}
	}
	e.verifyLedger()
}

// TestCouponRacingItsCampaignsEnd ends campaigns while payments with their
// coupons run: each payment either went through before the end, counted
// by the campaign, or is refused; never counted by an ended campaign. The
// race is run until both outcomes have happened. Either side gets a head
// start of up to twice what a payment with a coupon takes alone (which
// the race detector stretches many times), so that each can win.
func TestCouponRacingItsCampaignsEnd(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 1_000_000)
	first := e.send(e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](100)}).ID, "13800138000")
	firstOrder := e.order(1000)
	solo := time.Now()
	if _, err := e.payWith(walletID, firstOrder.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	spread := max(2*time.Millisecond, 2*time.Since(solo))
	outcomes := map[bool]int{}
	for round := 0; round < 300 && (round < 30 || outcomes[true] < 5 || outcomes[false] < 5); round++ {
		c := e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](100)})
		coupon := e.send(c.ID, "13800138000")
		o := e.order(1000)
		headStart := time.Duration(rand.Int64N(int64(2*spread))) - spread
		var payErr, endErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(max(0, -headStart))
			_, payErr = e.payWith(walletID, o.ID, coupon.ID)
		})
		wg.Go(func() {
			time.Sleep(max(0, headStart))
			_, endErr = e.checkout.SetCampaignStatus(e.ctx, &e.merchant, c.ID, checkout.CampaignEnded)
		})
		wg.Wait()
		if endErr != nil {
			t.Fatal(endErr)
		}
		got, err := e.checkout.GetCampaign(e.ctx, e.merchant, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case payErr == nil && got.Redeemed == 1:
		case payErr != nil && got.Redeemed == 0:
			var se *scanpay.Error
			if !errors.As(payErr, &se) || (se.Code != "campaign_not_active") {
				t.Fatalf("round %d: refused with %v", round, payErr)
			}
		default:
			t.Fatalf("round %d: payment %v, but the campaign counts %d redemptions", round, payErr, got.Redeemed)
		}
		outcomes[payErr == nil]++
	}
	if outcomes[true] < 5 || outcomes[false] < 5 {
		t.Fatalf("%d paid, %d refused: the race never went both ways enough", outcomes[true], outcomes[false])
	}
	e.verifyLedger()
}
