// Package settlement tells merchants what they are owed and pays it out:
// their balances and balance transactions, the daily settlement that makes
// a business day's takings available, the signed reconciliation report of
// each settlement, bank accounts and payouts through the bank.
package settlement

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"gorm.io/gorm"
)

// Config is what the service needs besides the database and the clock.
type Config struct {
	// SigningKey signs reconciliation reports; serve derives it from the
	// master key, so every gateway process signs with the same one.
	SigningKey ed25519.PrivateKey
	// BankAccountKey (seal.KeyLen bytes, derived from the master key)
	// seals bank account numbers.
	BankAccountKey []byte
	// ReportURL is where a settlement's report is downloaded: the
	// gateway's business, so the gateway gives it.
	ReportURL func(settlementID string) string
	// Bank pays out test-mode payouts: the SimulatedBank when nil.
	Bank Bank
	// LiveBank pays out live-mode payouts. There is none yet: when nil,
	// live payouts wait, pending, with their money in transit.
	LiveBank Bank
}

// Service runs balances, settlements, bank accounts and payouts. It holds
// no state that correctness needs beyond the database: any number of
// gateway processes run its jobs at once, and unique constraints and
// compare-and-sets let each settlement and each payout step happen once.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	merchants *merchant.Service
	signer    signer
	box       *seal.Box
	reportURL func(string) string
	banks     map[bool]Bank // by livemode
	wake      func()
}

// NewService returns a settlement Service on db; now is the clock. It
// fails only on a configuration error: a signing key or a sealing key of
// the wrong length.
func NewService(db *gorm.DB, now func() time.Time, cfg Config, merchants *merchant.Service) (*Service, error) {
	if len(cfg.SigningKey) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("settlement: signing key is %d bytes, want %d", len(cfg.SigningKey), ed25519.PrivateKeySize)
	}
	box, err := seal.New(cfg.BankAccountKey)
	if err != nil {
		return nil, fmt.Errorf("settlement: bank account key: %w", err)
	}
	if cfg.ReportURL == nil {
		return nil, errors.New("settlement: no ReportURL")
	}
	if cfg.Bank == nil {
		cfg.Bank = SimulatedBank{}
	}
	banks := map[bool]Bank{false: cfg.Bank}
	if cfg.LiveBank != nil {
		banks[true] = cfg.LiveBank
	}
	return &Service{db: db, now: now, merchants: merchants, signer: newSigner(cfg.SigningKey), box: box,
		reportURL: cfg.ReportURL, banks: banks, wake: func() {}}, nil
}

// OnEvents makes the service call wake after each commit that wrote
// events, so a webhook dispatcher can start at once instead of at its
// next poll.
func (s *Service) OnEvents(wake func()) { s.wake = wake }
