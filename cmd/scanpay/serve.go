package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
)

// cashbackReleaseInterval is how often serve credits cashback whose hold
// has passed: holds are days long, so a cashback is at most this late.
const cashbackReleaseInterval = 10 * time.Second

// settleInterval is how often serve settles the business days that are
// due and makes the day's automatic payouts: a day is settled at most
// this long after its cutoff. bankInterval is how often it moves payouts
// on with the bank.
const (
	settleInterval = time.Minute
	bankInterval   = 2 * time.Second
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 30 * time.Second

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("serve", stderr)
	cfg.serveFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	if err := cfg.checkBaseURL(); err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, storage.Options{})
	if err != nil {
		return err
	}
	defer storage.Close(db)

	master, err := masterKey(cfg.SecretKey, cfg.SecretKeyFile)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return listenError(cfg.Addr, err)
	}
	defer ln.Close() // Serve closes it too; this covers returning before Serve
	baseURL := cfg.baseURL(ln.Addr().String())
	stack, err := gateway.NewStack(db, log, scanpay.Now, gateway.StackConfig{
		Gateway: gateway.Config{
			BaseURL: baseURL, SecretKey: deriveKey(master, "gateway"),
			TrustedProxies: cfg.trustedProxies(), SignInLimit: int(cfg.SignInLimit),
		},
		MaxOrderAmount: cfg.MaxOrderAmount,
		Wallet:         wallet.Config{SessionKey: deriveKey(master, "wallet sessions")},
		Webhooks: webhooks.Config{
			SecretKey: deriveKey(master, "webhook secrets"),
			Guard:     &webhooks.Guard{AllowPrivate: cfg.WebhookAllowPrivate},
			Lease:     cfg.WebhookLease,
		},
		Settlement: settlementConfig(master),
	})
	if err != nil {
		return err
	}
	gw, orders, settlements, dispatcher := stack.Server, stack.Checkout, stack.Settlement, stack.Dispatcher
	srv := &http.Server{
		Handler:           gw,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	jobs, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		every(jobs, 10*time.Minute, func() {
			n, err := gateway.PruneIdempotencyKeys(jobs, db, scanpay.Now())
			if err != nil {
				log.Error("prune idempotency keys", "err", err)
			} else if n > 0 {
				log.Info("pruned idempotency keys", "count", n)
			}
			if _, err := gateway.PruneRateLimits(jobs, db, scanpay.Now()); err != nil {
				log.Error("prune rate limits", "err", err)
			}
		})
	})

	wg.Go(func() { dispatcher.Run(jobs) })
	wg.Go(func() {
		every(jobs, time.Second, func() {
			for {
				n, err := orders.ExpireDue(jobs, 200)
				if err != nil && jobs.Err() == nil {
					log.Error("expire orders", "err", err)
				}
				if n > 0 {
					log.Info("expired orders", "count", n)
				}
				if n < 200 {
					return
				}
			}
		})
	})
	// Cashback whose hold has passed is credited; any number of gateways
	// may run this at once (each credit is a compare-and-set).
	wg.Go(func() {
		every(jobs, cashbackReleaseInterval, func() {
			n, err := orders.ReleaseCashback(jobs, scanpay.Now())
			if err != nil && jobs.Err() == nil {
				log.Error("release cashback", "err", err)
			}
			if n > 0 {
				log.Info("released cashback", "count", n)
			}
		})
	})

	// Settlement, automatic payouts and the bank: any number of gateways
	// may run them at once (unique constraints and compare-and-sets make
	// each step happen once).
	wg.Go(func() {
		every(jobs, settleInterval, func() {
			settled, err := settlements.SettleDue(jobs, time.Time{})
			if err != nil && jobs.Err() == nil {
				log.Error("settle", "err", err)
			}
			payouts, err := settlements.PayOutDue(jobs, time.Time{})
			if err != nil && jobs.Err() == nil {
				log.Error("automatic payouts", "err", err)
			}
			if len(settled) > 0 || len(payouts) > 0 {
				log.Info("settled", "settlements", len(settled), "automatic_payouts", len(payouts))
			}
		})
	})
	wg.Go(func() {
		every(jobs, bankInterval, func() {
			if _, err := settlements.AdvancePayouts(jobs); err != nil && jobs.Err() == nil {
				log.Error("advance payouts", "err", err)
			}
		})
	})

	log.Info("scanpay listening", "addr", ln.Addr().String(), "base_url", baseURL, "db", databaseLabel(cfg.DatabaseURL),
		"webhook_allow_private", cfg.WebhookAllowPrivate)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace)
		gw.Drain()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	stopJobs()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// listenError says which address could not be had and how to pick
// another: the usual cause is a second gateway, or anything else, on the
// port.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s: the address is already in use; stop what holds it or choose another with --addr or SCANPAY_ADDR", addr)
	}
	return fmt.Errorf("cannot listen on %s (--addr, SCANPAY_ADDR): %w", addr, err)
}

// every runs f now and then once per interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
