package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// TestVerifyFindsEachKindOfBreak corrupts a good ledger one way at a time,
// with SQL the gateway never runs, and expects Verify to name exactly the
// break made.
func TestVerifyFindsEachKindOfBreak(t *testing.T) {
	w := ledger.WalletAccount("wal_a", "CNY", false)
	merchant := ledger.MerchantPendingAccount("mch_a", "CNY", false)
	fees := ledger.PlatformFeesAccount("CNY", false)
	exec := func(t *testing.T, db *gorm.DB, sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, db *gorm.DB)
		want    func(row func(ledger.Account) string) []string
	}{
		{
			name: "unbalanced transaction",
			corrupt: func(t *testing.T, db *gorm.DB) {
				// The wallet's balance follows its entry, so only the
				// transaction is broken.
				exec(t, db, `UPDATE ledger_entries SET amount = amount + 1 WHERE txn_id = 'ltx_pay' AND account_id = ?`, rowOf(t, db, w))
				exec(t, db, `UPDATE ledger_accounts SET balance = balance + 1 WHERE id = ?`, rowOf(t, db, w))
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"transaction ltx_pay: its CNY entries sum to 1, not 0"}
			},
		},
		{
			name: "balance that differs from its entries",
			corrupt: func(t *testing.T, db *gorm.DB) {
				exec(t, db, `UPDATE ledger_accounts SET balance = balance + 5 WHERE id = ?`, rowOf(t, db, merchant))
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"account " + row(merchant) + ": balance 295, but its entries sum to 290",
					"merchant mch_a: merchant_pending CNY balance 295, but its balance transactions net to 290"}
			},
		},
		{
			// The CHECK reads allow_negative, so a wallet can only go
			// negative once that flag is flipped; the posting itself then
			// goes through Post and its entries and balance agree.
			name: "negative wallet",
			corrupt: func(t *testing.T, db *gorm.DB) {
				exec(t, db, `UPDATE ledger_accounts SET allow_negative = ? WHERE id = ?`, true, rowOf(t, db, w))
				err := post(db, ledger.Transaction{Kind: "withdrawal", Reference: "wd_1", Entries: []ledger.Entry{
					{Account: w, Amount: -1000}, {Account: ledger.BankClearingAccount("CNY", false), Amount: 1000},
				}})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{
					"account wal_a:wallet:CNY:test: balance -300 is negative, which its kind forbids",
					"account wal_a:wallet:CNY:test: allow_negative is true on a wallet account",
				}
			},
		},
		{
			name: "entry in a currency its account does not hold",
			corrupt: func(t *testing.T, db *gorm.DB) {
				exec(t, db, `UPDATE ledger_accounts SET currency = 'USD' WHERE id = ?`, rowOf(t, db, merchant))
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"transaction ltx_pay: account " + row(merchant) + " holds USD, but 1 of the entries on it are in CNY",
					"merchant mch_a: merchant_pending USD balance 290, but its balance transactions net to 0"}
			},
		},
		{
			name: "a merchant's statement that disagrees with its posting",
			corrupt: func(t *testing.T, db *gorm.DB) {
				exec(t, db, `UPDATE balance_transactions SET gross = gross + 1, net = net + 1 WHERE txn_id = 'ltx_pay'`)
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"merchant mch_a: merchant_pending CNY balance 290, but its balance transactions net to 291",
					"transaction ltx_pay moved 290 on merchants' balances, but its balance transactions say 291"}
			},
		},
		{
			name: "a merchant below nothing",
			corrupt: func(t *testing.T, db *gorm.DB) {
				m := ledger.MerchantPendingAccount("mch_a", "CNY", false)
				tx := ledger.Transaction{Kind: "refund", Reference: "re_x", Lines: []ledger.Line{
					{Account: m, Type: ledger.LineRefund, Source: "re_x", Gross: -500}}}
				tx.Move(m, w, 500)
				if err := post(db, tx); err != nil {
					t.Fatal(err)
				}
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"merchant mch_a has -210 CNY pending and available together, below zero"}
			},
		},
		{
			name: "test and live accounts in one transaction",
			corrupt: func(t *testing.T, db *gorm.DB) {
				exec(t, db, `UPDATE ledger_accounts SET livemode = ? WHERE id = ?`, true, rowOf(t, db, fees))
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"transaction ltx_pay spans 1 currencies and 2 modes"}
			},
		},
		{
			name: "entries naming a missing account",
			corrupt: func(t *testing.T, db *gorm.DB) {
				withoutForeignKeys(t, db, func(conn *gorm.DB) {
					exec(t, conn, `DELETE FROM ledger_accounts WHERE id = ?`, rowOf(t, db, fees))
				})
			},
			want: func(row func(ledger.Account) string) []string {
				return []string{"account " + row(fees) + " does not exist; entries naming it: 1, summing to 10"}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := storagetest.Open(t)
			topUp(t, db, w, 1000)
			pay := payment(w, "mch_a", 300, 10)
			pay.ID = "ltx_pay"
			if err := post(db, pay); err != nil {
				t.Fatal(err)
			}
			wantVerified(t, db)
			rows := map[ledger.Account]string{}
			for _, a := range []ledger.Account{w, merchant, fees} {
				rows[a] = rowOf(t, db, a)
			}
			wants := tc.want(func(a ledger.Account) string { return rows[a] })

			tc.corrupt(t, db)
			r, err := ledger.Verify(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() || len(r.Problems) != len(wants) {
				t.Fatalf("problems:\n%s\nwant %d:\n%s", strings.Join(r.Problems, "\n"), len(wants), strings.Join(wants, "\n"))
			}
			for _, want := range wants {
				if !containsProblem(r.Problems, want) {
					t.Errorf("no problem says %q; got:\n%s", want, strings.Join(r.Problems, "\n"))
				}
			}
		})
	}
}

