package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scanpay/scanpay"
)

// walletSetupParallel bounds how many wallets are opened at once: each
// sign-up hashes a PIN with bcrypt, and the gateway shares the machine.
const walletSetupParallel = 4

// errRunFailed makes loadtest exit non-zero after printing its report.
var errRunFailed = errors.New("the load run had failures")

type loadConfig struct {
	gateways []string
	key      string
	clients  int
	duration time.Duration
	rate     float64
	grace    time.Duration
	listen   string
	json     bool
}

func (c *loadConfig) parse(args []string, stderr io.Writer) error {
	fs := newFlagSet("loadtest", stderr)
	gateways := fs.String("gateway", env("SCANPAY_BASE_URL", "http://localhost:8080"), "gateway URL; several, comma-separated, are shared out round-robin by client (SCANPAY_BASE_URL)")
	fs.StringVar(&c.key, "key", "", "the merchant's test secret key (sk_test_...)")
	fs.IntVar(&c.clients, "clients", 16, "concurrent clients, each a till with its own payer wallet")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to start new iterations")
	fs.Float64Var(&c.rate, "rate", 0, "iterations per second over all clients (open loop); 0 for closed loop")
	fs.DurationVar(&c.grace, "grace", 10*time.Second, "how long to wait for a paid order's webhook before counting it missing")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "address of the webhook receiver; the gateway must be able to reach it")
	fs.BoolVar(&c.json, "json", false, "print the report as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	for g := range strings.SplitSeq(*gateways, ",") {
		if g = strings.TrimRight(strings.TrimSpace(g), "/"); g != "" {
			c.gateways = append(c.gateways, g)
		}
	}
	switch {
	case len(c.gateways) == 0:
		return scanpay.Missing("gateway")
	case c.key == "":
		return scanpay.Missing("key").WithMessage("--key is required: the merchant's test secret key (sk_test_...)")
	case c.clients < 1:
		return scanpay.Invalid("clients", "--clients must be at least 1")
	case c.duration <= 0:
		return scanpay.Invalid("duration", "--duration must be positive")
	case c.rate < 0:
		return scanpay.Invalid("rate", "--rate must be positive, or 0 for a closed loop")
	case c.grace <= 0:
		return scanpay.Invalid("grace", "--grace must be positive")
	}
	return nil
}

