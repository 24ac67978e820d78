package ledger

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Report is what Verify found: every broken invariant, and how much of the
// ledger it looked at.
type Report struct {
	Problems     []string
	Transactions int64
	Accounts     int64
	Entries      int64
}

// OK reports whether the ledger holds every invariant.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// maxListed bounds the problems listed per check, so a badly broken ledger
// gives a report a person can read rather than millions of lines.
const maxListed = 100

// Check is an invariant that another package keeps between the ledger and
// its own tables (a coupon campaign's counters against its redemptions, the
// platform's marketing account against the discounts it funded): a query
// whose every row is a problem, and how to say it.
type Check struct {
	Query    string
	Args     []any
	Describe func(row map[string]any) string
}

// Verify checks the whole ledger: every transaction balances per currency
// and stays in one currency and mode, every balance equals the sum of its
// entries and is not negative where its kind forbids it, every entry is in
// its account's currency and names an account that exists. An error means
// the checks could not run; broken invariants are in the Report.
//
// Each check is one aggregate statement, and a posting commits its balances
// and entries together, so each check sees a consistent ledger and Verify
// needs no transaction: it can run beside live traffic. The counts may then
// be a moment apart from the checks.
//
// checks are the other packages' invariants, run after the ledger's own.
func Verify(ctx context.Context, db *gorm.DB, checks ...Check) (Report, error) {
	db = db.WithContext(ctx)
	var counts struct{ Accounts, Entries, Transactions int64 }
	err := db.Raw(`SELECT (SELECT COUNT(*) FROM ledger_accounts) AS accounts,
		COUNT(*) AS entries, COUNT(DISTINCT txn_id) AS transactions FROM ledger_entries`).Scan(&counts).Error
	if err != nil {
		return Report{}, fmt.Errorf("ledger: verify: count: %w", err)
	}
	r := Report{Transactions: counts.Transactions, Accounts: counts.Accounts, Entries: counts.Entries}

	type unbalanced struct {
		TxnID    string
		Currency string
		Total    int64
	}
	err = find(db, &r, `SELECT txn_id, currency, SUM(amount) AS total FROM ledger_entries
		GROUP BY txn_id, currency HAVING SUM(amount) <> 0 ORDER BY txn_id, currency`,
		func(u unbalanced) string {
			return fmt.Sprintf("transaction %s: its %s entries sum to %d, not 0", u.TxnID, u.Currency, u.Total)
		})
	if err != nil {
		return r, err
	}

	type mixed struct {
		TxnID      string
		Currencies int64
		Modes      int64
	}
	err = find(db, &r, `SELECT e.txn_id, COUNT(DISTINCT e.currency) AS currencies, COUNT(DISTINCT a.livemode) AS modes
		FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
		GROUP BY e.txn_id HAVING COUNT(DISTINCT e.currency) > 1 OR COUNT(DISTINCT a.livemode) > 1 ORDER BY e.txn_id`,
		func(m mixed) string {
			return fmt.Sprintf("transaction %s spans %d currencies and %d modes; a posting has one of each", m.TxnID, m.Currencies, m.Modes)
		})
	if err != nil {
		return r, err
	}

	type mismatch struct {
		ID      string
		Balance int64
		Total   int64
	}
	err = find(db, &r, `SELECT a.id, a.balance, COALESCE(s.total, 0) AS total FROM ledger_accounts a
		LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) s ON s.account_id = a.id
		WHERE a.balance <> COALESCE(s.total, 0) ORDER BY a.id`,
		func(m mismatch) string {
			return fmt.Sprintf("account %s: balance %d, but its entries sum to %d", m.ID, m.Balance, m.Total)
		})
	if err != nil {
		return r, err
	}

	// The kind is the authority on negatives, not the stored flag that the
	// CHECK reads: a flag flipped by hand would let a wallet go negative.
	// The next check reports the flag itself.
	type negative struct {
		ID      string
		Balance int64
	}
	err = find(db, &r, `SELECT id, balance FROM ledger_accounts WHERE balance < 0 AND kind NOT IN ? ORDER BY id`,
		func(n negative) string {
			return fmt.Sprintf("account %s: balance %d is negative, which its kind forbids", n.ID, n.Balance)
		}, negativeKinds)
	if err != nil {
		return r, err
	}

	type flag struct {
		ID            string
		Kind          string
		AllowNegative bool
	}
	err = find(db, &r, `SELECT id, kind, allow_negative FROM ledger_accounts
		WHERE allow_negative <> (kind IN ?) ORDER BY id`,
		func(f flag) string {
			return fmt.Sprintf("account %s: allow_negative is %t on a %s account", f.ID, f.AllowNegative, f.Kind)
		}, negativeKinds)
	if err != nil {
		return r, err
	}

	type foreign struct {
		TxnID           string
		AccountID       string
		Currency        string
		AccountCurrency string
		Entries         int64
	}
	err = find(db, &r, `SELECT e.txn_id, e.account_id, e.currency, a.currency AS account_currency, COUNT(*) AS entries
		FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
		WHERE e.currency <> a.currency GROUP BY e.txn_id, e.account_id, e.currency, a.currency ORDER BY e.txn_id, e.account_id`,
		func(f foreign) string {
			return fmt.Sprintf("transaction %s: account %s holds %s, but %d of the entries on it are in %s",
				f.TxnID, f.AccountID, f.AccountCurrency, f.Entries, f.Currency)
		})
	if err != nil {
		return r, err
	}

	type orphan struct {
		AccountID string
		Entries   int64
		Total     int64
	}
	err = find(db, &r, `SELECT e.account_id, COUNT(*) AS entries, SUM(e.amount) AS total
		FROM ledger_entries e LEFT JOIN ledger_accounts a ON a.id = e.account_id
		WHERE a.id IS NULL GROUP BY e.account_id ORDER BY e.account_id`,
		func(o orphan) string {
			return fmt.Sprintf("account %s does not exist; entries naming it: %d, summing to %d", o.AccountID, o.Entries, o.Total)
		})
	if err != nil {
		return r, err
	}
	for _, c := range statementChecks {
		if err := find(db, &r, c.Query, c.Describe, c.Args...); err != nil {
			return r, err
		}
	}
	for _, c := range checks {
		if err := find(db, &r, c.Query, c.Describe, c.Args...); err != nil {
			return r, err
		}
	}
	return r, nil
}

