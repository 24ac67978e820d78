// Package ledger keeps double-entry postings and balances, and proves the invariants that keep money right.
package ledger

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Kind says what an account holds, and so whether it may go negative.
type Kind string

const (
	Wallet            Kind = "wallet"             // a payer's wallet balance; never negative
	MerchantPending   Kind = "merchant_pending"   // merchant's unsettled takings; never negative
	MerchantAvailable Kind = "merchant_available" // merchant's settled balance; never negative
	PlatformFees      Kind = "platform_fees"      // the platform's fee revenue; never negative
	BankClearing      Kind = "bank_clearing"      // money entering/leaving the system (top-ups, withdrawals, payouts); may go negative
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

// PlatformFeesAccount collects the gateway's fees.
func PlatformFeesAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: PlatformFees, Currency: currency, Livemode: livemode}
}

// BankClearingAccount is the other side of every movement across the
// system's edge; its balance is minus the money held inside.
func BankClearingAccount(currency string, livemode bool) Account {
	return Account{Owner: PlatformOwner, Kind: BankClearing, Currency: currency, Livemode: livemode}
}

// ID is the account's primary key. It is derived, not generated, so a
// posting can name an account that does not exist yet and create it in
// the same statement that updates it. Kind, currency and mode never hold a
// colon, so the ID stays unambiguous whatever the owner's id looks like.
func (a Account) ID() string {
	mode := "test"
	if a.Livemode {
		mode = "live"
	}
	return a.Owner + ":" + string(a.Kind) + ":" + a.Currency + ":" + mode
}

// allowsNegative is true only for the account whose balance mirrors money
// outside the system; every holder's balance is money they actually have.
func (k Kind) allowsNegative() bool { return k == BankClearing }

func (k Kind) known() bool {
	switch k {
	case Wallet, MerchantPending, MerchantAvailable, PlatformFees, BankClearing:
		return true
	}
	return false
}

// Balance returns the account's balance in minor units: 0 for an account
// never posted to. Inside a transaction, pass the transaction's handle to
// see its own postings.
func Balance(ctx context.Context, db *gorm.DB, a Account) (int64, error) {
	var balances []int64
	err := db.WithContext(ctx).Raw(`SELECT balance FROM ledger_accounts WHERE id = ?`, a.ID()).Scan(&balances).Error
	if err != nil {
		return 0, fmt.Errorf("ledger: balance of %s: %w", a.ID(), err)
	}
	if len(balances) == 0 {
		return 0, nil
	}
	return balances[0], nil
}
