package wallet_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
)

func TestCreateAccount(t *testing.T) {
	e := newEnv(t)
	signUp, err := e.wallet.CreateAccount(e.ctx, testPhone, testPIN)
	if err != nil {
		t.Fatal(err)
	}
	a, token := signUp.Account, signUp.Token
	if !strings.HasPrefix(a.ID, "wal_") || a.Object != "wallet" || a.Livemode || a.Frozen ||
		a.NoPINLimit != wallet.DefaultNoPINLimit || !a.CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("account %+v", a)
	}
	b, _ := json.Marshal(a)
	for _, want := range []string{`"object":"wallet"`, `"livemode":false`, `"phone":"+86 138****8000"`, `"frozen":false`, `"no_pin_limit":20000`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s has no %s", b, want)
		}
	}
	if strings.Contains(string(b), "13800138000") {
		t.Errorf("json %s shows the whole phone number", b)
	}
	s, err := e.wallet.Authenticate(token)
	if err != nil || s.WalletID != a.ID || s.Livemode {
		t.Fatalf("the new account's token: %+v, %v", s, err)
	}
	got, err := e.wallet.Get(e.ctx, a.ID)
	if err != nil || !sameAccount(got, a) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, a)
	}

	var stored struct{ Phone, PINHash string }
	storagetest.Scan(t, e.db, &stored, `SELECT phone, pin_hash FROM wallets WHERE id = ?`, a.ID)
	if stored.Phone != "+8613800138000" {
		t.Errorf("stored phone %q, want it normalised", stored.Phone)
	}
	if strings.Contains(stored.PINHash, testPIN) || !strings.HasPrefix(stored.PINHash, "$2") {
		t.Fatalf("stored PIN %q is not a bcrypt hash", stored.PINHash)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(stored.PINHash), []byte(testPIN)); err != nil {
		t.Fatalf("the stored hash does not match the PIN: %v", err)
	}
}

func TestCreateAccountRefusesBadInputAndDuplicates(t *testing.T) {
	e := newEnv(t)
	e.open(testPhone)
	for _, tc := range []struct {
		name, phone, pin, code, param string
	}{
		{"same phone written another way", "138-0013-8000", testPIN, "phone_already_registered", "phone"},
		{"no phone", "", testPIN, "parameter_missing", "phone"},
		{"bad phone", "12345", testPIN, "parameter_invalid", "phone"},
		{"no pin", "13900139000", "", "parameter_missing", "pin"},
		{"short pin", "13900139000", "1357", "parameter_invalid", "pin"},
		{"repeated pin", "13900139000", "888888", "pin_too_simple", "pin"},
		{"run pin", "13900139000", "654321", "pin_too_simple", "pin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signUp, err := e.wallet.CreateAccount(e.ctx, tc.phone, tc.pin)
			wantCode(t, err, tc.code, tc.param)
			if signUp.Token != "" {
				t.Error("a token came back with the error")
			}
		})
	}
	_, err := e.wallet.CreateAccount(e.ctx, "13800138000", testPIN)
	if se, _ := scanpay.ErrorOf(err); !errors.Is(err, wallet.ErrPhoneTaken) || se.Kind != scanpay.KindConflict {
		t.Fatalf("err = %v, want ErrPhoneTaken, a conflict", err)
	}
	if n := e.count("wallets"); n != 1 {
		t.Fatalf("%d wallets, want 1", n)
	}
}

func TestSentinelCodesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, err := range []*scanpay.Error{wallet.ErrInvalidCredentials, wallet.ErrInvalidSession, wallet.ErrIncorrectPIN,
		wallet.ErrPINLocked, wallet.ErrPINRequired, wallet.ErrPINTooSimple, wallet.ErrWalletFrozen, wallet.ErrPhoneTaken,
		wallet.ErrBankDeclined} {
		if seen[err.Code] {
			t.Errorf("code %s used twice", err.Code)
		}
		seen[err.Code] = true
	}
}

func TestSetNoPINLimit(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	e.topUp(a.ID, 100_000, "CNY")

	_, err := e.wallet.SetNoPINLimit(e.ctx, a.ID, 50_000, "")
	wantCode(t, err, "parameter_missing", "pin")
	_, err = e.wallet.SetNoPINLimit(e.ctx, a.ID, 50_000, wrongPIN)
	wantCode(t, err, "incorrect_pin", "pin")
	if n := e.failedAttempts(a.ID); n != 1 {
		t.Fatalf("%d failed attempts, want the wrong PIN counted", n)
	}
	for _, limit := range []int64{-1, wallet.MaxNoPINLimit + 1} {
		_, err = e.wallet.SetNoPINLimit(e.ctx, a.ID, limit, testPIN)
		wantCode(t, err, "parameter_invalid", "no_pin_limit")
	}
	_, err = e.wallet.SetNoPINLimit(e.ctx, "wal_nope", 0, testPIN)
	wantCode(t, err, "resource_missing", "id")

	got, err := e.wallet.SetNoPINLimit(e.ctx, a.ID, 50_000, testPIN)
	if err != nil || got.NoPINLimit != 50_000 {
		t.Fatalf("SetNoPINLimit = %+v, %v", got, err)
	}
	if _, err := e.wallet.Authorize(e.ctx, a.ID, 50_000, ""); err != nil {
		t.Fatalf("a payment at the raised limit: %v", err)
	}
	if _, err := e.wallet.SetNoPINLimit(e.ctx, a.ID, 0, testPIN); err != nil {
		t.Fatal(err)
	}
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, "")
	wantCode(t, err, "pin_required", "pin")
}
