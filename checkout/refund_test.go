package checkout_test

import (
	"testing"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
)

// TestPartialRefundsAddUp refunds an order in uneven parts: the payer gets
// exactly what was paid back, the platform returns exactly its whole fee,
// and the order ends refunded.
func TestPartialRefundsAddUp(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	o := e.order(9999)
	e.pay(walletID, o.ID)
	for i, amount := range []int64{1, 3333, 3333, 3332} {
		r, err := e.checkout.CreateRefund(e.ctx, e.merchant, checkout.RefundParams{Order: o.ID, Amount: &amount, Reason: "returned"})
		if err != nil || r.Amount != amount || r.Status != "succeeded" {
			t.Fatalf("refund %d = %+v, %v", i, r, err)
		}
	}
	got, err := e.checkout.GetOrder(e.ctx, e.merchant, o.ID)
	if err != nil || got.Status != checkout.StatusRefunded || got.AmountRefunded != 9999 {
		t.Fatalf("order %+v, %v", got, err)
	}
	if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 50000 {
		t.Fatalf("wallet %d after a full refund, want 50000", b)
	}
	for _, a := range []ledger.Account{ledger.MerchantPendingAccount(e.merchant.MerchantID, "CNY", false), ledger.PlatformFeesAccount("CNY", false)} {
		if b := e.balance(a); b != 0 {
			t.Fatalf("%s holds %d after a full refund", a.ID(), b)
		}
	}
	if n := e.count(`SELECT COALESCE(SUM(fee_refunded), 0) FROM refunds WHERE order_id = ?`, o.ID); n != got.Fee {
		t.Fatalf("fees refunded %d, want the whole fee %d", n, got.Fee)
	}
	one := int64(1)
	_, err = e.checkout.CreateRefund(e.ctx, e.merchant, checkout.RefundParams{Order: o.ID, Amount: &one})
	wantError(t, err, "refund_exceeds_payment", "amount")
	e.verifyLedger()
}

func TestRefundRefusals(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	pending := e.order(100)
	paid := e.order(1000)
	e.pay(walletID, paid.ID)
	zero, over := int64(0), int64(1001)
	for _, tt := range []struct {
		name   string
		p      merchant.Principal
		params checkout.RefundParams
		code   string
		param  string
	}{
		{"no order", e.merchant, checkout.RefundParams{}, "parameter_missing", "order"},
		{"zero amount", e.merchant, checkout.RefundParams{Order: paid.ID, Amount: &zero}, "parameter_invalid", "amount"},
		{"over the payment", e.merchant, checkout.RefundParams{Order: paid.ID, Amount: &over}, "refund_exceeds_payment", "amount"},
		{"unpaid order", e.merchant, checkout.RefundParams{Order: pending.ID}, "order_not_refundable", "order"},
		{"another merchant's order", merchant.Principal{MerchantID: "mch_other"}, checkout.RefundParams{Order: paid.ID}, "resource_missing", "order"},
		{"the other mode", merchant.Principal{MerchantID: e.merchant.MerchantID, Livemode: true}, checkout.RefundParams{Order: paid.ID}, "resource_missing", "order"},
		{"control character in the reason", e.merchant, checkout.RefundParams{Order: paid.ID, Reason: "a\x00"}, "parameter_invalid", "reason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.checkout.CreateRefund(e.ctx, tt.p, tt.params)
			wantError(t, err, tt.code, tt.param)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM refunds`); n != 0 {
		t.Fatalf("%d refunds stored by refused requests", n)
	}
}
