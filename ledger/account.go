// Package ledger keeps double-entry postings and balances, and proves the invariants that keep money right.
package ledger

import (
	"context"
	"fmt"
	"strconv"

	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Kind says what an account holds, and so whether it may go negative.
type Kind string

const (
	Wallet            Kind = "wallet"              // a payer's wallet balance; never negative
	MerchantPending   Kind = "merchant_pending"    // merchant's unsettled takings; negative only while its available balance covers it
	MerchantAvailable Kind = "merchant_available"  // merchant's settled balance; never negative
	PlatformFees      Kind = "platform_fees"       // the platform's fee revenue; never negative
	BankClearing      Kind = "bank_clearing"       // money entering/leaving the system (top-ups, withdrawals, payouts); may go negative
	PlatformMarketing Kind = "platform_marketing"  // what the platform spends on payers (discounts of its campaigns); negative by what it spent
	CashbackPending   Kind = "cashback_pending"    // cashback earned but still held; never negative
	CashbackDebt      Kind = "cashback_debt"       // a wallet's cashback taken back beyond its balance; negative by what it owes
	MerchantInTransit Kind = "merchant_in_transit" // a merchant's payouts on their way to its bank; never negative
)

// PlatformOwner owns the accounts that belong to the gateway itself.
const PlatformOwner = "platform"

// Account names one balance: a holder's money of one kind, in one currency,
// in test or live mode. It exists in the database once it is first posted to.
type Account struct {
	Owner    string
	Kind     Kind
	Currency string
	Livemode bool
}

// WalletAccount is a payer wallet's spendable balance.
func WalletAccount(walletID, currency string, livemode bool) Account {
	return Account{Owner: walletID, Kind: Wallet, Currency: currency, Livemode: livemode}
}

// MerchantPendingAccount holds what a merchant has taken but not yet had settled.
func MerchantPendingAccount(merchantID, currency string, livemode bool) Account {
	return Account{Owner: merchantID, Kind: MerchantPending, Currency: currency, Livemode: livemode}
}

// MerchantAvailableAccount holds a merchant's settled money, ready for payout.
func MerchantAvailableAccount(merchantID, currency string, livemode bool) Account {
	return Account{Owner: merchantID, Kind: MerchantAvailable, Currency: currency, Livemode: livemode}
}

// MerchantInTransitAccount holds a merchant's money paid out of its
// available balance that its bank has not yet received.
func MerchantInTransitAccount(merchantID, currency string, livemode bool) Account {
	return Account{Owner: merchantID, Kind: MerchantInTransit, Currency: currency, Livemode: livemode}
}

// PlatformFeesAccount collects the gateway's fees.
func PlatformFeesAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: PlatformFees, Currency: currency, Livemode: livemode}
}

// PlatformMarketingAccount is the platform's promotion spending: it pays
// the discounts of platform-funded coupons. Its balance is minus what the
// platform has spent, so it may go negative.
func PlatformMarketingAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: PlatformMarketing, Currency: currency, Livemode: livemode}
}

// CashbackPendingAccount holds cashback earned and not yet credited, so
// that none of it is anyone's to spend while the merchant's return window
// runs.
func CashbackPendingAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: CashbackPending, Currency: currency, Livemode: livemode}
}

// CashbackDebtAccount is what a wallet owes of cashback a refund took back
// after it was spent: its balance is minus the debt, netted against the
// wallet's later cashback before any reaches its balance.
func CashbackDebtAccount(walletID, currency string, livemode bool) Account {
	return Account{Owner: walletID, Kind: CashbackDebt, Currency: currency, Livemode: livemode}
}

// BankClearingAccount is the other side of every movement across the
// system's edge; its balance is minus the money held inside.
func BankClearingAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: BankClearing, Currency: currency, Livemode: livemode}
}

// ID names the account. Its rows' primary keys derive from it (rowID),
// not generated, so a posting can name an account that does not exist yet
// and create it in the same statement that updates it. Kind, currency and mode never hold a
// colon, so the ID stays unambiguous whatever the owner's id looks like.
func (a Account) ID() string {
	mode := "test"
	if a.Livemode {
		mode = "live"
	}
	return a.Owner + ":" + string(a.Kind) + ":" + a.Currency + ":" + mode
}

