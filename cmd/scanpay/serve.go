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
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
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
		return err
	}
	defer ln.Close() // Serve closes it too; this covers returning before Serve
	if cfg.PprofAddr != "" {
		prof, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			return fmt.Errorf("pprof: %w", err)
		}
		defer prof.Close()
	}
	baseURL := cfg.baseURL(ln.Addr().String())
	merchants := merchant.NewService(db, scanpay.Now)
	wallets := wallet.NewService(db, scanpay.Now, wallet.Config{SessionKey: deriveKey(master, "wallet sessions")})
	orders := checkout.NewService(db, scanpay.Now, checkout.Config{BaseURL: baseURL, MaxAmount: cfg.MaxOrderAmount}, merchants, wallets)
	hooksCfg := webhooks.Config{
		SecretKey: deriveKey(master, "webhook secrets"),
		Guard:     &webhooks.Guard{AllowPrivate: cfg.WebhookAllowPrivate},
	}
	hooks, err := webhooks.NewService(db, scanpay.Now, hooksCfg)
	if err != nil {
		return err
	}
	dispatcher, err := webhooks.NewDispatcher(db, scanpay.Now, log, hooksCfg)
	if err != nil {
		return err
	}
	orders.OnEvents(dispatcher.Wake)
	gw := gateway.New(gateway.Config{BaseURL: baseURL}, gateway.Deps{
		DB:        db,
		Log:       log,
		Now:       scanpay.Now,
		Merchants: merchants,
		Checkout:  orders,
		Wallets:   wallets,
		Webhooks:  hooks,
		// A resend starts delivering at once rather than at the next poll.
		WakeDispatcher: dispatcher.Wake,
	})
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

	log.Info("scanpay listening", "addr", ln.Addr().String(), "base_url", baseURL, "db", storage.DialectOf(db))
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
