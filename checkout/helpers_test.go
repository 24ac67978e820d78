package checkout_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// env is the checkout service on a fresh database, wired as serve wires
// it, with a clock the test moves. No HTTP is involved.
type env struct {
	t        testing.TB
	ctx      context.Context
	db       *gorm.DB
	clock    *clocktest.Clock
	merchant merchant.Principal
	wallets  *wallet.Service
	checkout *checkout.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, _ := storagetest.Open(t)
	clk := clocktest.New()
	merchants := merchant.NewService(db, clk.Now)
	wallets := wallet.NewService(db, clk.Now, wallet.Config{SessionKey: []byte(strings.Repeat("k", 32)), PINCost: bcrypt.MinCost})
	svc := checkout.NewService(db, clk.Now, checkout.Config{BaseURL: "http://gw.test"}, merchants, wallets)
	m, _, err := merchants.Create(context.Background(), merchant.CreateParams{Name: "Blue Bottle"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), db: db, clock: clk, merchant: merchant.Principal{MerchantID: m.ID},
		wallets: wallets, checkout: svc}
}

// payer opens a wallet for phone holding amount CNY.
func (e *env) payer(phone string, amount int64) string {
	e.t.Helper()
	signUp, err := e.wallets.CreateAccount(e.ctx, phone, "135790")
	if err != nil {
		e.t.Fatal(err)
	}
	if amount > 0 {
		if _, err := e.wallets.TopUp(e.ctx, signUp.Account.ID, amount, "CNY"); err != nil {
			e.t.Fatal(err)
		}
	}
	return signUp.Account.ID
}

func (e *env) order(amount int64) checkout.Order {
	e.t.Helper()
	o, err := e.checkout.CreateOrder(e.ctx, e.merchant, checkout.OrderParams{Amount: &amount, Currency: "CNY"})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *env) pay(walletID, orderID string) checkout.Payment {
	e.t.Helper()
	p, err := e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: orderID})
	if err != nil {
		e.t.Fatalf("pay %s: %v", orderID, err)
	}
	return p
}

func (e *env) balance(a ledger.Account) int64 {
	e.t.Helper()
	b, err := ledger.Balance(e.ctx, e.db, a)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	storagetest.Scan(e.t, e.db, &n, query, args...)
	return n
}

func (e *env) verifyLedger() {
	e.t.Helper()
	r, err := ledger.Verify(e.ctx, e.db, checkout.LedgerChecks()...)
	if err != nil {
		e.t.Fatal(err)
	}
	if !r.OK() {
		e.t.Fatalf("ledger: %s", strings.Join(r.Problems, "\n"))
	}
}

// wantError fails unless err is a *scanpay.Error with code and param.
func wantError(t testing.TB, err error, code, param string) {
	t.Helper()
	var e *scanpay.Error
	if !errors.As(err, &e) || e.Code != code || e.Param != param {
		t.Fatalf("err = %v, want %s naming %q", err, code, param)
	}
}
