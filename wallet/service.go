// Package wallet is the reference payer wallet: accounts, PIN, sessions, top-up, withdrawal, history and freeze.
package wallet

import (
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Config holds the wallet's rules. Zero fields take the defaults below,
// except SessionKey, which main must supply.
type Config struct {
	// SessionKey signs session tokens (HMAC-SHA256); at least 32 bytes.
	SessionKey []byte
	// Issuer and Audience go into every session token and must come back.
	Issuer   string
	Audience string
	// SessionTTL is how long a session token stays valid.
	SessionTTL time.Duration
	// PINCost is the bcrypt cost of stored PIN hashes.
	PINCost int
	// MaxPINAttempts wrong PINs in a row lock the PIN for PINLockout.
	MaxPINAttempts int
	PINLockout     time.Duration
	// DefaultNoPINLimit is a new wallet's no_pin_limit: payments up to and
	// including it, in minor units, need no PIN.
	DefaultNoPINLimit int64
	// MaxTransfer caps a single top-up or withdrawal, in minor units.
	MaxTransfer int64
	// Bank is the linked bank account behind top-ups and withdrawals.
	Bank Bank
}

// Defaults for the zero fields of Config.
const (
	DefaultIssuer         = "scanpay"
	DefaultAudience       = "scanpay-wallet"
	DefaultSessionTTL     = 15 * time.Minute
	DefaultMaxPINAttempts = 5
	DefaultPINLockout     = 15 * time.Minute
	DefaultNoPINLimit     = 20_000
	DefaultMaxTransfer    = 5_000_000
)

// minSessionKey is the HMAC key length below which HS256 is weaker than
// its own hash.
const minSessionKey = 32

// Service runs payer wallets. Like the rest of the gateway it keeps no
// state that correctness needs outside the database.
type Service struct {
	db  *gorm.DB
	now func() time.Time
	cfg Config
	// dummyHash is compared against when a phone is unknown, so signing in
	// costs the same bcrypt work whether or not the phone is registered.
	dummyHash []byte
	verified  verifiedTokens
}

// NewService returns a wallet Service on db; now is the clock (UTC). It
// panics when cfg.SessionKey is shorter than 32 bytes or bcrypt refuses
// cfg.PINCost: both are mistakes in main, not in a request.
func NewService(db *gorm.DB, now func() time.Time, cfg Config) *Service {
	if len(cfg.SessionKey) < minSessionKey {
		panic(fmt.Sprintf("wallet: session key of %d bytes, want at least %d", len(cfg.SessionKey), minSessionKey))
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.PINCost == 0 {
		cfg.PINCost = bcrypt.DefaultCost
	}
	if cfg.MaxPINAttempts == 0 {
		cfg.MaxPINAttempts = DefaultMaxPINAttempts
	}
	if cfg.PINLockout == 0 {
		cfg.PINLockout = DefaultPINLockout
	}
	if cfg.DefaultNoPINLimit == 0 {
		cfg.DefaultNoPINLimit = DefaultNoPINLimit
	}
	if cfg.MaxTransfer == 0 {
		cfg.MaxTransfer = DefaultMaxTransfer
	}
	if cfg.Bank == nil {
		cfg.Bank = SimulatedBank{}
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("dummy-pin"), cfg.PINCost)
	if err != nil {
		panic(fmt.Sprintf("wallet: PIN cost %d: %v", cfg.PINCost, err))
	}
	return &Service{db: db, now: now, cfg: cfg, dummyHash: dummy}
}
