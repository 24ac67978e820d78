package ledger_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// feeRefund gives amount back from the platform's fees, a striped account
// that may not go negative, to the wallet, as refunds return their fee.
func feeRefund(wallet ledger.Account, amount int64) ledger.Transaction {
	return ledger.Transaction{Kind: "refund", Reference: scanpay.NewID("re"), Entries: []ledger.Entry{
		{Account: ledger.PlatformFeesAccount(wallet.Currency, wallet.Livemode), Amount: -amount},
		{Account: wallet, Amount: amount},
	}}
}

func TestStripedAccountGathersADebitFromItsStripes(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	m := ledger.PlatformFeesAccount("CNY", false)
	topUp(t, db, w, 100_000)
	for range 40 {
		if err := post(db, payment(w, "mch_a", 1000, 100)); err != nil {
			t.Fatal(err)
		}
	}
	var rows int64
	storagetest.Scan(t, db, &rows, `SELECT COUNT(*) FROM ledger_accounts WHERE kind = 'platform_fees'`)
	if rows < 2 {
		t.Fatalf("40 credits landed on %d stripe(s); they should spread", rows)
	}
	wantBalance(t, db, m, 4000)
	if got, err := ledger.OwnerBalances(t.Context(), db, ledger.PlatformOwner, ledger.PlatformFees, false); err != nil ||
		len(got) != 1 || got[0] != (ledger.CurrencyBalance{Currency: "CNY", Amount: 4000}) {
		t.Fatalf("owner balances %+v (%v): the stripes must add up to one CNY balance", got, err)
	}

	// More than any one stripe holds, less than all of them.
	if err := post(db, feeRefund(w, 3950)); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, db, m, 50)
	if err := post(db, feeRefund(w, 51)); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("overdraft of the stripes: %v", err)
	}
	wantBalance(t, db, m, 50)
	if err := post(db, feeRefund(w, 50)); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, db, m, 0)
	entries, _, err := ledger.Entries(t.Context(), db, m, 100, "")
	if err != nil || len(entries) < 42 {
		t.Fatalf("%d entries over the stripes (%v)", len(entries), err)
	}
	wantVerified(t, db)
}

// TestRefundsAndPaymentsOnStripesConcurrently debits the platform's fee
// stripes (locking them all) while payments credit them, from many
// goroutines: no deadlock, no stripe below zero, and the totals add up.
func TestRefundsAndPaymentsOnStripesConcurrently(t *testing.T) {
	db, _ := storagetest.Open(t)
	const n = 40
	wallets := make([]ledger.Account, n)
	for i := range wallets {
		wallets[i] = ledger.WalletAccount(fmt.Sprintf("wal_%02d", i), "CNY", false)
		topUp(t, db, wallets[i], 1000)
	}
	for i := range n {
		if err := post(db, payment(wallets[i], "mch_a", 500, 50)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() { errs <- post(db, payment(wallets[i], "mch_a", 300, 30)) })
		wg.Go(func() { errs <- post(db, feeRefund(wallets[(i+1)%n], 60)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantBalance(t, db, ledger.PlatformFeesAccount("CNY", false), n*(50+30-60))
	var negative int64
	storagetest.Scan(t, db, &negative, `SELECT COUNT(*) FROM ledger_accounts WHERE balance < 0 AND kind NOT IN ('bank_clearing', 'merchant_pending')`)
	if negative != 0 {
		t.Fatalf("%d rows below zero", negative)
	}
	wantVerified(t, db)
}
