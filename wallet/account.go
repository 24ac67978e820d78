package wallet

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// MaxNoPINLimit caps what a payer may set as their no_pin_limit, in minor
// units: a lost phone should never be able to spend much without the PIN.
const MaxNoPINLimit = 200_000

// Account is a payer's wallet as its owner sees it. Phone is masked; the
// full number never leaves the database.
type Account struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	Phone    string `json:"phone"`
	Frozen   bool   `json:"frozen"`
	// NoPINLimit is the largest payment, in minor units, that needs no PIN.
	NoPINLimit int64     `json:"no_pin_limit"`
	CreatedAt  time.Time `json:"created_at"`
}

type walletRow struct {
	ID             string
	Livemode       bool
	Phone          string
	PINHash        string     `gorm:"column:pin_hash"`
	PINLockedUntil *time.Time `gorm:"column:pin_locked_until"`
	Frozen         bool
	NoPINLimit     int64 `gorm:"column:no_pin_limit"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (walletRow) TableName() string { return "wallets" }

func (r walletRow) toAccount() Account {
	return Account{ID: r.ID, Object: "wallet", Livemode: r.Livemode, Phone: maskPhone(r.Phone), Frozen: r.Frozen,
		NoPINLimit: r.NoPINLimit, CreatedAt: r.CreatedAt}
}

// SignUp is a new wallet and its owner's first session token.
type SignUp struct {
	Account Account `json:"account"`
	Token   string  `json:"token"`
}

// CreateAccount opens a wallet for phone with pin and signs its owner in.
// It returns an invalid-parameter error for a malformed phone or PIN,
// ErrPINTooSimple, or ErrPhoneTaken. Wallets are test-mode only while the
// simulated bank is the only bank they can be funded from.
func (s *Service) CreateAccount(ctx context.Context, phone, pin string) (SignUp, error) {
	phone, err := normalizePhone(phone)
	if err != nil {
		return SignUp{}, err
	}
	if err := checkNewPIN(pin); err != nil {
		return SignUp{}, err
	}
	hash, err := s.hashPIN(pin)
	if err != nil {
		return SignUp{}, err
	}
	now := s.now()
	row := walletRow{ID: scanpay.NewID("wal"), Phone: phone, PINHash: string(hash), NoPINLimit: s.cfg.DefaultNoPINLimit,
		CreatedAt: now, UpdatedAt: now}
	token, err := s.issue(row, now)
	if err != nil {
		return SignUp{}, err
	}
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (SignUp, error) {
		return SignUp{Account: row.toAccount(), Token: token}, storage.DeferInsert(tx, &row, phoneTaken)
	})
}

// phoneTaken names the failure of a wallet's insert on the unique phone.
func phoneTaken(err error) error {
	if storage.IsUniqueViolationOn(err, "wallets") {
		return ErrPhoneTaken
	}
	return nil
}

// Get returns the wallet with id, or a not-found error.
func (s *Service) Get(ctx context.Context, id string) (Account, error) {
	row, err := s.find(ctx, id)
	if err != nil {
		return Account{}, err
	}
	return row.toAccount(), nil
}

// FindByPhone returns the wallet registered to phone (written any way
// normalizePhone reads), or a not-found error naming phone. It is for a
// merchant sending a payer something, which tells a merchant no more than
// sending it does.
func (s *Service) FindByPhone(ctx context.Context, phone string) (Account, error) {
	normalized, err := normalizePhone(phone)
	if err != nil {
		return Account{}, err
	}
	var rows []walletRow
	if err := s.db.WithContext(ctx).Where("phone = ?", normalized).Limit(1).Find(&rows).Error; err != nil {
		return Account{}, err
	}
	if len(rows) == 0 {
		return Account{}, scanpay.NotFound("wallet", phone).WithParam("phone").WithMessage("no wallet is registered to this phone number")
	}
	return rows[0].toAccount(), nil
}

// Freeze refuses every payment and withdrawal of the wallet until it is
// unfrozen. It needs no PIN: a payer reporting a lost phone must be able
// to stop it at once. Freezing a frozen wallet is not an error.
func (s *Service) Freeze(ctx context.Context, walletID string) (Account, error) {
	return s.update(ctx, walletID, map[string]any{"frozen": true})
}

// Unfreeze lets the wallet pay again. The PIN is required and a wrong one
// counts toward the lockout: it returns ErrIncorrectPIN or ErrPINLocked.
func (s *Service) Unfreeze(ctx context.Context, walletID, pin string) (Account, error) {
	if err := s.checkOwnerPIN(ctx, walletID, pin); err != nil {
		return Account{}, err
	}
	return s.update(ctx, walletID, map[string]any{"frozen": false})
}

// SetNoPINLimit sets the largest payment that needs no PIN, from 0 (the PIN
// for every payment) to MaxNoPINLimit. The PIN is required, as for
// Unfreeze, so a found phone cannot raise its own limit.
func (s *Service) SetNoPINLimit(ctx context.Context, walletID string, limit int64, pin string) (Account, error) {
	if limit < 0 || limit > MaxNoPINLimit {
		return Account{}, scanpay.Invalid("no_pin_limit", "no_pin_limit must be from 0 to %d", MaxNoPINLimit)
	}
	if err := s.checkOwnerPIN(ctx, walletID, pin); err != nil {
		return Account{}, err
	}
	return s.update(ctx, walletID, map[string]any{"no_pin_limit": limit})
}

// checkOwnerPIN is the PIN check of a change the owner makes to their own
// wallet.
func (s *Service) checkOwnerPIN(ctx context.Context, walletID, pin string) error {
	if err := checkPINFormat(pin); err != nil {
		return err
	}
	row, err := s.find(ctx, walletID)
	if err != nil {
		return err
	}
	return s.verifyPIN(ctx, row, pin)
}

// update applies changes to the wallet and returns it as changed, in one
// transaction.
func (s *Service) update(ctx context.Context, walletID string, changes map[string]any) (Account, error) {
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Account, error) {
		changes["updated_at"] = s.now()
		res := tx.Model(&walletRow{}).Where("id = ?", walletID).Updates(changes)
		if res.Error != nil {
			return Account{}, res.Error
		}
		if res.RowsAffected == 0 {
			return Account{}, scanpay.NotFound("wallet", walletID)
		}
		row, err := find(ctx, tx, walletID)
		return row.toAccount(), err
	})
}

func (s *Service) find(ctx context.Context, id string) (walletRow, error) {
	return find(ctx, s.db, id)
}

func find(ctx context.Context, db *gorm.DB, id string) (walletRow, error) {
	var row walletRow
	err := db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, scanpay.NotFound("wallet", id)
	}
	return row, err
}
