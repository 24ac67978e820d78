package checkout

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/wallet"
	"gorm.io/gorm"
)

// Config holds the checkout rules an operator can set.
type Config struct {
	// BaseURL is the gateway's public URL, for QR payloads and links.
	BaseURL string
	// MaxAmount caps an order's amount, in minor units of any currency.
	MaxAmount int64
	// QRGUID identifies Scanpay inside EMVCo payloads (template 26).
	QRGUID string
	// ClientSecretKey (seal.KeyLen bytes) seals orders' client secrets.
	// Every process of a deployment needs the same one; NewStack derives
	// it from the gateway's key. Without one, a random key is made, and
	// the secrets it seals open in this process only (tests, the
	// operator's command line).
	ClientSecretKey []byte
	// StaticQRDailyLimits caps what one payer may pay through static codes
	// in a day (China Standard Time), per currency, in that currency's
	// minor units. Currencies it does not list are not capped. nil means
	// DefaultStaticQRDailyLimits; an empty map caps nothing.
	StaticQRDailyLimits map[string]int64
}

// DefaultMaxAmount is 100 million major units of a two-decimal currency.
const DefaultMaxAmount = 10_000_000_000

// DefaultQRGUID is the EMVCo merchant account GUID when none is set.
const DefaultQRGUID = "io.scanpay"

// DefaultStaticQRDailyLimits is 500.00 yuan a day per payer through static
// codes, as China's rules for barcode payments cap them whatever the
// verification.
var DefaultStaticQRDailyLimits = map[string]int64{"CNY": 50000}

// Service runs orders. It holds no state that correctness needs beyond the
// database, so any number of gateway processes can share one.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	cfg       Config
	merchants *merchant.Service
	wallets   Wallets
	images    *imageCache
	secrets   *seal.Box
	wake      func()
}

// Wallets is what checkout needs of the payers' wallets: the PIN and
// freeze rules before a payment, and a wallet found by phone for a coupon.
type Wallets interface {
	// Authorize is wallet.Service.Authorize.
	Authorize(ctx context.Context, walletID string, amount int64, pin string) (wallet.Account, error)
	// FindByPhone is wallet.Service.FindByPhone.
	FindByPhone(ctx context.Context, phone string) (wallet.Account, error)
}

// NewService returns a checkout Service. wallets may be nil for a service
// that only manages campaigns (the operator's command line). It panics
// when cfg.ClientSecretKey is given and is not seal.KeyLen bytes: a
// mistake in main, not in a request.
func NewService(db *gorm.DB, now func() time.Time, cfg Config, merchants *merchant.Service, wallets Wallets) *Service {
	if cfg.MaxAmount == 0 {
		cfg.MaxAmount = DefaultMaxAmount
	}
	if cfg.QRGUID == "" {
		cfg.QRGUID = DefaultQRGUID
	}
	if cfg.StaticQRDailyLimits == nil {
		cfg.StaticQRDailyLimits = DefaultStaticQRDailyLimits
	}
	key := cfg.ClientSecretKey
	if key == nil {
		key = make([]byte, seal.KeyLen)
		rand.Read(key)
	}
	box, err := seal.New(key)
	if err != nil {
		panic(fmt.Sprintf("checkout: client secret key: %v", err))
	}
	return &Service{db: db, now: now, cfg: cfg, merchants: merchants, wallets: wallets, images: newImageCache(2048),
		secrets: box, wake: func() {}}
}

// OnEvents makes the service call wake after each commit that wrote
// events, so a webhook dispatcher can start at once instead of at its
// next poll.
func (s *Service) OnEvents(wake func()) { s.wake = wake }