// stripes is how many rows hold a kind's balance. Every payment credits
// its merchant's pending balance and the platform's fees, and every top-up
// debits bank clearing: on one row each, concurrent postings would queue on
// its lock until each commit, capping throughput at one commit at a time.
// Spread over rows ("stripes", each an account of its own that never goes
// below zero unless its kind may), postings pick one at random and rarely
// meet; a debit that must not overdraw gathers from them all (see Post).
func (k Kind) stripes() int {
	switch k {
	case MerchantPending, PlatformFees, BankClearing, PlatformMarketing, CashbackPending:
		return 16
	}
	return 1
}

// rowID is the primary key of the account's stripe i; an account of one
// stripe is its own row.
func (a Account) rowID(stripe int) string {
	if a.Kind.stripes() == 1 {
		return a.ID()
	}
	return a.ID() + "#" + strconv.Itoa(stripe)
}

// allowsNegative is true only for the accounts whose balance mirrors money
// outside the system, spent by the platform or owed to it, and for a
// merchant's pending balance, which a refund may take below zero while the
// merchant's available balance covers it (the refund checks both, and
// Verify holds them to it); every other holder's balance is money they
// actually have.
func (k Kind) allowsNegative() bool {
	return k == BankClearing || k == PlatformMarketing || k == CashbackDebt || k == MerchantPending
}

// negativeKinds lists the kinds that may go negative, for the checks.
var negativeKinds = []string{string(BankClearing), string(PlatformMarketing), string(CashbackDebt), string(MerchantPending)}

func (k Kind) known() bool {
	switch k {
	case Wallet, MerchantPending, MerchantAvailable, MerchantInTransit, PlatformFees, BankClearing, PlatformMarketing, CashbackPending, CashbackDebt:
		return true
	}
	return false
}

// rows selects the rows of the account's stripes.
func (a Account) rows(db *gorm.DB) *gorm.DB {
	return db.Table("ledger_accounts").Where("owner = ? AND kind = ? AND currency = ? AND livemode = ?",
		a.Owner, string(a.Kind), a.Currency, a.Livemode)
}

// Balance returns the account's balance in minor units, over all its
// stripes: 0 for an account never posted to. Inside a transaction, pass
// the transaction's handle to see its own postings.
func Balance(ctx context.Context, db *gorm.DB, a Account) (int64, error) {
	var balance int64
	err := a.rows(db.WithContext(ctx)).Select("COALESCE(SUM(balance), 0)").Scan(&balance).Error
	if err != nil {
		return 0, fmt.Errorf("ledger: balance of %s: %w", a.ID(), err)
	}
	return balance, nil
}

// CurrencyBalance is what one holder has of one kind in one currency.
type CurrencyBalance struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// OwnerBalances returns the owner's balances of one kind in one mode, a
// currency each (stripes summed, zero balances of existing accounts
// included), ordered by currency.
func OwnerBalances(ctx context.Context, db *gorm.DB, owner string, kind Kind, livemode bool) ([]CurrencyBalance, error) {
	var out []CurrencyBalance
	err := db.WithContext(ctx).Table("ledger_accounts").Select("currency, SUM(balance) AS amount").
		Where("owner = ? AND kind = ? AND livemode = ?", owner, string(kind), livemode).
		Group("currency").Order("currency").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("ledger: balances of %s: %w", owner, err)
	}
	return out, nil
}

// LockedBalance is Balance read inside tx with the account held until tx
// ends, for a posting that must not take more than the account holds. On
// PostgreSQL an account of one row is locked FOR UPDATE. A striped
// account is held by a transaction-scoped advisory lock on its id instead:
// locking its stripes would hold only those that exist, and a stripe a
// payment adds meanwhile could be locked by the next holder before this
// transaction posts to it, each then waiting on the other. Those who take
// money from a striped account all hold it this way, one at a time; the
// payments that add to it never wait. SQLite's writers take turns anyway.
func LockedBalance(tx *gorm.DB, a Account) (int64, error) {
	if storage.DialectOf(tx) != storage.Postgres {
		return Balance(tx.Statement.Context, tx, a)
	}
	if a.Kind.stripes() > 1 {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, a.ID()).Error; err != nil {
			return 0, fmt.Errorf("ledger: hold %s: %w", a.ID(), err)
		}
		return Balance(tx.Statement.Context, tx, a)
	}
	var balances []int64
	if err := a.rows(tx).Select("balance").Clauses(clause.Locking{Strength: "UPDATE"}).Scan(&balances).Error; err != nil {
		return 0, fmt.Errorf("ledger: balance of %s: %w", a.ID(), err)
	}
	var sum int64
	for _, b := range balances {
		sum += b
	}
	return sum, nil
}
