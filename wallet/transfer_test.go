package wallet_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/wallet"
)

func TestTopUpAndWithdraw(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)

	top := e.topUp(a.ID, 5000, "CNY")
	if !strings.HasPrefix(top.ID, "tr_") || top.Object != "topup" || top.Amount != 5000 || top.Currency != "CNY" ||
		top.Status != "succeeded" || top.Livemode || !top.CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("top-up %+v", top)
	}
	b, _ := json.Marshal(top)
	for _, want := range []string{`"id":"tr_`, `"object":"topup"`, `"amount":5000`, `"currency":"CNY"`, `"status":"succeeded"`, `"created_at":`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s has no %s", b, want)
		}
	}
	e.topUp(a.ID, 300, "USD")
	out, err := e.wallet.Withdraw(e.ctx, a.ID, 1000, "CNY")
	if err != nil || out.Object != "withdrawal" || out.Amount != 1000 {
		t.Fatalf("Withdraw = %+v, %v", out, err)
	}

	balances, err := e.wallet.Balance(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ledger.CurrencyBalance{{Currency: "CNY", Amount: 4000}, {Currency: "USD", Amount: 300}}; !slices.Equal(balances, want) {
		t.Fatalf("balances %v, want %v", balances, want)
	}
	bank, _ := ledger.Balance(e.ctx, e.db, ledger.BankClearingAccount("CNY", false))
	if bank != -4000 {
		t.Fatalf("bank clearing %d, want -4000", bank)
	}
	if n := e.count("wallet_transfers"); n != 3 {
		t.Fatalf("%d transfers, want 3", n)
	}
	e.verifyLedger()

	// Spending everything leaves a zero balance, still listed.
	if _, err := e.wallet.Withdraw(e.ctx, a.ID, 300, "USD"); err != nil {
		t.Fatal(err)
	}
	balances, _ = e.wallet.Balance(e.ctx, a.ID)
	if want := []ledger.CurrencyBalance{{Currency: "CNY", Amount: 4000}, {Currency: "USD", Amount: 0}}; !slices.Equal(balances, want) {
		t.Fatalf("balances %v, want %v", balances, want)
	}
	fresh := e.open("+86 139 0013 9000")
	if balances, err := e.wallet.Balance(e.ctx, fresh.ID); err != nil || len(balances) != 0 {
		t.Fatalf("a wallet never funded: %v, %v", balances, err)
	}
	_, err = e.wallet.Balance(e.ctx, "wal_nope")
	wantCode(t, err, "resource_missing", "id")
}

func TestWithdrawBeyondBalanceMovesNothing(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	e.topUp(a.ID, 1000, "CNY")
	entries := e.count("ledger_entries")

	for _, tc := range []struct {
		amount   int64
		currency string
	}{{1001, "CNY"}, {1, "USD"}} {
		_, err := e.wallet.Withdraw(e.ctx, a.ID, tc.amount, tc.currency)
		if !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Fatalf("withdraw %d %s: %v, want ErrInsufficientFunds", tc.amount, tc.currency, err)
		}
	}
	if got := e.balance(a.ID, "CNY"); got != 1000 {
		t.Fatalf("balance %d, want 1000", got)
	}
	if n := e.count("wallet_transfers"); n != 1 {
		t.Fatalf("%d transfers, want only the top-up", n)
	}
	if n := e.count("ledger_entries"); n != entries {
		t.Fatalf("%d ledger entries, want %d", n, entries)
	}
	e.verifyLedger()
}

