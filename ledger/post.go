package ledger

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrInsufficientFunds is what Post returns when the posting would take an
// account that may not go negative below zero. Nothing of the posting was
// written, but on PostgreSQL the caller's transaction is now unusable: roll
// it back.
var ErrInsufficientFunds = &scanpay.Error{Kind: scanpay.KindDeclined, Code: "insufficient_funds",
	Message: "the balance does not cover this amount"}

// overdraftConstraint is the CHECK behind ErrInsufficientFunds. The table's
// other CHECK catches an overflowing balance, which is not a decline.
const overdraftConstraint = "ledger_accounts_overdraft"

// Entry is one leg of a posting: a positive amount credits the account
// (raises its holder's balance), a negative one debits it.
type Entry struct {
	Account Account
	Amount  int64
}

// Transaction is a balanced set of entries that move money for one
// business object. Post fills in ID and CreatedAt when they are empty; a
// caller that needs the ID sets it beforehand.
type Transaction struct {
	ID        string
	Kind      string // "topup", "payment", "refund", "withdrawal", ...
	Reference string // the business object, e.g. pay_..., re_...
	Entries   []Entry
	// Lines explain to merchants what the posting does to their balances;
	// every movement of a merchant's pending or available balance needs
	// them (but a settlement's, which makes existing lines available).
	Lines     []Line
	CreatedAt time.Time
}

// Net is what t moves on account a: the sum of its entries there.
func (t Transaction) Net(a Account) int64 {
	var net int64
	for _, e := range t.Entries {
		if e.Account == a {
			net += e.Amount
		}
	}
	return net
}

// Line adds a line to t's statement of a merchant's balance.
func (t *Transaction) Line(l Line) { t.Lines = append(t.Lines, l) }

// Move adds to t the movement of amount from one account to another: a
// debit of from and a credit of to. A zero amount adds nothing, so a use
// case can name every movement it might make (a fee, a discount) and keep
// only those that happen. Moves that touch one account twice are merged
// when t is posted.
func (t *Transaction) Move(from, to Account, amount int64) {
	if amount == 0 {
		return
	}
	t.Entries = append(t.Entries, Entry{Account: from, Amount: -amount}, Entry{Account: to, Amount: amount})
}

// Post writes t inside the caller's database transaction tx: one upsert of
// every account's balance and one insert of the entries. Both are deferred
// writes (storage.Defer): inside storage.Transact they go out with the
// transaction's other writes, one round trip on PostgreSQL, and their
// failure comes from there; elsewhere they run at once. It returns (or the
// flush does) ErrInsufficientFunds when a balance that may not go negative
// would, and a plain error, a bug in the caller, when t itself is
// malformed: fewer than two entries, a zero amount, mixed currencies or
// modes, or amounts that do not sum to zero.
func Post(tx *gorm.DB, t Transaction) error {
	legs, err := t.legs()
	if err != nil {
		return err
	}
	if t.ID == "" {
		t.ID = scanpay.NewID("ltx")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = scanpay.Now()
	}
	if err := t.checkLines(legs); err != nil {
		return err
	}
	if err := t.deferLines(tx); err != nil {
		return err
	}
	if len(legs) == 0 {
		return nil // the lines moved nothing between them
	}
	placed, err := place(tx, legs)
	if err != nil {
		return err
	}
	sql, args := balancesSQL(placed, t.CreatedAt)
	if err := storage.Defer(tx, storage.Write{SQL: sql, Args: args, Classify: balanceError}); err != nil {
		return err
	}
	sql, args = entriesSQL(t, placed)
	return storage.Defer(tx, storage.Write{SQL: sql, Args: args})
}

// entriesSQL is the insert of a posting's entries, one per row leg.
func entriesSQL(t Transaction, placed []rowLeg) (string, []any) {
	var b strings.Builder
	b.WriteString(`INSERT INTO ledger_entries (id, txn_id, account_id, amount, currency, kind, reference, created_at) VALUES `)
	args := make([]any, 0, 8*len(placed))
	for i, l := range placed {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, scanpay.NewID("le"), t.ID, l.row, l.amount, l.account.Currency, t.Kind, t.Reference, t.CreatedAt)
	}
	return b.String(), args
}

