package wallet_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

const (
	testPIN   = "135790"
	wrongPIN  = "135791"
	testPhone = "+86 138 0013 8000"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// env is a wallet service on a fresh database, with a clock tests move.
type env struct {
	t      testing.TB
	ctx    context.Context
	db     *gorm.DB
	clock  *clocktest.Clock
	wallet *wallet.Service
}

func newEnv(t testing.TB) *env {
	return newEnvWith(t, wallet.Config{})
}

func newEnvWith(t testing.TB, cfg wallet.Config) *env {
	t.Helper()
	db, _ := storagetest.Open(t)
	clk := clocktest.New()
	cfg.SessionKey = testKey
	cfg.PINCost = bcrypt.MinCost
	return &env{t: t, ctx: context.Background(), db: db, clock: clk, wallet: wallet.NewService(db, clk.Now, cfg)}
}

// open creates a wallet for phone with testPIN.
func (e *env) open(phone string) wallet.Account {
	e.t.Helper()
	signUp, err := e.wallet.CreateAccount(e.ctx, phone, testPIN)
	if err != nil {
		e.t.Fatalf("create wallet for %s: %v", phone, err)
	}
	return signUp.Account
}

func (e *env) topUp(walletID string, amount int64, currency string) wallet.Transfer {
	e.t.Helper()
	tr, err := e.wallet.TopUp(e.ctx, walletID, amount, currency)
	if err != nil {
		e.t.Fatalf("top up %d %s: %v", amount, currency, err)
	}
	return tr
}

func (e *env) balance(walletID, currency string) int64 {
	e.t.Helper()
	b, err := ledger.Balance(e.ctx, e.db, ledger.WalletAccount(walletID, currency, false))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) count(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Raw(`SELECT COUNT(*) FROM ` + table).Scan(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) failedAttempts(walletID string) int {
	e.t.Helper()
	var n int
	if err := e.db.Raw(`SELECT failed_pin_attempts FROM wallets WHERE id = ?`, walletID).Scan(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) verifyLedger() {
	e.t.Helper()
	r, err := ledger.Verify(e.ctx, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	if !r.OK() {
		e.t.Fatalf("ledger verify: %v", r.Problems)
	}
}

// wantCode fails unless err is a client error with code and param; an
// empty code wants no error at all.
func wantCode(tb testing.TB, err error, code, param string) {
	tb.Helper()
	if code == "" {
		if err != nil {
			tb.Fatalf("err = %v, want none", err)
		}
		return
	}
	e, ok := scanpay.ErrorOf(err)
	if !ok || e.Code != code || e.Param != param {
		tb.Fatalf("err = %v, want %s (param %q)", err, code, param)
	}
}

// sameAccount compares accounts as values; times by instant, since a
// database may hand them back in another location.
func sameAccount(a, b wallet.Account) bool {
	return a.CreatedAt.Equal(b.CreatedAt) && a.ID == b.ID && a.Object == b.Object && a.Livemode == b.Livemode &&
		a.Phone == b.Phone && a.Frozen == b.Frozen && a.NoPINLimit == b.NoPINLimit
}