// loadtest drives the gateway end to end as merchants and payers do:
// create an order, pay it from a wallet, receive and verify its order.paid
// webhook; then it reports throughput, latencies, errors and webhooks.
func loadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg loadConfig
	if err := cfg.parse(args, stderr); err != nil {
		return err
	}
	// Calls are not cut short by an interrupt: it stops new iterations, and
	// the report then counts only what really happened.
	calls := context.WithoutCancel(ctx)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.clients + 8,
		IdleConnTimeout:     time.Minute,
	}}
	defer client.CloseIdleConnections()
	apis := make([]apiClient, len(cfg.gateways))
	for i, g := range cfg.gateways {
		apis[i] = apiClient{http: client, base: g}
		if err := checkGateway(calls, apis[i], cfg.key); err != nil {
			return err
		}
	}

	t := newTracker(time.Now)
	recv, err := startReceiver(cfg.listen, t)
	if err != nil {
		return fmt.Errorf("webhook receiver: %w", err)
	}
	defer recv.close()
	run := "lt-" + scanpay.RandomToken(8)
	endpoint, err := registerEndpoint(calls, apis[0], cfg.key, run, recv)
	if err != nil {
		return err
	}
	defer func() {
		err := apis[0].call(calls, "DELETE", "/v1/webhook_endpoints/"+endpoint, cfg.key, "", nil, nil)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: could not delete webhook endpoint %s: %v\n", endpoint, err)
		}
	}()

	clients := make([]*loadClient, cfg.clients)
	for i := range clients {
		clients[i] = newLoadClient(apis[i%len(apis)], cfg.key, fmt.Sprintf("%s-%d", run, i), t, cfg.grace)
	}
	if err := openWallets(calls, clients); err != nil {
		return fmt.Errorf("opening the payers' wallets: %w", err)
	}

	mode := "closed loop"
	var interval time.Duration
	if cfg.rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.rate)
		mode = fmt.Sprintf("open loop at %g/s", cfg.rate)
	}
	fmt.Fprintf(stderr, "loadtest: %d wallets ready, webhooks to %s; running for %s (%s)\n", len(clients), recv.url(), cfg.duration, mode)
	cpu0 := cpuTime()
	start := time.Now()
	p := &pacer{start: start, end: start.Add(cfg.duration), interval: interval}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			c.stats.schedule = loop(ctx, wallClock{}, p, func(it iteration) { c.iterate(calls, ctx.Done(), it) })
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	n := t.outstanding()
	fmt.Fprintf(stderr, "loadtest: run finished after %.2fs; waiting up to %s for %d webhooks\n", elapsed.Seconds(), cfg.grace, n)
	for deadline := time.Now().Add(cfg.grace); n > 0 && time.Now().Before(deadline) && ctx.Err() == nil; n = t.outstanding() {
		time.Sleep(20 * time.Millisecond)
	}

	stats := make([]*clientStats, len(clients))
	for i, c := range clients {
		stats[i] = c.stats
	}
	hooks, commit := t.finish()
	report := buildReport(cfg, p, stats, hooks, commit, elapsed, cpu)
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		report.writeText(stdout)
	}
	if report.Failures > 0 {
		return fmt.Errorf("%w: %d (errors, missing or unverifiable webhooks)", errRunFailed, report.Failures)
	}
	return nil
}

// checkGateway makes sure the gateway answers and takes the key, before
// anything is set up, so a typo fails with a clear message.
func checkGateway(ctx context.Context, api apiClient, key string) error {
	var m struct {
		ID       string
		Livemode bool
	}
	err := api.call(ctx, "GET", "/v1/merchant", key, "", nil, &m)
	if e, ok := errors.AsType[*apiError](err); ok {
		switch {
		case e.Status == 0:
			return fmt.Errorf("cannot reach the gateway at %s: %s", api.base, e.Message)
		case e.Status == http.StatusUnauthorized:
			return fmt.Errorf("the gateway at %s refused the key (401 %s): %s", api.base, e.Code, e.Message)
		}
	}
	if err != nil {
		return fmt.Errorf("the gateway at %s: %w", api.base, err)
	}
	if m.Livemode {
		return fmt.Errorf("the key is a live key: the load tool pays from test wallets, so give it a test key (sk_test_...)")
	}
	return nil
}

// registerEndpoint subscribes the receiver to order.paid and gives it the
// endpoint's secret.
func registerEndpoint(ctx context.Context, api apiClient, key, run string, recv *receiver) (string, error) {
	var ep struct{ ID, Secret string }
	err := api.call(ctx, "POST", "/v1/webhook_endpoints", key, run+"-endpoint", map[string]any{
		"url": recv.url(), "enabled_events": []string{"order.paid"}, "description": "scanpay loadtest " + run,
	}, &ep)
	if e, ok := errors.AsType[*apiError](err); ok && e.Param == "url" {
		return "", fmt.Errorf("the gateway refused the load tool's webhook receiver at %s (%s): start the gateway with --webhook-allow-private (SCANPAY_WEBHOOK_ALLOW_PRIVATE=true), or give --listen an address it may deliver to", recv.url(), e.Message)
	}
	if err != nil {
		return "", fmt.Errorf("registering the webhook endpoint: %w", err)
	}
	recv.setSecret(ep.Secret)
	return ep.ID, nil
}

// openWallets gives every client its payer, a few at a time.
func openWallets(ctx context.Context, clients []*loadClient) error {
	sem := make(chan struct{}, walletSetupParallel)
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.openWallet(ctx)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// cpuTime is the user and system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
