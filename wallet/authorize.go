package wallet

import (
	"context"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Authorize decides, before the payment's transaction opens, whether the
// wallet may pay amount: not frozen, and with the right PIN when amount is
// above its no-PIN limit. A PIN given for a smaller amount is checked all
// the same, so a wrong one never pays. It returns a not-found error,
// ErrWalletFrozen, ErrPINRequired, ErrIncorrectPIN or ErrPINLocked. The
// balance is not checked here: the ledger posting refuses an overdraft.
func (s *Service) Authorize(ctx context.Context, walletID string, amount int64, pin string) (Account, error) {
	row, err := s.find(ctx, walletID)
	if err != nil {
		return Account{}, err
	}
	if row.Frozen {
		return Account{}, ErrWalletFrozen
	}
	if pin == "" {
		if amount > row.NoPINLimit {
			return Account{}, ErrPINRequired
		}
		return row.toAccount(), nil
	}
	if err := checkPINFormat(pin); err != nil {
		return Account{}, err
	}
	if err := s.verifyPIN(ctx, row, pin); err != nil {
		return Account{}, err
	}
	return row.toAccount(), nil
}

// CheckNotFrozen returns ErrWalletFrozen when the wallet is frozen, in one
// statement of the caller's transaction tx, so a freeze committed after
// Authorize is still honoured. On PostgreSQL it also share-locks the row
// until tx ends, so a Freeze that returns has waited for every payment
// already past this check: after it, none commits. SQLite runs one writer
// at a time and needs no lock.
func (s *Service) CheckNotFrozen(tx *gorm.DB, walletID string) error {
	query := `SELECT frozen FROM wallets WHERE id = ?`
	if storage.DialectOf(tx) == storage.Postgres {
		query += ` FOR SHARE`
	}
	var frozen []bool
	if err := tx.Raw(query, walletID).Scan(&frozen).Error; err != nil {
		return err
	}
	switch {
	case len(frozen) == 0:
		return scanpay.NotFound("wallet", walletID)
	case frozen[0]:
		return ErrWalletFrozen
	}
	return nil
}

// PayClause returns a condition for the WHERE of the statement that takes
// an order's money (the order's compare-and-set), so that the wallet is
// checked in that one statement instead of a read before it: the condition
// holds when the wallet exists, is not frozen, is of the order's mode
// (livemodeColumn) and, unless pinVerified, amount (what the payer pays)
// is within its no-PIN limit. On PostgreSQL it share-locks the wallet row
// until the transaction ends, as CheckNotFrozen does. When the statement
// then changes nothing, Authorize with no PIN says why.
func PayClause(tx *gorm.DB, walletID string, pinVerified bool, amount int64, livemodeColumn string) (string, []any) {
	clause := `EXISTS (SELECT 1 FROM wallets w WHERE w.id = ? AND NOT w.frozen AND w.livemode = ` + livemodeColumn
	args := []any{walletID}
	if !pinVerified {
		clause += ` AND CAST(? AS BIGINT) <= w.no_pin_limit`
		args = append(args, amount)
	}
	if storage.DialectOf(tx) == storage.Postgres {
		clause += ` FOR SHARE OF w`
	}
	return clause + `)`, args
}
