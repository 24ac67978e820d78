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
	staticLimits, err := cfg.staticQRDailyLimits()
	if err != nil {
		return err
	}
	if cfg.DBMaxConns < 0 {
		return fmt.Errorf("--db-max-conns %d: want 0 (the default) or more (SCANPAY_DB_MAX_CONNS)", cfg.DBMaxConns)
	}
	tuneGC()
	db, err := openMigrated(ctx, cfg.DatabaseURL, storage.Options{MaxOpenConns: int(cfg.DBMaxConns)})
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
	if cfg.PprofAddr != "" {
		prof, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			return fmt.Errorf("pprof: %w", err)
		}
		defer prof.Close()
	}
	baseURL := cfg.baseURL(ln.Addr().String())
	stack, err := gateway.NewStack(db, log, scanpay.Now, gateway.StackConfig{
		Gateway: gateway.Config{
			BaseURL: baseURL, SecretKey: deriveKey(master, "gateway"),
			TrustedProxies: cfg.trustedProxies(), SignInLimit: int(cfg.SignInLimit),
			MetricsElsewhere: cfg.MetricsAddr != "",
		},
		MaxOrderAmount:      cfg.MaxOrderAmount,
		StaticQRDailyLimits: staticLimits,
		Wallet:              wallet.Config{SessionKey: deriveKey(master, "wallet sessions")},
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
	// job runs a background job every interval until shutdown, logging
	// and counting (scanpay_job_runs_total) what it does.
	job := func(name string, interval time.Duration, run func(context.Context) (int, error)) {
		wg.Go(func() {
			every(jobs, interval, func() {
				n, err := run(jobs)
				if jobs.Err() != nil {
					return
				}
				stack.Metrics.JobRan(name, n, err)
				if err != nil {
					log.Error(name, "err", err)
				} else if n > 0 {
					log.Info(name, "count", n)
				}
			})
		})
	}
	job("prune idempotency keys", 10*time.Minute, func(ctx context.Context) (int, error) {
		n, err := gateway.PruneIdempotencyKeys(ctx, db, scanpay.Now())
		if err != nil {
			return 0, err
		}
		_, err = gateway.PruneRateLimits(ctx, db, scanpay.Now())
		return int(n), err
	})
	job("expire orders", time.Second, func(ctx context.Context) (int, error) {
		expired := 0
		for {
			n, err := orders.ExpireDue(ctx, 200)
			expired += n
			if err != nil || n < 200 {
				return expired, err
			}
		}
	})
	// Cashback whose hold has passed is credited; any number of gateways
	// may run this at once (each credit is a compare-and-set).
	job("release cashback", cashbackReleaseInterval, func(ctx context.Context) (int, error) {
		return orders.ReleaseCashback(ctx, scanpay.Now())
	})
	wg.Go(func() { dispatcher.Run(jobs) })
	if cfg.MetricsAddr != "" {
		metricsServer, err := serveMetrics(cfg.MetricsAddr, stack.Metrics)
		if err != nil {
			stopJobs()
			wg.Wait()
			return err
		}
		defer metricsServer.Close()
	}

	// Settlement, automatic payouts and the bank: any number of gateways
	// may run them at once (unique constraints and compare-and-sets make
	// each step happen once).
	job("settle", settleInterval, func(ctx context.Context) (int, error) {
		settled, err := settlements.SettleDue(ctx, time.Time{})
		return len(settled), err
	})
	job("automatic payouts", settleInterval, func(ctx context.Context) (int, error) {
		payouts, err := settlements.PayOutDue(ctx, time.Time{})
		return len(payouts), err
	})
	job("advance payouts", bankInterval, func(ctx context.Context) (int, error) {
		return settlements.AdvancePayouts(ctx)
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

// serveMetrics answers /metrics on a listener of its own, for operators who
// keep it off the public address.
func serveMetrics(addr string, m *gateway.Metrics) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for metrics (--metrics-addr): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, nil
}
