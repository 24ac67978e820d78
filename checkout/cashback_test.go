package checkout_test

import (
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
)

func (e *env) cashbackCampaign(p checkout.CashbackCampaignParams) checkout.CashbackCampaign {
	e.t.Helper()
	if p.Name == "" {
		p.Name = "Back"
	}
	if p.Currency == "" {
		p.Currency = "CNY"
	}
	c, err := e.checkout.CreateCashbackCampaign(e.ctx, e.merchant, p)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) cashbacksOf(orderID string) []checkout.Cashback {
	e.t.Helper()
	list, _, err := e.checkout.ListCashbacks(e.ctx, e.merchant, orderID, 10, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) refund(orderID string, amount int64) checkout.Refund {
	e.t.Helper()
	r, err := e.checkout.CreateRefund(e.ctx, e.merchant, checkout.RefundParams{Order: orderID, Amount: &amount})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestCashbackCampaignBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name  string
		p     checkout.CashbackCampaignParams
		code  string
		param string
	}{
		{"no rate", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", BudgetAmount: ptr[int64](100)}, "parameter_missing", "rate_bps"},
		{"rate above 100%", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(10001), BudgetAmount: ptr[int64](100)}, "parameter_invalid", "rate_bps"},
		{"zero rate", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(0), BudgetAmount: ptr[int64](100)}, "parameter_invalid", "rate_bps"},
		{"no budget", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100)}, "parameter_missing", "budget_amount"},
		{"zero budget", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](0)}, "parameter_invalid", "budget_amount"},
		{"negative per payment", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](100), MaxPerPayment: ptr[int64](-1)}, "parameter_invalid", "max_per_payment"},
		{"negative per wallet", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](100), MaxPerWallet: ptr[int64](-3)}, "parameter_invalid", "max_per_wallet"},
		{"negative hold", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](100), HoldDays: ptr(-1)}, "parameter_invalid", "hold_days"},
		{"hold past 90 days", checkout.CashbackCampaignParams{Name: "x", Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](100), HoldDays: ptr(91)}, "parameter_invalid", "hold_days"},
		{"unknown currency", checkout.CashbackCampaignParams{Name: "x", Currency: "ABC", RateBPS: ptr(100), BudgetAmount: ptr[int64](100)}, "parameter_invalid", "currency"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.checkout.CreateCashbackCampaign(e.ctx, e.merchant, tt.p)
			wantError(t, err, tt.code, tt.param)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM cashback_campaigns`); n != 0 {
		t.Fatalf("%d campaigns stored by bad input", n)
	}
	// Another merchant's campaign and cashback are not found.
	c := e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(500), BudgetAmount: ptr[int64](10000)})
	walletID := e.payer("13800138000", 10000)
	o := e.order(1000)
	e.pay(walletID, o.ID)
	cb := e.cashbacksOf(o.ID)[0]
	stranger := merchant.Principal{MerchantID: "mch_stranger"}
	_, err := e.checkout.GetCashbackCampaign(e.ctx, stranger, c.ID)
	wantError(t, err, "resource_missing", "id")
	_, err = e.checkout.SetCashbackCampaignStatus(e.ctx, &stranger, c.ID, checkout.CampaignPaused)
	wantError(t, err, "resource_missing", "id")
	_, err = e.checkout.GetCashback(e.ctx, stranger, cb.ID)
	wantError(t, err, "resource_missing", "id")
}

// TestCashbackIsHeldThenCredited: 5% back, held 7 days. Nothing pending is
// spendable; a release before the hold credits nothing, one after it
// credits the wallet once, however many run at once.
func TestCashbackIsHeldThenCredited(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	c := e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(500), BudgetAmount: ptr[int64](100000)})
	o := e.order(1999)
	paidAt := e.clock.Now()
	e.pay(walletID, o.ID)
	cbs := e.cashbacksOf(o.ID)
	if len(cbs) != 1 || cbs[0].Amount != 99 || cbs[0].Status != checkout.CashbackPending ||
		!cbs[0].AvailableAt.Equal(paidAt.AddDate(0, 0, 7)) || cbs[0].Campaign != c.ID {
		t.Fatalf("cashbacks %+v", cbs)
	}
	wallet := ledger.WalletAccount(walletID, "CNY", false)
	if b := e.balance(wallet); b != 50000-1999 {
		t.Fatalf("wallet %d: held cashback must not be spendable", b)
	}
	if b := e.balance(ledger.CashbackPendingAccount("CNY", false)); b != 99 {
		t.Fatalf("cashback pending %d", b)
	}
	if n, err := e.checkout.ReleaseCashback(e.ctx, paidAt.AddDate(0, 0, 7).Add(-time.Second)); err != nil || n != 0 {
		t.Fatalf("release before the hold: %d, %v", n, err)
	}
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Go(func() {
			n, err := e.checkout.ReleaseCashback(e.ctx, paidAt.AddDate(0, 0, 7))
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if total := counts[0] + counts[1] + counts[2] + counts[3]; total != 1 {
		t.Fatalf("four releases at once credited %v, want one in all", counts)
	}
	if b := e.balance(wallet); b != 50000-1999+99 {
		t.Fatalf("wallet %d after the release", b)
	}
	if cb := e.cashbacksOf(o.ID)[0]; cb.Status != checkout.CashbackCredited || cb.AmountCredited != 99 || cb.CreditedAt == nil {
		t.Fatalf("cashback %+v", cb)
	}
	for typ, want := range map[string]int64{"cashback.created": 1, "cashback.credited": 1} {
		if n := e.count(`SELECT COUNT(*) FROM events WHERE type = ? AND order_id = ?`, typ, o.ID); n != want {
			t.Fatalf("%d %s events", n, typ)
		}
	}
	e.verifyLedger()
}

// TestCashbackOnACouponPaymentIsOnWhatWasPaid: the rate applies after the
// discount, and a platform campaign runs beside the merchant's.
func TestCashbackOnACouponPaymentIsOnWhatWasPaid(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(1000), BudgetAmount: ptr[int64](100000), HoldDays: ptr(0)})
	if _, err := e.checkout.CreatePlatformCashbackCampaign(e.ctx, false, checkout.CashbackCampaignParams{Name: "Platform",
		Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](100000), MaxPerPayment: ptr[int64](5), HoldDays: ptr(0)}); err != nil {
		t.Fatal(err)
	}
	coupon := e.send(e.campaign(checkout.CampaignParams{AmountOff: ptr[int64](200)}).ID, "13800138000")
	o := e.order(1200)
	preview, err := e.checkout.Scan(e.ctx, walletID, o.QR.Payload)
	if err != nil || len(preview.Cashback) != 2 {
		t.Fatalf("preview %+v, %v", preview, err)
	}
	if _, err := e.payWith(walletID, o.ID, coupon.ID); err != nil {
		t.Fatal(err)
	}
	var merchantCB, platformCB int64
	for _, cb := range e.cashbacksOf(o.ID) {
		if cb.Funding == checkout.FundingMerchant {
			merchantCB = cb.Amount
		} else {
			platformCB = cb.Amount
		}
	}
	if merchantCB != 100 || platformCB != 5 {
		t.Fatalf("cashback %d from the merchant, %d from the platform; want 10%% of 1000 paid and the platform's cap", merchantCB, platformCB)
	}
	if b := e.balance(ledger.PlatformMarketingAccount("CNY", false)); b != -5 {
		t.Fatalf("marketing %d", b)
	}
	if n, err := e.checkout.ReleaseCashback(e.ctx, e.clock.Now()); err != nil || n != 2 {
		t.Fatalf("release with no hold: %d, %v", n, err)
	}
	e.verifyLedger()
}

// TestRefundsTakeCashbackBack: a partial refund reduces held cashback by
// its share. Once the cashback is credited and the payer has spent it,
// refunds take their share back from what the wallet holds, down to zero;
// the rest is the wallet's debt, which the next cashback repays before the
// wallet sees any of it. The payer always gets their refund whole.
func TestRefundsTakeCashbackBack(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 10000)
	wallet := ledger.WalletAccount(walletID, "CNY", false)
	debt := ledger.CashbackDebtAccount(walletID, "CNY", false)
	e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(1000), BudgetAmount: ptr[int64](100000)})

	// Held: a quarter refunded takes a quarter of the cashback.
	o := e.order(8000)
	e.pay(walletID, o.ID) // earns 800, held
	e.refund(o.ID, 2000)
	if cb := e.cashbacksOf(o.ID)[0]; cb.Amount != 800 || cb.AmountPending != 600 || cb.AmountReversed != 200 || cb.Status != checkout.CashbackPending {
		t.Fatalf("after a quarter refunded: %+v", cb)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	if n, err := e.checkout.ReleaseCashback(e.ctx, e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if b := e.balance(wallet); b != 10000-8000+2000+600 {
		t.Fatalf("wallet %d after the release", b)
	}
	// The payer takes all but 30 out to their bank (a payment would earn
	// cashback of its own).
	if _, err := e.wallets.Withdraw(e.ctx, walletID, e.balance(wallet)-30, "CNY"); err != nil {
		t.Fatal(err)
	}
	// Another quarter of the price: 2000 back to the payer, 200 of the
	// cashback taken back: 30 from what the wallet held, 170 as debt.
	e.refund(o.ID, 2000)
	if b, d := e.balance(wallet), e.balance(debt); b != 2000 || d != -170 {
		t.Fatalf("wallet %d and debt %d; want the refund whole and 170 owed", b, d)
	}
	cb := e.cashbacksOf(o.ID)[0]
	if cb.AmountCredited != 400 || cb.AmountReversed != 400 || cb.AmountToDebt != 170 || cb.Status != checkout.CashbackCredited {
		t.Fatalf("cashback %+v", cb)
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'cashback.reversed' AND order_id = ?`, o.ID); n != 2 {
		t.Fatalf("%d cashback.reversed events", n)
	}

	// The next cashback repays the debt first: 100 earned, all of it to
	// the debt; then 300 earned, 70 to the debt and 230 to the wallet.
	for _, tt := range []struct{ price, toDebt, toWallet int64 }{{1000, 100, 0}, {3000, 70, 230}} {
		if _, err := e.wallets.TopUp(e.ctx, walletID, tt.price, "CNY"); err != nil {
			t.Fatal(err)
		}
		before := e.balance(wallet)
		next := e.order(tt.price)
		e.pay(walletID, next.ID)
		e.clock.Advance(7 * 24 * time.Hour)
		if _, err := e.checkout.ReleaseCashback(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got := e.cashbacksOf(next.ID)[0]
		if got.AmountNetted != tt.toDebt || e.balance(wallet) != before-tt.price+tt.toWallet {
			t.Fatalf("cashback %+v; wallet %d from %d", got, e.balance(wallet), before)
		}
	}
	if d := e.balance(debt); d != 0 {
		t.Fatalf("debt %d after the netting", d)
	}
	summary := e.walletSummary(walletID)
	if summary.Debt != 0 || summary.Pending != 0 {
		t.Fatalf("summary %+v", summary)
	}
	e.verifyLedger()
}

