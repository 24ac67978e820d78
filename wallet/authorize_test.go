package wallet_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/wallet"
	"gorm.io/gorm"
)

func TestAuthorizeAgainstTheNoPINLimit(t *testing.T) {
	e := newEnv(t)
	const limit = wallet.DefaultNoPINLimit
	for i, tc := range []struct {
		amount int64
		pin    string
		code   string
	}{
		{limit - 1, "", ""},
		{limit, "", ""},
		{limit + 1, "", "pin_required"},
		{limit - 1, testPIN, ""},
		{limit, testPIN, ""},
		{limit + 1, testPIN, ""},
		{limit - 1, wrongPIN, "incorrect_pin"}, // a PIN given is checked, whatever the amount
		{limit, wrongPIN, "incorrect_pin"},
		{limit + 1, wrongPIN, "incorrect_pin"},
		{limit + 1, "12", "parameter_invalid"},
	} {
		t.Run(fmt.Sprintf("%d with %q", tc.amount, tc.pin), func(t *testing.T) {
			a := e.open(fmt.Sprintf("+86 138 0000 %04d", i))
			got, err := e.wallet.Authorize(e.ctx, a.ID, tc.amount, tc.pin)
			param := ""
			if tc.code != "" {
				param = "pin"
			}
			wantCode(t, err, tc.code, param)
			if err == nil && !sameAccount(got, a) {
				t.Fatalf("Authorize returned %+v, want %+v", got, a)
			}
			if se, ok := scanpay.ErrorOf(err); ok && se.Code != "parameter_invalid" && se.Kind != scanpay.KindDeclined {
				t.Fatalf("%s is %s, want declined", se.Code, se.Kind)
			}
		})
	}
	_, err := e.wallet.Authorize(e.ctx, "wal_nope", 1, "")
	wantCode(t, err, "resource_missing", "id")
}

func TestFrozenWalletCannotPayOrWithdraw(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	e.topUp(a.ID, 5000, "CNY")

	frozen, err := e.wallet.Freeze(e.ctx, a.ID)
	if err != nil || !frozen.Frozen {
		t.Fatalf("Freeze = %+v, %v", frozen, err)
	}
	if again, err := e.wallet.Freeze(e.ctx, a.ID); err != nil || !again.Frozen {
		t.Fatalf("freezing twice: %+v, %v", again, err)
	}
	for _, pin := range []string{"", testPIN} {
		_, err := e.wallet.Authorize(e.ctx, a.ID, 1, pin)
		if !errors.Is(err, wallet.ErrWalletFrozen) {
			t.Fatalf("Authorize with %q: %v, want ErrWalletFrozen", pin, err)
		}
	}
	if se, _ := scanpay.ErrorOf(wallet.ErrWalletFrozen); se.Kind != scanpay.KindForbidden {
		t.Fatalf("wallet_frozen is %s, want forbidden", se.Kind)
	}
	err = e.db.Transaction(func(tx *gorm.DB) error { return e.wallet.CheckNotFrozen(tx, a.ID) })
	wantCode(t, err, "wallet_frozen", "")
	_, err = e.wallet.Withdraw(e.ctx, a.ID, 100, "CNY")
	wantCode(t, err, "wallet_frozen", "")
	if got := e.balance(a.ID, "CNY"); got != 5000 {
		t.Fatalf("balance %d, want 5000", got)
	}
	e.topUp(a.ID, 100, "CNY") // money may still come in

	_, err = e.wallet.Unfreeze(e.ctx, a.ID, "")
	wantCode(t, err, "parameter_missing", "pin")
	_, err = e.wallet.Unfreeze(e.ctx, a.ID, wrongPIN)
	wantCode(t, err, "incorrect_pin", "pin")
	if n := e.failedAttempts(a.ID); n != 1 {
		t.Fatalf("%d failed attempts, want the wrong PIN counted", n)
	}
	if got, _ := e.wallet.Get(e.ctx, a.ID); !got.Frozen {
		t.Fatal("a wrong PIN unfroze the wallet")
	}
	thawed, err := e.wallet.Unfreeze(e.ctx, a.ID, testPIN)
	if err != nil || thawed.Frozen {
		t.Fatalf("Unfreeze = %+v, %v", thawed, err)
	}
	if _, err := e.wallet.Authorize(e.ctx, a.ID, 1, ""); err != nil {
		t.Fatalf("Authorize after unfreezing: %v", err)
	}
	if err := e.db.Transaction(func(tx *gorm.DB) error { return e.wallet.CheckNotFrozen(tx, a.ID) }); err != nil {
		t.Fatalf("CheckNotFrozen after unfreezing: %v", err)
	}
	if _, err := e.wallet.Withdraw(e.ctx, a.ID, 5100, "CNY"); err != nil {
		t.Fatalf("Withdraw after unfreezing: %v", err)
	}

	_, err = e.wallet.Freeze(e.ctx, "wal_nope")
	wantCode(t, err, "resource_missing", "id")
	_, err = e.wallet.Unfreeze(e.ctx, "wal_nope", testPIN)
	wantCode(t, err, "resource_missing", "id")
	err = e.db.Transaction(func(tx *gorm.DB) error { return e.wallet.CheckNotFrozen(tx, "wal_nope") })
	wantCode(t, err, "resource_missing", "id")
	e.verifyLedger()
}