// find runs one check's query and adds a problem for each row it returns,
// up to maxListed.
func find[T any](db *gorm.DB, r *Report, query string, describe func(T) string, args ...any) error {
	var rows []T
	if err := db.Raw(query+` LIMIT ?`, append(args, maxListed+1)...).Scan(&rows).Error; err != nil {
		return fmt.Errorf("ledger: verify: %w\n%s", err, query)
	}
	for i, row := range rows {
		if i == maxListed {
			r.Problems = append(r.Problems, fmt.Sprintf("... more like the above, not listed (the first %d are)", maxListed))
			break
		}
		r.Problems = append(r.Problems, describe(row))
	}
	return nil
}

// statementChecks hold merchants' statements to the ledger: a merchant
// never has less than nothing, pending and available together; its
// pending and available balances are the nets of its pending and available
// balance transactions; and every posting's lines add up to what it moved
// on merchants' balances (a settlement's excepted, which moves lines).
var statementChecks = []Check{
	{
		Query: `SELECT owner, currency, livemode, SUM(balance) AS total FROM ledger_accounts
WHERE kind IN ('merchant_pending', 'merchant_available') GROUP BY owner, currency, livemode
HAVING SUM(balance) < 0 ORDER BY owner, currency`,
		Describe: func(r map[string]any) string {
			return fmt.Sprintf("merchant %v has %v %v pending and available together, below zero", r["owner"], r["total"], r["currency"])
		},
	},
	{
		Query: `SELECT a.owner, a.kind, a.currency, a.livemode, a.balance, COALESCE(b.net, 0) AS net
FROM (SELECT owner, kind, currency, livemode, SUM(balance) AS balance FROM ledger_accounts
	WHERE kind IN ('merchant_pending', 'merchant_available') GROUP BY owner, kind, currency, livemode) a
LEFT JOIN (SELECT merchant_id, status, currency, livemode, SUM(net) AS net FROM balance_transactions
	GROUP BY merchant_id, status, currency, livemode) b
	ON b.merchant_id = a.owner AND b.currency = a.currency AND b.livemode = a.livemode
	AND b.status = CASE a.kind WHEN 'merchant_pending' THEN 'pending' ELSE 'available' END
WHERE a.balance <> COALESCE(b.net, 0)
ORDER BY a.owner, a.kind, a.currency`,
		Describe: func(r map[string]any) string {
			return fmt.Sprintf("merchant %v: %v %v balance %v, but its balance transactions net to %v",
				r["owner"], r["kind"], r["currency"], r["balance"], r["net"])
		},
	},
	{
		Query: `SELECT e.txn_id, e.moved, COALESCE(b.net, 0) AS net
FROM (SELECT le.txn_id, SUM(le.amount) AS moved FROM ledger_entries le
	JOIN ledger_accounts a ON a.id = le.account_id
	WHERE a.kind IN ('merchant_pending', 'merchant_available') AND le.kind <> 'settlement'
	GROUP BY le.txn_id) e
LEFT JOIN (SELECT txn_id, SUM(net) AS net FROM balance_transactions GROUP BY txn_id) b ON b.txn_id = e.txn_id
WHERE e.moved <> COALESCE(b.net, 0)
ORDER BY e.txn_id`,
		Describe: func(r map[string]any) string {
			return fmt.Sprintf("transaction %v moved %v on merchants' balances, but its balance transactions say %v", r["txn_id"], r["moved"], r["net"])
		},
	},
}
