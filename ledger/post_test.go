package ledger_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

func TestAccountIDs(t *testing.T) {
	for _, tc := range []struct {
		a    ledger.Account
		want string
	}{
		{ledger.WalletAccount("wal_x", "CNY", false), "wal_x:wallet:CNY:test"},
		{ledger.MerchantPendingAccount("mch_y", "JPY", true), "mch_y:merchant_pending:JPY:live"},
		{ledger.MerchantAvailableAccount("mch_y", "CNY", false), "mch_y:merchant_available:CNY:test"},
		{ledger.PlatformFeesAccount("CNY", true), "platform:platform_fees:CNY:live"},
		{ledger.BankClearingAccount("CNY", false), "platform:bank_clearing:CNY:test"},
	} {
		if got := tc.a.ID(); got != tc.want {
			t.Errorf("%+v.ID() = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestPostRejectsMalformedTransactions(t *testing.T) {
	w := ledger.WalletAccount("wal_a", "CNY", false)
	w2 := ledger.WalletAccount("wal_b", "CNY", false)
	bank := ledger.BankClearingAccount("CNY", false)
	entries := func(es ...ledger.Entry) []ledger.Entry { return es }
	for _, tc := range []struct {
		name string
		t    ledger.Transaction
	}{
		{"no entries", ledger.Transaction{}},
		{"single entry", ledger.Transaction{Entries: entries(ledger.Entry{Account: w, Amount: 100})}},
		{"unbalanced", ledger.Transaction{Entries: entries(ledger.Entry{Account: bank, Amount: -100}, ledger.Entry{Account: w, Amount: 99})}},
		{"zero amount", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -100}, ledger.Entry{Account: w, Amount: 100}, ledger.Entry{Account: w2, Amount: 0})}},
		{"mixed currency", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -100}, ledger.Entry{Account: ledger.WalletAccount("wal_a", "USD", false), Amount: 100})}},
		{"mixed livemode", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -100}, ledger.Entry{Account: ledger.WalletAccount("wal_a", "CNY", true), Amount: 100})}},
		{"unknown currency", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: ledger.BankClearingAccount("XXX", false), Amount: -1}, ledger.Entry{Account: ledger.WalletAccount("wal_a", "XXX", false), Amount: 1})}},
		{"unknown account kind", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -1}, ledger.Entry{Account: ledger.Account{Owner: "x", Kind: "savings", Currency: "CNY"}, Amount: 1})}},
		{"no owner", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -1}, ledger.Entry{Account: ledger.WalletAccount("", "CNY", false), Amount: 1})}},
		{"most negative int64", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: math.MinInt64}, ledger.Entry{Account: w, Amount: math.MaxInt64}, ledger.Entry{Account: w2, Amount: 1})}},
		{"credits overflow", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: w, Amount: math.MaxInt64}, ledger.Entry{Account: w2, Amount: 2},
			ledger.Entry{Account: bank, Amount: -math.MaxInt64}, ledger.Entry{Account: bank, Amount: -1}, ledger.Entry{Account: bank, Amount: -1})}},
		{"debits overflow", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -math.MaxInt64}, ledger.Entry{Account: bank, Amount: -2}, ledger.Entry{Account: w, Amount: math.MaxInt64})}},
		{"entries cancel out", ledger.Transaction{Entries: entries(
			ledger.Entry{Account: bank, Amount: -5}, ledger.Entry{Account: bank, Amount: 5})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := storagetest.Open(t)
			if tc.t.Kind == "" {
				tc.t.Kind, tc.t.Reference = "topup", "tu_1"
			}
			err := post(db, tc.t)
			if err == nil {
				t.Fatal("posted")
			}
			if _, ok := scanpay.ErrorOf(err); ok {
				t.Fatalf("a malformed posting is the caller's bug, not a client error: %v", err)
			}
			if n := countRows(t, db, "ledger_accounts") + countRows(t, db, "ledger_entries"); n != 0 {
				t.Fatalf("%d rows written", n)
			}
		})
	}
	t.Run("no kind or reference", func(t *testing.T) {
		db, _ := storagetest.Open(t)
		valid := entries(ledger.Entry{Account: bank, Amount: -1}, ledger.Entry{Account: w, Amount: 1})
		for _, tx := range []ledger.Transaction{{Reference: "tu_1", Entries: valid}, {Kind: "topup", Entries: valid}} {
			if err := post(db, tx); err == nil {
				t.Errorf("posted %+v", tx)
			}
		}
	})
}

