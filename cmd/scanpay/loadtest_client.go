package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"
)

// Payments stay within the wallet's default no-PIN limit: 1.00 to 199.99
// yuan. A wallet set to a lower limit is sent the PIN.
const (
	minPayment = 100
	maxPayment = 19_999
)

const (
	// loadPIN is every load wallet's PIN; the wallets hold test money only.
	loadPIN = "135790"
	// topUp is the largest single top-up the wallet allows; a wallet is
	// topped up again before it could run short.
	topUp = 5_000_000
	// sessionRefresh renews a payer session well before its 15 minutes run out.
	sessionRefresh = 10 * time.Minute
)

// errorKey groups failed calls in the report.
type errorKey struct {
	Step   string `json:"step"`   // create, pay, topup, session
	Status int    `json:"status"` // 0: no answer
	Code   string `json:"code"`
}

// clientStats is what one load client measured. Only its client writes
// it, so nothing is locked; the report merges them after the run.
type clientStats struct {
	create, pay     histogram
	created, paid   int64
	topups          int64
	errors          map[errorKey]int64
	schedule        schedule
	webhookTimeouts int64
}

// loadClient is one simulated till and its payer: it creates an order with
// the merchant's key, pays it from its own wallet, and waits for the
// order's verified webhook before the next iteration.
type loadClient struct {
	api     apiClient
	key     string
	keys    string // prefix of this client's idempotency keys
	tracker *tracker
	grace   time.Duration
	rng     *rand.Rand

	phone      string
	token      string
	tokenAt    time.Time
	noPINLimit int64
	balance    int64 // what the wallet holds, as far as this client knows

	seq    int64
	body   []byte
	buf    bytes.Buffer
	notify chan struct{}
	timer  *time.Timer
	stats  *clientStats
}

func newLoadClient(api apiClient, key, keys string, t *tracker, grace time.Duration) *loadClient {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	return &loadClient{
		api: api, key: key, keys: keys, tracker: t, grace: grace,
		rng:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		notify: make(chan struct{}, 1), timer: timer,
		stats: &clientStats{errors: make(map[errorKey]int64)},
	}
}

// idempotencyKey is unique to this run, client and call.
func (c *loadClient) idempotencyKey(what string) string {
	c.seq++
	return c.keys + "-" + what + "-" + strconv.FormatInt(c.seq, 10)
}

// openWallet signs a new payer up, under a random mobile number (another
// one if it is taken), and tops the wallet up.
func (c *loadClient) openWallet(ctx context.Context) error {
	var out struct {
		Account struct {
			NoPINLimit int64 `json:"no_pin_limit"`
		}
		Token string
	}
	for tries := 1; ; tries++ {
		c.phone = "19" + strconv.FormatInt(1e9+c.rng.Int64N(1e9), 10)[1:]
		err := c.api.call(ctx, "POST", "/wallet/v1/accounts", "", c.idempotencyKey("wallet"),
			map[string]string{"phone": c.phone, "pin": loadPIN}, &out)
		if e, ok := errors.AsType[*apiError](err); ok && e.Code == "phone_already_registered" && tries < 5 {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	c.token, c.tokenAt, c.noPINLimit = out.Token, time.Now(), out.Account.NoPINLimit
	return c.topUp(ctx)
}

func (c *loadClient) topUp(ctx context.Context) error {
	err := c.api.call(ctx, "POST", "/wallet/v1/topups", c.token, c.idempotencyKey("topup"),
		map[string]any{"amount": topUp, "currency": "CNY"}, nil)
	if err != nil {
		return err
	}
	c.balance += topUp
	c.stats.topups++
	return nil
}

// keepUp renews the payer's session and tops the wallet up when either
// could otherwise fail the next payment.
func (c *loadClient) keepUp(ctx context.Context) (string, error) {
	if time.Since(c.tokenAt) > sessionRefresh {
		var out struct{ Token string }
		err := c.api.call(ctx, "POST", "/wallet/v1/sessions", "", "", map[string]string{"phone": c.phone, "pin": loadPIN}, &out)
		if err != nil {
			return "session", err
		}
		c.token, c.tokenAt = out.Token, time.Now()
	}
	if c.balance < maxPayment {
		if err := c.topUp(ctx); err != nil {
			return "topup", err
		}
	}
	return "", nil
}

func (c *loadClient) fail(step string, err error) {
	k := errorKey{Step: step, Code: "client_error"}
	if e, ok := errors.AsType[*apiError](err); ok {
		k.Status, k.Code = e.Status, e.Code
	}
	c.stats.errors[k]++
}

// iterate runs one create → pay → webhook cycle, timed as it says. Calls
// run under ctx; stop ends only the wait for the webhook, so an interrupted
// run still counts the calls it made.
func (c *loadClient) iterate(ctx context.Context, stop <-chan struct{}, it iteration) {
	began := time.Now()
	if step, err := c.keepUp(ctx); err != nil {
		c.fail(step, err)
		return
	}
	it.delay(time.Since(began))
	amount := minPayment + c.rng.Int64N(maxPayment-minPayment+1)
	c.body = append(c.body[:0], `{"amount":`...)
	c.body = strconv.AppendInt(c.body, amount, 10)
	c.body = append(c.body, `,"currency":"CNY"}`...)
	sent := time.Now()
	err := c.api.send(ctx, "POST", "/v1/orders", c.key, c.idempotencyKey("order"), c.body, &c.buf)
	done := time.Now()
	if err != nil {
		c.fail("create", err)
		return
	}
	var order struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(c.buf.Bytes(), &order); err != nil || order.ID == "" {
		c.fail("create", &apiError{Status: 201, Code: "unrecognized_answer"})
		return
	}
	c.stats.create.record(it.since(sent, done))
	c.stats.created++

	c.tracker.expect(order.ID, c.notify)
	c.body = append(c.body[:0], `{"order":"`...)
	c.body = append(c.body, order.ID...)
	if amount > c.noPINLimit {
		c.body = append(c.body, `","pin":"`+loadPIN...)
	}
	c.body = append(c.body, `"}`...)
	sent = time.Now()
	err = c.api.send(ctx, "POST", "/wallet/v1/payments", c.token, "pay-"+order.ID, c.body, &c.buf)
	done = time.Now()
	outcome := payPaid
	if err != nil {
		// Without an answer it may have been paid: the money counts as
		// gone, so the wallet is topped up early rather than found short.
		// An answered error, 5xx included, kept nothing.
		outcome = payUnknown
		if e, ok := errors.AsType[*apiError](err); ok && e.Status != 0 {
			outcome = payRefused
		}
	}
	arrived := c.tracker.settle(order.ID, outcome, done)
	if outcome != payRefused {
		c.balance -= amount
	}
	if err != nil {
		c.fail("pay", err)
		return
	}
	c.stats.pay.record(it.since(sent, done))
	c.stats.paid++
	if !arrived {
		c.awaitWebhook(stop, order.ID)
	}
}

// awaitWebhook waits for the order's webhook, up to the grace period. One
// that comes later is still counted when it comes; only the wait ends.
func (c *loadClient) awaitWebhook(stop <-chan struct{}, order string) {
	c.timer.Reset(c.grace)
	defer c.timer.Stop()
	for {
		select {
		case <-c.notify:
			// The signal may be a late webhook of an earlier order.
			if c.tracker.arrived(order) {
				return
			}
		case <-c.timer.C:
			c.stats.webhookTimeouts++
			return
		case <-stop:
			return
		}
	}
}