func TestVerifyListsAtMostAHundredProblemsPerCheck(t *testing.T) {
	db, _ := storagetest.Open(t)
	for i := range 101 {
		topUp(t, db, ledger.WalletAccount(fmt.Sprintf("wal_%03d", i), "CNY", false), 10)
	}
	if err := db.Exec(`UPDATE ledger_accounts SET balance = balance + 1 WHERE kind = 'wallet'`).Error; err != nil {
		t.Fatal(err)
	}
	r, err := ledger.Verify(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 101 || !strings.Contains(r.Problems[100], "not listed") {
		t.Fatalf("%d problems, the last %q; want 100 and a note that more are not listed", len(r.Problems), r.Problems[len(r.Problems)-1])
	}
}

func containsProblem(problems []string, want string) bool {
	for _, p := range problems {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

// withoutForeignKeys runs corrupt on one connection that does not enforce
// ledger_entries' reference to ledger_accounts, as a database restored
// without its constraints, or SQLite opened by a tool that leaves foreign
// keys off, would not.
func withoutForeignKeys(t *testing.T, db *gorm.DB, corrupt func(conn *gorm.DB)) {
	t.Helper()
	if storage.DialectOf(db) == storage.Postgres {
		if err := db.Exec(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_id_fkey`).Error; err != nil {
			t.Fatal(err)
		}
		corrupt(db)
		return
	}
	err := db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec(`PRAGMA foreign_keys = OFF`).Error; err != nil {
			return err
		}
		defer conn.Exec(`PRAGMA foreign_keys = ON`)
		corrupt(conn)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rowOf is the id of the one row an account has after a single posting.
func rowOf(t *testing.T, db *gorm.DB, a ledger.Account) string {
	t.Helper()
	var ids []string
	storagetest.Scan(t, db, &ids, `SELECT id FROM ledger_accounts WHERE owner = ? AND kind = ? AND currency = ? AND livemode = ?`,
		a.Owner, string(a.Kind), a.Currency, a.Livemode)
	if len(ids) != 1 {
		t.Fatalf("%s has %d rows, want 1", a.ID(), len(ids))
	}
	return ids[0]
}