// walletSummary is the wallet's CNY cashback totals.
func (e *env) walletSummary(walletID string) checkout.CashbackSummary {
	e.t.Helper()
	_, _, totals, err := e.checkout.WalletCashbacks(e.ctx, walletID, false, 10, "")
	if err != nil || len(totals) != 1 {
		e.t.Fatalf("totals %+v, %v", totals, err)
	}
	return totals[0]
}

// TestCashbackBudgetRunsOutMidRace: payments race for a budget that covers
// some of them; exactly the budget is given, the last cashback taking
// what was left, never more.
func TestCashbackBudgetRunsOutMidRace(t *testing.T) {
	e := newEnv(t)
	const budget = 1234
	c := e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(1000), BudgetAmount: ptr[int64](budget)})
	type attempt struct{ wallet, order string }
	var attempts []attempt
	for i := range 10 {
		walletID := e.payer("1390000000"+string(rune('0'+i)), 1_000_000)
		for range 10 {
			attempts = append(attempts, attempt{walletID, e.order(1000).ID})
		}
	}
	var wg sync.WaitGroup
	work := make(chan attempt)
	for range 16 {
		wg.Go(func() {
			for a := range work {
				if _, err := e.checkout.Pay(e.ctx, a.wallet, checkout.PayParams{Order: a.order}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, a := range attempts {
		work <- a
	}
	close(work)
	wg.Wait()
	given := e.count(`SELECT COALESCE(SUM(amount), 0) FROM cashbacks WHERE campaign_id = ?`, c.ID)
	if given != budget {
		t.Fatalf("%d given from a budget of %d", given, budget)
	}
	if n := e.count(`SELECT COUNT(*) FROM cashbacks WHERE campaign_id = ?`, c.ID); n != 13 {
		t.Fatalf("%d cashbacks: want twelve of 100 and one of 34", n)
	}
	got, err := e.checkout.GetCashbackCampaign(e.ctx, e.merchant, c.ID)
	if err != nil || got.BudgetLeft != 0 || got.Status != checkout.CampaignExhausted || got.AmountPending != budget {
		t.Fatalf("campaign %+v, %v", got, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM payments`); n != 100 {
		t.Fatalf("%d payments: a spent budget must not stop a payment", n)
	}
	e.verifyLedger()
}

// TestFullRefundBeforeReleaseReversesTheCashback: nothing is credited.
func TestFullRefundBeforeReleaseReversesTheCashback(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 10000)
	c := e.cashbackCampaign(checkout.CashbackCampaignParams{RateBPS: ptr(300), BudgetAmount: ptr[int64](10000), MaxPerWallet: ptr[int64](120)})
	o := e.order(3333)
	e.pay(walletID, o.ID)
	e.refund(o.ID, 3333)
	cb := e.cashbacksOf(o.ID)[0]
	if cb.Status != checkout.CashbackReversed || cb.AmountReversed != 99 || cb.AmountPending != 0 {
		t.Fatalf("cashback %+v", cb)
	}
	if n, err := e.checkout.ReleaseCashback(e.ctx, e.clock.Now().AddDate(1, 0, 0)); err != nil || n != 0 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 10000 {
		t.Fatalf("wallet %d", b)
	}
	// The budget and the wallet's cap of 120 are given back: the next
	// payment earns its whole 99 again, not the 21 left without them.
	o2 := e.order(3333)
	e.pay(walletID, o2.ID)
	if cb := e.cashbacksOf(o2.ID)[0]; cb.Amount != 99 {
		t.Fatalf("second cashback %+v, want 99", cb)
	}
	got, err := e.checkout.GetCashbackCampaign(e.ctx, e.merchant, c.ID)
	if err != nil || got.BudgetLeft != 10000-99 || got.AmountReversed != 99 {
		t.Fatalf("campaign %+v, %v", got, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'cashback.reversed' AND order_id = ?`, o.ID); n != 1 {
		t.Fatalf("%d cashback.reversed events", n)
	}
	e.verifyLedger()
}
