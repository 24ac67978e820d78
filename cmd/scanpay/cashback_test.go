package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
)

// TestCashbackFromTheCommandLine: a platform campaign made with the
// command line earns cashback on a payment; `cashback release --at` a
// moment before the 7-day hold credits nothing, at the hold it credits the
// wallet once, and again nothing.
func TestCashbackFromTheCommandLine(t *testing.T) {
	dbURL := storagetest.URL(t)
	if code, _, stderr := cli(t, "migrate", "--db", dbURL); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := cli(t, "cashback", "campaign", "create", "--funding", "platform", "--name", "Welcome back",
		"--rate-bps", "200", "--budget-amount", "100000", "--db", dbURL, "--json")
	if code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	var c struct {
		ID, Status string
		HoldDays   int `json:"hold_days"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Status != "active" || c.HoldDays != 7 {
		t.Fatalf("campaign %s (%v)", out, err)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "x", "--rate-bps", "10001", "--budget-amount", "1"}, "--rate-bps"},
		{[]string{"--name", "x", "--rate-bps", "1", "--budget-amount", "1", "--hold-days", "91"}, "--hold-days"},
		{[]string{"--name", "x", "--rate-bps", "1"}, "--budget-amount"},
	} {
		args := append([]string{"cashback", "campaign", "create", "--funding", "platform", "--db", dbURL}, bad.args...)
		if code, _, stderr := cli(t, args...); code == 0 || !strings.Contains(stderr, bad.want) {
			t.Errorf("%v: exit %d, %q; want an error naming %s", bad.args, code, stderr, bad.want)
		}
	}

	// A payment, made through the services as the gateway would.
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db)
	merchants := merchant.NewService(db, scanpay.Now)
	wallets := wallet.NewService(db, scanpay.Now, wallet.Config{SessionKey: make([]byte, 32), PINCost: bcrypt.MinCost})
	svc := checkout.NewService(db, scanpay.Now, checkout.Config{BaseURL: "http://gw.test"}, merchants, wallets)
	m, _, err := merchants.Create(ctx, merchant.CreateParams{Name: "Tea"})
	if err != nil {
		t.Fatal(err)
	}
	signUp, err := wallets.CreateAccount(ctx, "13800138000", "135790")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wallets.TopUp(ctx, signUp.Account.ID, 10000, "CNY"); err != nil {
		t.Fatal(err)
	}
	amount := int64(5000)
	o, err := svc.CreateOrder(ctx, merchant.Principal{MerchantID: m.ID}, checkout.OrderParams{Amount: &amount, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	paidAt := scanpay.Now()
	if _, err := svc.Pay(ctx, signUp.Account.ID, checkout.PayParams{Order: o.ID}); err != nil {
		t.Fatal(err)
	}
	release := func(at time.Time) string {
		t.Helper()
		code, out, stderr := cli(t, "cashback", "release", "--at", at.Format(time.RFC3339), "--db", dbURL)
		if code != 0 {
			t.Fatalf("release: %d %s", code, stderr)
		}
		return out
	}
	if out := release(paidAt.AddDate(0, 0, 7).Add(-time.Minute)); !strings.Contains(out, "credited 0 ") {
		t.Fatalf("before the hold: %s", out)
	}
	if out := release(paidAt.AddDate(0, 0, 7).Add(time.Second)); !strings.Contains(out, "credited 1 ") {
		t.Fatalf("at the hold: %s", out)
	}
	if out := release(paidAt.AddDate(0, 0, 8)); !strings.Contains(out, "credited 0 ") {
		t.Fatalf("again: %s", out)
	}
	balances, err := wallets.Balance(ctx, signUp.Account.ID)
	if err != nil || len(balances) != 1 || balances[0].Amount != 10000-5000+100 {
		t.Fatalf("wallet %+v, %v", balances, err)
	}
	if code, out, _ := cli(t, "ledger", "verify", "--db", dbURL); code != 0 {
		t.Fatalf("ledger verify: %s", out)
	}
	if code, _, stderr := cli(t, "cashback", "release", "--at", "tomorrow", "--db", dbURL); code == 0 || !strings.Contains(stderr, "--at") {
		t.Fatalf("bad --at: %d %s", code, stderr)
	}
	if code, out, _ := cli(t, "cashback", "campaign", "end", "--campaign", c.ID, "--db", dbURL); code != 0 || !strings.Contains(out, "ended") {
		t.Fatalf("end: %d %s", code, out)
	}
}