func TestTopUpCreatesAccountsAndMovesMoney(t *testing.T) {
	db, _ := storagetest.Open(t)
	ctx := context.Background()
	w := ledger.WalletAccount("wal_a", "CNY", false)
	bank := ledger.BankClearingAccount("CNY", false)
	wantBalance(t, db, w, 0)

	at := scanpay.Now()
	top := ledger.Transaction{ID: "ltx_top", Kind: "topup", Reference: "tu_1", CreatedAt: at, Entries: []ledger.Entry{
		{Account: bank, Amount: -5000}, {Account: w, Amount: 5000},
	}}
	if err := post(db, top); err != nil {
		t.Fatal(err)
	}
	topUp(t, db, w, 250)
	wantBalance(t, db, w, 5250)
	wantBalance(t, db, bank, -5250)
	wantBalance(t, db, ledger.WalletAccount("wal_a", "CNY", true), 0)

	got, _, err := ledger.Entries(ctx, db, w, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d wallet entries, want 2", len(got))
	}
	first := got[1]
	if first.TxnID != "ltx_top" || first.Kind != "topup" || first.Reference != "tu_1" || first.Amount != 5000 ||
		first.Currency != "CNY" || !first.CreatedAt.Equal(at) {
		t.Fatalf("entry %+v does not record its transaction", first)
	}
	r := wantVerified(t, db)
	// The bank clearing account is striped: its two postings may have
	// landed on one row or on two.
	if r.Transactions != 2 || r.Accounts < 2 || r.Accounts > 3 || r.Entries != 4 {
		t.Fatalf("report counts %+v, want 2 transactions, 2 or 3 account rows, 4 entries", r)
	}
}

func TestPostMergesEntriesForTheSameAccount(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	bank := ledger.BankClearingAccount("CNY", false)
	err := post(db, ledger.Transaction{ID: "ltx_m", Kind: "topup", Reference: "tu_1", Entries: []ledger.Entry{
		{Account: w, Amount: 30}, {Account: bank, Amount: -100}, {Account: w, Amount: 70},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantBalance(t, db, w, 100)
	wantBalance(t, db, bank, -100)
	if n := countRows(t, db, "ledger_entries"); n != 2 {
		t.Fatalf("%d entries, want one per account", n)
	}
	wantVerified(t, db)
}

// TestPostIsOneRoundTrip pins a posting's cost in a use case's
// transaction: one statement on PostgreSQL, where each is a round trip
// (here the whole use case, and so sent alone, with no BEGIN or COMMIT),
// and three on SQLite, where none is (balances, entries and the merchant's
// statement lines).
func TestPostIsOneRoundTrip(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, w, 1000)
	counter := storagetest.CountStatements(t, db)
	_, err := storage.Transact(context.Background(), db, func(tx *gorm.DB) (struct{}, error) {
		return struct{}{}, ledger.Post(tx, payment(w, "mch_a", 300, 9))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(3)
	if storage.DialectOf(db) == storage.Postgres {
		want = 1
	}
	if n := counter.Total(); n != want {
		t.Fatalf("a posting ran %d statements, want %d", n, want)
	}
	wantBalance(t, db, w, 700)
	wantVerified(t, db)
}

func TestDebitBeyondBalanceIsDeclinedAndChangesNothing(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, w, 1000)
	entriesBefore := countRows(t, db, "ledger_entries")

	err := post(db, payment(w, "mch_a", 1001, 10))
	if !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("err = %v, want ErrInsufficientFunds", err)
	}
	wantBalance(t, db, w, 1000)
	wantBalance(t, db, ledger.MerchantPendingAccount("mch_a", "CNY", false), 0)
	wantBalance(t, db, ledger.PlatformFeesAccount("CNY", false), 0)
	if n := countRows(t, db, "ledger_entries"); n != entriesBefore {
		t.Fatalf("%d entries after the decline, want %d", n, entriesBefore)
	}

	// A wallet with no row yet has nothing to spend, and its debit must not
	// create it, not even inside the transaction that is rolled back.
	fresh := ledger.WalletAccount("wal_new", "CNY", false)
	// The debit runs in a savepoint, so that on PostgreSQL, where a failed
	// statement spoils its transaction, the count after it can still run.
	err = db.Transaction(func(tx *gorm.DB) error {
		err := tx.Transaction(func(sp *gorm.DB) error { return ledger.Post(sp, payment(fresh, "mch_a", 2, 1)) })
		var n int64
		storagetest.Scan(t, tx, &n, `SELECT COUNT(*) FROM ledger_accounts WHERE id = ?`, fresh.ID())
		if n != 0 {
			t.Errorf("the declined debit created %s", fresh.ID())
		}
		return err
	})
	if !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("debit of a new wallet: err = %v, want ErrInsufficientFunds", err)
	}
	if err := post(db, payment(w, "mch_a", 1000, 10)); err != nil {
		t.Fatalf("spending the whole balance: %v", err)
	}
	wantBalance(t, db, w, 0)
	wantVerified(t, db)
}

func TestBalanceOverflowIsAnErrorNotADecline(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, w, math.MaxInt64)
	err := post(db, ledger.Transaction{Kind: "topup", Reference: "tu_2", Entries: []ledger.Entry{
		{Account: ledger.BankClearingAccount("CNY", false), Amount: -1}, {Account: w, Amount: 1},
	}})
	if err == nil || errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("err = %v, want an overflow error", err)
	}
	wantBalance(t, db, w, math.MaxInt64)
	wantVerified(t, db)
}

