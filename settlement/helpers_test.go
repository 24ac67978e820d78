package settlement_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// shanghai is the default merchants' zone: business days here begin at
// 16:00 UTC the day before.
var shanghai, _ = time.LoadLocation("Asia/Shanghai")

var (
	reportKey      = ed25519.NewKeyFromSeed([]byte(strings.Repeat("r", ed25519.SeedSize)))
	bankAccountKey = []byte(strings.Repeat("b", seal.KeyLen))
)

// env is the settlement service beside checkout and the wallets on a
// fresh database, wired as serve wires them, with a clock the test moves.
// No HTTP is involved; the jobs run when the test calls them.
type env struct {
	t          testing.TB
	ctx        context.Context
	db         *gorm.DB
	dbURL      string
	clock      *clocktest.Clock
	merchants  *merchant.Service
	wallets    *wallet.Service
	checkout   *checkout.Service
	settlement *settlement.Service
	phones     int
	refs       int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, url := storagetest.Open(t)
	clk := clocktest.New()
	// 09:00 in Shanghai on 10 March 2026.
	clk.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, shanghai))
	merchants := merchant.NewService(db, clk.Now)
	wallets := wallet.NewService(db, clk.Now, wallet.Config{SessionKey: []byte(strings.Repeat("k", 32)), PINCost: bcrypt.MinCost})
	e := &env{t: t, ctx: context.Background(), db: db, dbURL: url, clock: clk, merchants: merchants, wallets: wallets,
		checkout: checkout.NewService(db, clk.Now, checkout.Config{BaseURL: "http://gw.test"}, merchants, wallets)}
	e.settlement = e.newService(db, merchants)
	return e
}

// newService is a settlement service on db with merchants; another
// gateway process has its own of both.
func (e *env) newService(db *gorm.DB, merchants *merchant.Service) *settlement.Service {
	e.t.Helper()
	svc, err := settlement.NewService(db, e.clock.Now, settlement.Config{SigningKey: reportKey, BankAccountKey: bankAccountKey,
		ReportURL: func(id string) string { return "http://gw.test/v1/settlements/" + id + "/report.csv" }}, merchants)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// at moves the clock to a time of day in Shanghai on day (YYYY-MM-DD).
func (e *env) at(day string, hour, minute int) {
	e.t.Helper()
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Set(time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, shanghai))
}

func (e *env) merchant(name string) merchant.Principal {
	e.t.Helper()
	m, _, err := e.merchants.Create(e.ctx, merchant.CreateParams{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return merchant.Principal{MerchantID: m.ID}
}

func (e *env) settings(p merchant.Principal, params merchant.SettingsParams) {
	e.t.Helper()
	if _, err := e.merchants.UpdateSettings(e.ctx, p, params); err != nil {
		e.t.Fatal(err)
	}
}

// payer opens a wallet holding amount of each currency, and returns its
// id and phone.
func (e *env) payer(amount int64, currencies ...string) (string, string) {
	e.t.Helper()
	e.phones++
	phone := fmt.Sprintf("1380013%04d", e.phones)
	signUp, err := e.wallets.CreateAccount(e.ctx, phone, "135790")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range currencies {
		if _, err := e.wallets.TopUp(e.ctx, signUp.Account.ID, amount, c); err != nil {
			e.t.Fatal(err)
		}
	}
	return signUp.Account.ID, phone
}

// sale is an order of amount paid by the wallet, with the coupon when one
// is given.
func (e *env) sale(p merchant.Principal, walletID string, amount int64, currency, coupon string) checkout.Payment {
	e.t.Helper()
	e.refs++
	o, err := e.checkout.CreateOrder(e.ctx, p, checkout.OrderParams{Amount: &amount, Currency: currency,
		Reference: fmt.Sprintf("A-%d", e.refs)})
	if err != nil {
		e.t.Fatal(err)
	}
	params := checkout.PayParams{Order: o.ID, PIN: "135790"}
	if coupon != "" {
		params.Coupon = &coupon
	}
	pay, err := e.checkout.Pay(e.ctx, walletID, params)
	if err != nil {
		e.t.Fatalf("pay %s: %v", o.ID, err)
	}
	return pay
}

func (e *env) refund(p merchant.Principal, orderID string, amount int64) checkout.Refund {
	e.t.Helper()
	r, err := e.checkout.CreateRefund(e.ctx, p, checkout.RefundParams{Order: orderID, Amount: &amount})
	if err != nil {
		e.t.Fatalf("refund %s: %v", orderID, err)
	}
	return r
}

func (e *env) bankAccount(p merchant.Principal, currency, number string) settlement.BankAccount {
	e.t.Helper()
	a, err := e.settlement.CreateBankAccount(e.ctx, p, settlement.BankAccountParams{AccountHolder: "Blue Bottle Ltd",
		AccountNumber: number, Currency: currency})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// settle runs the settlement job as of day (YYYY-MM-DD; "" for today).
func (e *env) settle(day string) []settlement.Settlement {
	e.t.Helper()
	made, err := e.settlement.SettleDue(e.ctx, e.day(day))
	if err != nil {
		e.t.Fatal(err)
	}
	return made
}

// payOut runs the automatic payouts as of day (YYYY-MM-DD; "" for today).
func (e *env) payOut(day string) []settlement.Payout {
	e.t.Helper()
	made, err := e.settlement.PayOutDue(e.ctx, e.day(day))
	if err != nil {
		e.t.Fatal(err)
	}
	return made
}

func (e *env) day(day string) time.Time {
	e.t.Helper()
	if day == "" {
		return time.Time{}
	}
	d, err := settlement.ParseDay("day", day)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// advance moves the clock on by d and runs the bank job once.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	e.clock.Advance(d)
	if _, err := e.settlement.AdvancePayouts(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// balance is the merchant's balance of one kind and currency.
func (e *env) balance(p merchant.Principal, kind ledger.Kind, currency string) int64 {
	e.t.Helper()
	b, err := ledger.Balance(e.ctx, e.db, ledger.Account{Owner: p.MerchantID, Kind: kind, Currency: currency, Livemode: p.Livemode})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// lines lists every balance transaction the filter matches, page by page.
func (e *env) lines(p merchant.Principal, f settlement.BalanceTransactionFilter) []settlement.BalanceTransaction {
	e.t.Helper()
	var all []settlement.BalanceTransaction
	f.Limit = 7 // several pages
	for {
		page, more, err := e.settlement.ListBalanceTransactions(e.ctx, p, f)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, page...)
		if !more {
			return all
		}
		f.StartingAfter = page[len(page)-1].ID
	}
}

func (e *env) payout(p merchant.Principal, id string) settlement.Payout {
	e.t.Helper()
	po, err := e.settlement.GetPayout(e.ctx, p, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return po
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	storagetest.Scan(e.t, e.db, &n, query, args...)
	return n
}

// verifyLedger fails the test unless every invariant holds, the
// settlement package's included.
func (e *env) verifyLedger() {
	e.t.Helper()
	r, err := ledger.Verify(e.ctx, e.db, append(checkout.LedgerChecks(), settlement.LedgerChecks()...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	if !r.OK() {
		e.t.Fatalf("ledger: %s", strings.Join(r.Problems, "\n"))
	}
}

func sum(lines []settlement.BalanceTransaction) (net int64) {
	for _, l := range lines {
		net += l.Net
	}
	return net
}

func ptr[T any](v T) *T { return &v }

// scan runs a query into dst, failing the test on any error.
func (e *env) scan(dst any, query string, args ...any) {
	e.t.Helper()
	storagetest.Scan(e.t, e.db, dst, query, args...)
}
