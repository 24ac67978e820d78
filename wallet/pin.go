package wallet

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

const pinLength = 6

// checkPINFormat accepts exactly six ASCII digits. Anything else is a bad
// request, not a guess, so it is refused before bcrypt and not counted.
func checkPINFormat(pin string) error {
	if pin == "" {
		return scanpay.Missing("pin")
	}
	if len(pin) != pinLength || !scanpay.IsDigits(pin) {
		return scanpay.Invalid("pin", "the PIN must be exactly %d digits", pinLength)
	}
	return nil
}

// checkNewPIN adds, for a PIN being chosen, a refusal of the ones tried
// first: one digit six times, and straight runs up or down.
func checkNewPIN(pin string) error {
	if err := checkPINFormat(pin); err != nil {
		return err
	}
	for _, step := range []int{0, 1, -1} {
		run := true
		for i := 1; i < len(pin); i++ {
			run = run && int(pin[i])-int(pin[i-1]) == step
		}
		if run {
			return ErrPINTooSimple
		}
	}
	return nil
}

func (s *Service) hashPIN(pin string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(pin), s.cfg.PINCost)
}

// verifyPIN checks pin against the wallet's hash and keeps the count of
// wrong ones. It runs bcrypt outside any transaction: hashing takes tens
// of milliseconds, which no database lock should wait for. The lock is
// checked again by the statement that records the outcome, so attempts
// racing each other are counted exactly and none gets past a lock that
// another set meanwhile. It returns ErrIncorrectPIN or ErrPINLocked.
func (s *Service) verifyPIN(ctx context.Context, w walletRow, pin string) error {
	now := s.now()
	if w.locked(now) {
		return lockedError(*w.PINLockedUntil)
	}
	err := bcrypt.CompareHashAndPassword([]byte(w.PINHash), []byte(pin))
	if err == nil {
		return s.resetPINAttempts(ctx, w.ID, now)
	}
	if !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return err
	}
	return s.countWrongPIN(ctx, "id = ?", w.ID, now)
}

// countWrongPIN adds one wrong PIN in a single statement, setting the lock
// when this one reaches the limit. The counter starts again only after a
// right PIN, so once a lockout ends every further wrong PIN locks again
// at once: a guesser gets one try per lockout, not five. It counts for the
// wallet where selects (by id, or by phone when signing in), and returns
// ErrIncorrectPIN with the tries left, or ErrPINLocked; a wallet that is
// locked or that does not exist is left alone and gives ErrPINLocked.
func (s *Service) countWrongPIN(ctx context.Context, where string, arg any, now time.Time) error {
	until := now.Add(s.cfg.PINLockout)
	var attempts []int
	// In a transaction of its own, so that on SQLite it takes the writer's
	// turn rather than waiting for a gap in its groups (storage.Exec).
	err := storage.InTx(ctx, s.db, func(tx *gorm.DB) error {
		return tx.Raw(`UPDATE wallets
		SET failed_pin_attempts = failed_pin_attempts + 1,
			pin_locked_until = CASE WHEN failed_pin_attempts + 1 >= ? THEN ? ELSE pin_locked_until END
		WHERE `+where+` AND (pin_locked_until IS NULL OR pin_locked_until <= ?)
		RETURNING failed_pin_attempts`,
			s.cfg.MaxPINAttempts, until, arg, now).Scan(&attempts).Error
	})
	switch {
	case err != nil:
		return err
	case len(attempts) == 0:
		// Another attempt set the lock after this one read the wallet.
		return ErrPINLocked
	case attempts[0] >= s.cfg.MaxPINAttempts:
		return lockedError(until)
	}
	return ErrIncorrectPIN.WithMessage("the PIN is incorrect; %d tries left before it locks", s.cfg.MaxPINAttempts-attempts[0])
}

// resetPINAttempts records a right PIN, unless a lock was set while bcrypt
// ran: then the right PIN is refused like any other.
func (s *Service) resetPINAttempts(ctx context.Context, walletID string, now time.Time) error {
	rows, err := storage.Exec(ctx, s.db, `UPDATE wallets SET failed_pin_attempts = 0, pin_locked_until = NULL
		WHERE id = ? AND (pin_locked_until IS NULL OR pin_locked_until <= ?)`, walletID, now)
	if err != nil {
		return err
	}
	if rows == 0 {
		return ErrPINLocked
	}
	return nil
}

func lockedError(until time.Time) error {
	return ErrPINLocked.WithMessage("too many incorrect PINs; try again after %s", until.UTC().Format(time.RFC3339))
}

// locked reports whether the wallet's PIN is locked at now.
func (w walletRow) locked(now time.Time) bool {
	return w.PINLockedUntil != nil && w.PINLockedUntil.After(now)
}