func TestConcurrentPaymentsNeverOverspend(t *testing.T) {
	db, _ := storagetest.Open(t)
	const (
		start    = 1000
		price    = 70
		fee      = 2
		payers   = 50
		affords  = start / price
		spentAll = affords * price
	)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, w, start)

	var wg sync.WaitGroup
	errs := make([]error, payers)
	for i := range payers {
		wg.Go(func() { errs[i] = post(db, payment(w, "mch_a", price, fee)) })
	}
	wg.Wait()
	paid := 0
	for _, err := range errs {
		switch {
		case err == nil:
			paid++
		case !errors.Is(err, ledger.ErrInsufficientFunds):
			t.Fatalf("payment failed with %v, want success or ErrInsufficientFunds", err)
		}
	}
	if paid != affords {
		t.Fatalf("%d payments went through, want %d", paid, affords)
	}
	wantBalance(t, db, w, start-spentAll)
	wantBalance(t, db, ledger.MerchantPendingAccount("mch_a", "CNY", false), affords*(price-fee))
	wantBalance(t, db, ledger.PlatformFeesAccount("CNY", false), affords*fee)
	wantVerified(t, db)
}

// TestPostingsNamingAccountsInOppositeOrdersDoNotDeadlock has half the
// postings list the two wallets one way round and half the other; only
// the order Post imposes keeps PostgreSQL from deadlocking.
func TestPostingsNamingAccountsInOppositeOrdersDoNotDeadlock(t *testing.T) {
	db, _ := storagetest.Open(t)
	a := ledger.WalletAccount("wal_a", "CNY", false)
	b := ledger.WalletAccount("wal_b", "CNY", false)
	m := ledger.MerchantPendingAccount("mch_a", "CNY", false)
	topUp(t, db, a, 1000)
	topUp(t, db, b, 1000)
	const postings = 100
	var wg sync.WaitGroup
	errs := make([]error, postings)
	for i := range postings {
		from, to := a, b
		if i%2 == 1 {
			from, to = b, a
		}
		wg.Go(func() {
			ref := scanpay.NewID("pay")
			errs[i] = post(db, ledger.Transaction{Kind: "payment", Reference: ref, Entries: []ledger.Entry{
				{Account: from, Amount: -3}, {Account: m, Amount: 1}, {Account: to, Amount: 2},
			}, Lines: []ledger.Line{{Account: m, Type: ledger.LinePayment, Source: ref, Gross: 1}}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantBalance(t, db, a, 1000-postings/2)
	wantBalance(t, db, b, 1000-postings/2)
	wantBalance(t, db, m, postings)
	wantVerified(t, db)
}

func BenchmarkPost(b *testing.B) {
	db, _ := storagetest.Open(b)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(b, db, w, math.MaxInt64/2)
	for b.Loop() {
		if err := post(db, payment(w, "mch_a", 100, 1)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMoveNamesEachMovementAndSkipsNothingMoved(t *testing.T) {
	db, _ := storagetest.Open(t)
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, w, 1000)
	m := ledger.MerchantPendingAccount("mch_a", "CNY", false)
	fees := ledger.PlatformFeesAccount("CNY", false)
	p := ledger.Transaction{Kind: "payment", Reference: "pay_move"}
	p.Move(w, m, 500)
	p.Move(m, fees, 3)
	p.Move(m, fees, 0) // a fee of nothing adds no entry
	p.Line(ledger.Line{Account: m, Type: ledger.LinePayment, Source: "pay_move", Gross: 500, Fee: 3})
	if len(p.Entries) != 4 {
		t.Fatalf("%d entries, want 4", len(p.Entries))
	}
	if err := post(db, p); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, db, w, 500)
	wantBalance(t, db, m, 497)
	wantBalance(t, db, fees, 3)
	wantVerified(t, db)
}
