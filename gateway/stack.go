package gateway

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// StackConfig is what NewStack needs besides the database, the logger and
// the clock.
type StackConfig struct {
	// Gateway configures the HTTP surface; its BaseURL is the checkout's too.
	Gateway Config
	// MaxOrderAmount caps an order's amount; zero takes checkout's default.
	MaxOrderAmount int64
	// StaticQRDailyLimits caps one payer's payments through static codes
	// in a day, per currency (see checkout.Config); nil takes the default.
	StaticQRDailyLimits map[string]int64
	Wallet              wallet.Config
	Webhooks            webhooks.Config
	// Settlement's ReportURL is the gateway's own, from Gateway.BaseURL.
	Settlement settlement.Config
}

// Stack is the gateway with every service behind it, wired the way
// `scanpay serve` runs them. serve and the in-process test gateway
// (gatewaytest) both build it, so tests run the production wiring. The
// caller runs the Dispatcher and the periodic jobs.
type Stack struct {
	Server     *Server
	Merchants  *merchant.Service
	Wallets    *wallet.Service
	Checkout   *checkout.Service
	Settlement *settlement.Service
	Webhooks   *webhooks.Service
	Dispatcher *webhooks.Dispatcher
	Metrics    *Metrics
}

// NewStack builds the services on db and the gateway in front of them. It
// fails only on a configuration error: a key of the wrong length, a lease
// too short, a proxy that is not an address.
func NewStack(db *gorm.DB, log *slog.Logger, now func() time.Time, cfg StackConfig) (*Stack, error) {
	if len(cfg.Gateway.SecretKey) != seal.KeyLen {
		return nil, fmt.Errorf("gateway: secret key is %d bytes, want %d", len(cfg.Gateway.SecretKey), seal.KeyLen)
	}
	// Orders' client secrets are sealed with a key of their own, derived
	// from the gateway's, so every process of a deployment opens them.
	clientSecretKey, err := hkdf.Key(sha256.New, cfg.Gateway.SecretKey, nil, "scanpay client secrets", seal.KeyLen)
	if err != nil {
		return nil, err
	}
	merchants := merchant.NewService(db, now)
	wallets := wallet.NewService(db, now, cfg.Wallet)
	orders := checkout.NewService(db, now, checkout.Config{BaseURL: cfg.Gateway.BaseURL, MaxAmount: cfg.MaxOrderAmount,
		ClientSecretKey: clientSecretKey, StaticQRDailyLimits: cfg.StaticQRDailyLimits}, merchants, wallets)
	metrics, err := NewMetrics(db, now)
	if err != nil {
		return nil, err
	}
	cfg.Webhooks.OnAttempt = metrics.DeliveryAttempted
	cfg.Settlement.ReportURL = ReportURL(cfg.Gateway.BaseURL)
	settlements, err := settlement.NewService(db, now, cfg.Settlement, merchants)
	if err != nil {
		return nil, err
	}
	hooks, err := webhooks.NewService(db, now, cfg.Webhooks)
	if err != nil {
		return nil, err
	}
	dispatcher, err := webhooks.NewDispatcher(db, now, log, cfg.Webhooks)
	if err != nil {
		return nil, err
	}
	// A committed event starts its delivery at once rather than at the
	// dispatcher's next poll.
	orders.OnEvents(dispatcher.Wake)
	settlements.OnEvents(dispatcher.Wake)
	srv, err := New(cfg.Gateway, Deps{
		DB:             db,
		Log:            log,
		Now:            now,
		Merchants:      merchants,
		Checkout:       orders,
		Settlement:     settlements,
		Wallets:        wallets,
		Webhooks:       hooks,
		WakeDispatcher: dispatcher.Wake,
		Metrics:        metrics,
	})
	if err != nil {
		return nil, err
	}
	return &Stack{Server: srv, Merchants: merchants, Wallets: wallets, Checkout: orders, Settlement: settlements,
		Webhooks: hooks, Dispatcher: dispatcher, Metrics: metrics}, nil
}