func TestBankDeclineMovesNothing(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)

	_, err := e.wallet.TopUp(e.ctx, a.ID, wallet.SimulatedDeclineAmount, "CNY")
	if !errors.Is(err, wallet.ErrBankDeclined) {
		t.Fatalf("err = %v, want ErrBankDeclined", err)
	}
	if n := e.count("wallet_transfers") + e.count("ledger_entries") + e.count("ledger_accounts"); n != 0 {
		t.Fatalf("the declined top-up left %d rows", n)
	}

	e.topUp(a.ID, 1000, "CNY")
	_, err = e.wallet.Withdraw(e.ctx, a.ID, wallet.SimulatedDeclineAmount, "CNY")
	wantCode(t, err, "bank_declined", "")
	if got := e.balance(a.ID, "CNY"); got != 1000 {
		t.Fatalf("balance %d after a declined withdrawal, want 1000", got)
	}
	if n := e.count("wallet_transfers"); n != 1 {
		t.Fatalf("%d transfers, want only the top-up", n)
	}
	e.verifyLedger()
}

// recordingBank is a bank that remembers its calls and fails when told.
type recordingBank struct {
	calls []string
	err   error
}

func (b *recordingBank) Charge(_ context.Context, walletID string, amount int64, currency, reference string) error {
	b.calls = append(b.calls, "charge "+walletID+" "+currency+" "+reference)
	return b.err
}

func (b *recordingBank) Payout(_ context.Context, walletID string, amount int64, currency, reference string) error {
	b.calls = append(b.calls, "payout "+walletID+" "+currency+" "+reference)
	return b.err
}

func TestBankIsCalledWithTheTransferAndItsFailureRollsBack(t *testing.T) {
	bank := &recordingBank{}
	e := newEnvWith(t, wallet.Config{Bank: bank})
	a := e.open(testPhone)
	top := e.topUp(a.ID, 700, "JPY")
	out, err := e.wallet.Withdraw(e.ctx, a.ID, 200, "JPY")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"charge " + a.ID + " JPY " + top.ID, "payout " + a.ID + " JPY " + out.ID}
	if !slices.Equal(bank.calls, want) {
		t.Fatalf("bank calls %q, want %q", bank.calls, want)
	}

	bank.err = errors.New("connection reset")
	_, err = e.wallet.TopUp(e.ctx, a.ID, 100, "JPY")
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v, want the bank's failure", err)
	}
	if _, ok := scanpay.ErrorOf(err); ok {
		t.Fatalf("a bank outage became a client error: %v", err)
	}
	if got := e.balance(a.ID, "JPY"); got != 500 {
		t.Fatalf("balance %d, want 500", got)
	}
	if n := e.count("wallet_transfers"); n != 2 {
		t.Fatalf("%d transfers, want 2", n)
	}
	e.verifyLedger()
}

func TestTransferRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	e.topUp(a.ID, 1000, "CNY")
	for _, tc := range []struct {
		name        string
		wallet      string
		amount      int64
		currency    string
		code, param string
	}{
		{"zero", a.ID, 0, "CNY", "parameter_invalid", "amount"},
		{"negative", a.ID, -5, "CNY", "parameter_invalid", "amount"},
		{"above the cap", a.ID, wallet.DefaultMaxTransfer + 1, "CNY", "parameter_invalid", "amount"},
		{"no currency", a.ID, 100, "", "parameter_missing", "currency"},
		{"lower case", a.ID, 100, "cny", "parameter_invalid", "currency"},
		{"unknown currency", a.ID, 100, "XXX", "parameter_invalid", "currency"},
		{"unknown wallet", "wal_nope", 100, "CNY", "resource_missing", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.wallet.TopUp(e.ctx, tc.wallet, tc.amount, tc.currency)
			wantCode(t, err, tc.code, tc.param)
			_, err = e.wallet.Withdraw(e.ctx, tc.wallet, tc.amount, tc.currency)
			wantCode(t, err, tc.code, tc.param)
		})
	}
	if _, err := e.wallet.TopUp(e.ctx, a.ID, wallet.DefaultMaxTransfer, "CNY"); err != nil {
		t.Fatalf("a top-up of exactly the cap: %v", err)
	}
	if n := e.count("wallet_transfers"); n != 2 {
		t.Fatalf("%d transfers, want 2", n)
	}
}
