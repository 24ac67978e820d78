package ledger_test

import (
	"context"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"gorm.io/gorm"
)

// topUp moves amount from outside the system into the wallet account, in a
// transaction of its own, and returns the ledger transaction's id.
func topUp(tb testing.TB, db *gorm.DB, wallet ledger.Account, amount int64) string {
	tb.Helper()
	t := ledger.Transaction{ID: scanpay.NewID("ltx"), Kind: "topup", Reference: scanpay.NewID("tu"), Entries: []ledger.Entry{
		{Account: ledger.BankClearingAccount(wallet.Currency, wallet.Livemode), Amount: -amount},
		{Account: wallet, Amount: amount},
	}}
	if err := db.Transaction(func(tx *gorm.DB) error { return ledger.Post(tx, t) }); err != nil {
		tb.Fatalf("top up %d: %v", amount, err)
	}
	return t.ID
}

// payment is a payer paying a merchant amount, of which fee goes to the
// platform.
func payment(wallet ledger.Account, merchantID string, amount, fee int64) ledger.Transaction {
	m := ledger.MerchantPendingAccount(merchantID, wallet.Currency, wallet.Livemode)
	ref := scanpay.NewID("pay")
	return ledger.Transaction{ID: scanpay.NewID("ltx"), Kind: "payment", Reference: ref, Entries: []ledger.Entry{
		{Account: wallet, Amount: -amount},
		{Account: m, Amount: amount - fee},
		{Account: ledger.PlatformFeesAccount(wallet.Currency, wallet.Livemode), Amount: fee},
	}, Lines: []ledger.Line{{Account: m, Type: ledger.LinePayment, Source: ref, Gross: amount, Fee: fee}}}
}

func post(db *gorm.DB, t ledger.Transaction) error {
	return db.Transaction(func(tx *gorm.DB) error { return ledger.Post(tx, t) })
}

func wantBalance(tb testing.TB, db *gorm.DB, a ledger.Account, want int64) {
	tb.Helper()
	got, err := ledger.Balance(context.Background(), db, a)
	if err != nil {
		tb.Fatal(err)
	}
	if got != want {
		tb.Errorf("balance of %s = %d, want %d", a.ID(), got, want)
	}
}

func countRows(tb testing.TB, db *gorm.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.Raw(`SELECT COUNT(*) FROM ` + table).Scan(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

func wantVerified(tb testing.TB, db *gorm.DB) ledger.Report {
	tb.Helper()
	r, err := ledger.Verify(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	if !r.OK() {
		tb.Fatalf("verify found problems:\n%v", r.Problems)
	}
	return r
}
