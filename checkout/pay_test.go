package checkout_test

import (
	"testing"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
)

func TestPayMovesTheMoneyOnce(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 50000)
	o := e.order(1250)
	p := e.pay(walletID, o.ID)
	if p.Order != o.ID || p.Amount != 1250 || p.Status != "succeeded" || p.Merchant != "Blue Bottle" {
		t.Fatalf("payment %+v", p)
	}
	got, err := e.checkout.GetOrder(e.ctx, e.merchant, o.ID)
	if err != nil || got.Status != checkout.StatusPaid || got.AmountPaid != 1250 || got.Fee != 8 || got.PaidAt == nil {
		t.Fatalf("order after payment %+v, %v", got, err)
	}
	if b := e.balance(ledger.WalletAccount(walletID, "CNY", false)); b != 50000-1250 {
		t.Fatalf("wallet %d", b)
	}
	if b := e.balance(ledger.MerchantPendingAccount(e.merchant.MerchantID, "CNY", false)); b != 1250-8 {
		t.Fatalf("merchant pending %d", b)
	}
	_, err = e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: o.ID})
	wantError(t, err, "order_not_payable", "order")
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'order.paid' AND order_id = ?`, o.ID); n != 1 {
		t.Fatalf("%d order.paid events", n)
	}
	e.verifyLedger()
}

func TestPayRefusals(t *testing.T) {
	e := newEnv(t)
	poor := e.payer("13800138000", 100)
	rich := e.payer("13900139000", 1_000_000)
	o := e.order(1250)
	_, err := e.checkout.Pay(e.ctx, poor, checkout.PayParams{Order: o.ID})
	wantError(t, err, "insufficient_funds", "")
	_, err = e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: ""})
	wantError(t, err, "parameter_missing", "order")
	_, err = e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: "ord_nothing"})
	wantError(t, err, "resource_missing", "order")
	big := e.order(30000) // above the no-PIN limit
	_, err = e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: big.ID})
	wantError(t, err, "pin_required", "pin")
	_, err = e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: big.ID, PIN: "246801"})
	wantError(t, err, "incorrect_pin", "pin")
	if _, err := e.wallets.Freeze(e.ctx, rich); err != nil {
		t.Fatal(err)
	}
	_, err = e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: o.ID})
	wantError(t, err, "wallet_frozen", "")
	if n := e.count(`SELECT COUNT(*) FROM payments`); n != 0 {
		t.Fatalf("%d payments after refusals", n)
	}
	// The refused order is still payable by someone who can.
	if _, err := e.wallets.Unfreeze(e.ctx, rich, "135790"); err != nil {
		t.Fatal(err)
	}
	e.pay(rich, o.ID)
	if _, err := e.checkout.Pay(e.ctx, rich, checkout.PayParams{Order: big.ID, PIN: "135790"}); err != nil {
		t.Fatalf("with the PIN: %v", err)
	}
	e.verifyLedger()
}