// legs checks t and returns its entries merged per account.
func (t Transaction) legs() ([]Entry, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("ledger: %s posting for %q: %s", t.Kind, t.Reference, fmt.Sprintf(format, args...))
	}
	if t.Kind == "" || t.Reference == "" {
		return nil, fail("kind and reference are required")
	}
	if len(t.Entries) < 2 {
		return nil, fail("%d entries, want at least 2", len(t.Entries))
	}
	first := t.Entries[0].Account
	if _, ok := scanpay.LookupCurrency(first.Currency); !ok {
		return nil, fail("unknown currency %q", first.Currency)
	}
	// Credits and debits are totalled apart: each total must fit in an
	// int64, which bounds every partial sum below, in whatever order the
	// entries come. MinInt64 is refused so every amount can be negated.
	var credits, debits int64
	for _, e := range t.Entries {
		a := e.Account
		switch {
		case a.Owner == "" || !a.Kind.known():
			return nil, fail("%q is not a ledger account", a.ID())
		case a.Currency != first.Currency:
			return nil, fail("mixes %s and %s; a posting has one currency", first.Currency, a.Currency)
		case a.Livemode != first.Livemode:
			return nil, fail("mixes test and live accounts")
		case e.Amount == 0 || e.Amount == math.MinInt64:
			return nil, fail("amount %d on %s", e.Amount, a.ID())
		case e.Amount > 0:
			credits += e.Amount
			if credits < 0 {
				return nil, fail("credits overflow")
			}
		default:
			debits -= e.Amount
			if debits < 0 {
				return nil, fail("debits overflow")
			}
		}
	}
	if credits != debits {
		return nil, fail("credits %d and debits %d do not balance", credits, debits)
	}
	var legs []Entry
	index := make(map[Account]int, len(t.Entries))
	for _, e := range t.Entries {
		if i, ok := index[e.Account]; ok {
			legs[i].Amount += e.Amount
			continue
		}
		index[e.Account] = len(legs)
		legs = append(legs, e)
	}
	// A merchant's balance may be moved and moved back in one posting
	// (cashback funded from a payment's proceeds): its lines say so. Any
	// other account whose entries cancel out is a bug in the caller.
	kept := legs[:0]
	for _, l := range legs {
		switch {
		case l.Amount != 0:
			kept = append(kept, l)
		case !l.Account.Kind.statemented():
			return nil, fail("entries on %s cancel out", l.Account.ID())
		}
	}
	if len(kept) == 1 {
		return nil, fail("only %s moves", kept[0].Account.ID())
	}
	return kept, nil
}

// rowLeg is a leg placed on one row: an account's stripe.
type rowLeg struct {
	row     string
	account Account
	amount  int64
}

// place puts each leg on a row of its account. A credit, or a debit of a
// kind that may go negative, lands on a random stripe. A debit that must
// not overdraw a striped account is gathered from its stripes, each taken
// no lower than zero, after locking them all (so the sum it relies on holds
// until commit); short of the whole amount, it is ErrInsufficientFunds.
// Accounts are visited in id order, the order every posting locks rows in.
func place(tx *gorm.DB, legs []Entry) ([]rowLeg, error) {
	slices.SortFunc(legs, func(a, b Entry) int { return strings.Compare(a.Account.ID(), b.Account.ID()) })
	placed := make([]rowLeg, 0, len(legs))
	for _, l := range legs {
		a, n := l.Account, l.Account.Kind.stripes()
		if n == 1 || l.Amount > 0 || a.Kind.allowsNegative() {
			placed = append(placed, rowLeg{row: a.rowID(rand.IntN(n)), account: a, amount: l.Amount})
			continue
		}
		q := a.rows(tx).Select("id, balance").Where("balance > 0").Order("id")
		if storage.DialectOf(tx) == storage.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var stripes []struct {
			ID      string
			Balance int64
		}
		if err := q.Scan(&stripes).Error; err != nil {
			return nil, fmt.Errorf("ledger: read stripes of %s: %w", a.ID(), err)
		}
		need := -l.Amount
		for _, st := range stripes {
			take := min(st.Balance, need)
			placed = append(placed, rowLeg{row: st.ID, account: a, amount: -take})
			if need -= take; need == 0 {
				break
			}
		}
		if need > 0 {
			return nil, ErrInsufficientFunds
		}
	}
	return placed, nil
}

// balancesSQL creates or updates every row of a posting in one statement,
// in row-id order so that concurrent postings lock the accounts they share
// in the same order and cannot deadlock.
//
// Both databases check a CHECK constraint on the row an INSERT proposes
// before they find the conflict that turns it into an UPDATE, so a debit
// proposed as it is would fail even against an ample balance. A debit of
// an account that exists is therefore proposed with allow_negative set; it
// is sure to conflict, and the DO UPDATE leaves the stored flag alone, so
// the CHECK then judges the real balance. A debit of an account with no
// row yet keeps the flag clear and fails the CHECK at once: there was
// nothing to spend. Either way a decline fails the whole statement.
func balancesSQL(legs []rowLeg, at time.Time) (string, []any) {
	var sql strings.Builder
	sql.WriteString(`WITH posting (id, owner, kind, currency, livemode, allow_negative, amount) AS (VALUES `)
	args := make([]any, 0, 7*len(legs)+2)
	for i, l := range legs {
		if i > 0 {
			sql.WriteString(", ")
		}
		// PostgreSQL types a parameter in VALUES as text unless told.
		sql.WriteString("(?, ?, ?, ?, CAST(? AS BOOLEAN), CAST(? AS BOOLEAN), CAST(? AS BIGINT))")
		a := l.account
		args = append(args, l.row, a.Owner, string(a.Kind), a.Currency, a.Livemode, a.Kind.allowsNegative(), l.amount)
	}
	sql.WriteString(`)
INSERT INTO ledger_accounts (id, owner, kind, currency, livemode, allow_negative, balance, created_at, updated_at)
SELECT id, owner, kind, currency, livemode,
	allow_negative OR (amount < 0 AND EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = posting.id)),
	amount, ?, ?
FROM posting ORDER BY id
ON CONFLICT (id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance, updated_at = excluded.updated_at`)
	return sql.String(), append(args, at, at)
}

// balanceError is the upsert's Classify: the overdraft CHECK's failure is
// ErrInsufficientFunds; anything else is not the upsert's to name.
func balanceError(err error) error {
	if storage.IsCheckViolation(err) && strings.Contains(err.Error(), overdraftConstraint) {
		return ErrInsufficientFunds
	}
	return nil
}
