package sdk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// lost lets the first request reach the gateway and replaces its answer
// with status, as a proxy that failed on the way back would.
func lost(status int) func(int, func() (*http.Response, error)) (*http.Response, error) {
	return func(n int, send func() (*http.Response, error)) (*http.Response, error) {
		resp, err := send()
		if n == 0 && err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return answer(status, nil, "<html>bad gateway</html>"), nil
		}
		return resp, err
	}
}

// always answers every request with status and header, never sending it.
func always(status int, header http.Header, body string) func(int, func() (*http.Response, error)) (*http.Response, error) {
	return func(int, func() (*http.Response, error)) (*http.Response, error) {
		return answer(status, header, body), nil
	}
}

// The gateway creates the order, the answer is lost, and the retry with
// the same Idempotency-Key gets the first answer again: one order.
func TestRetryReplaysWhatTheGatewayDid(t *testing.T) {
	for name, fault := range map[string]func(int, func() (*http.Response, error)) (*http.Response, error){
		"answer lost":     dropFirstAnswer,
		"502 from proxy":  lost(http.StatusBadGateway),
		"503 from proxy":  lost(http.StatusServiceUnavailable),
		"504 from proxy ": lost(http.StatusGatewayTimeout),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.tr.reset(fault)
			o, err := e.c.Orders.Create(context.Background(), &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", Reference: "A-1"})
			if err != nil {
				t.Fatal(err)
			}
			sent := e.tr.sent()
			if len(sent) != 2 {
				t.Fatalf("%d attempts, want 2", len(sent))
			}
			key := sent[0].header.Get("Idempotency-Key")
			if key == "" || sent[1].header.Get("Idempotency-Key") != key {
				t.Fatalf("keys %q and %q: want one key, kept across the retry", key, sent[1].header.Get("Idempotency-Key"))
			}
			if sent[1].replayed != "true" {
				t.Fatal("the retry was not a replay: the gateway ran the request twice")
			}
			if n := e.g.Count(t, "orders"); n != 1 {
				t.Fatalf("%d orders in the database, want 1", n)
			}
			var stored string
			if err := e.g.DB.Table("orders").Select("id").Take(&stored).Error; err != nil {
				t.Fatal(err)
			}
			if o.ID != stored {
				t.Fatalf("the client got order %s, the database holds %s", o.ID, stored)
			}
		})
	}
}

func TestEveryPOSTHasItsOwnKey(t *testing.T) {
	e := newEnv(t)
	o := e.order(t, nil)
	if _, err := e.c.Orders.Cancel(context.Background(), o.ID, nil); err != nil {
		t.Fatal(err)
	}
	e.order(t, nil)
	keys := map[string]bool{}
	for _, a := range e.tr.sent() {
		keys[a.header.Get("Idempotency-Key")] = true
	}
	if len(keys) != 3 || keys[""] {
		t.Fatalf("keys %v: want three different ones", keys)
	}
}

func TestCallerGivenIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	params := &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", IdempotencyKey: "shop-order-17"}
	first, err := e.c.Orders.Create(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	// The shop crashed and calls again after a restart: same key, same order.
	again, err := e.c.Orders.Create(ctx, params)
	if err != nil || again.ID != first.ID {
		t.Fatalf("second call: %+v, %v; want order %s again", again, err, first.ID)
	}
	for _, a := range e.tr.sent() {
		if a.header.Get("Idempotency-Key") != "shop-order-17" {
			t.Fatalf("sent key %q", a.header.Get("Idempotency-Key"))
		}
	}
	_, err = e.c.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 999, Currency: "CNY", IdempotencyKey: "shop-order-17"})
	apiError(t, err, 409, "conflict_error", "idempotency_key_reused", "Idempotency-Key")
	if !errors.Is(err, sdk.ErrIdempotencyKeyReused) || len(e.tr.sent()) != 3 {
		t.Fatalf("%v after %d attempts: want ErrIdempotencyKeyReused, not retried", err, len(e.tr.sent()))
	}
	if n := e.g.Count(t, "orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

// Two calls racing with one key: whichever finds the key in use retries
// until the first is done, and both get the one order.
func TestConcurrentCallsWithOneKeyMakeOneOrder(t *testing.T) {
	e := newEnv(t)
	params := &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", IdempotencyKey: "till-3-sale-9"}
	var wg sync.WaitGroup
	ids := make([]string, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Go(func() {
			o, err := e.c.Orders.Create(context.Background(), params)
			if err == nil {
				ids[i] = o.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("call %d: %s, %v; want order %s", i, ids[i], errs[i], ids[0])
		}
	}
	if n := e.g.Count(t, "orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

func TestRetryOnKeyInUse(t *testing.T) {
	e := newEnv(t)
	inUse := `{"error":{"type":"conflict_error","code":"idempotency_key_in_use","param":"Idempotency-Key","message":"still running"}}`
	e.tr.reset(func(n int, send func() (*http.Response, error)) (*http.Response, error) {
		if n == 0 {
			return answer(http.StatusConflict, nil, inUse), nil
		}
		return send()
	})
	if _, err := e.c.Orders.Create(context.Background(), &sdk.OrderCreateParams{Amount: 100, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	if sent := e.tr.sent(); len(sent) != 2 || sent[0].header.Get("Idempotency-Key") != sent[1].header.Get("Idempotency-Key") {
		t.Fatalf("%d attempts, want 2 with one key", len(sent))
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t)
	limited := `{"error":{"type":"rate_limit_error","code":"rate_limited","message":"slow down"}}`
	e.tr.reset(func(n int, send func() (*http.Response, error)) (*http.Response, error) {
		if n == 0 {
			return answer(http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, limited), nil
		}
		return send()
	})
	start := time.Now()
	if _, err := e.c.Orders.Create(context.Background(), &sdk.OrderCreateParams{Amount: 100, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, before the 1s Retry-After", waited)
	}
	if n := len(e.tr.sent()); n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	for _, tt := range []struct {
		opts     []sdk.Option
		attempts int
	}{
		{nil, 1 + sdk.DefaultMaxRetries},
		{[]sdk.Option{sdk.WithMaxRetries(0)}, 1},
		{[]sdk.Option{sdk.WithMaxRetries(1)}, 2},
	} {
		e := newEnv(t, tt.opts...)
		e.tr.reset(always(http.StatusServiceUnavailable, nil, "down"))
		_, err := e.c.Orders.Get(context.Background(), "ord_x")
		if sdkErr, ok := errors.AsType[*sdk.Error](err); !ok || sdkErr.HTTPStatus != 503 || sdkErr.Code != "" {
			t.Fatalf("error %v, want the last 503", err)
		}
		if n := len(e.tr.sent()); n != tt.attempts {
			t.Fatalf("%d attempts, want %d", n, tt.attempts)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.Orders.Create(context.Background(), &sdk.OrderCreateParams{Currency: "CNY"})
	apiError(t, err, 400, "invalid_request_error", "parameter_missing", "amount")
	_, err = e.c.Orders.Get(context.Background(), "ord_missing")
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")
	if n := len(e.tr.sent()); n != 2 {
		t.Fatalf("%d attempts for two calls", n)
	}
}

func TestNoRetryOnceTheContextIsDone(t *testing.T) {
	e := newEnv(t)
	// A wait past the deadline is not even started.
	e.tr.reset(always(http.StatusServiceUnavailable, http.Header{"Retry-After": {"30"}}, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := e.c.Orders.Get(ctx, "ord_x")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want it to wrap the deadline", err)
	}
	if sdkErr, ok := errors.AsType[*sdk.Error](err); !ok || sdkErr.HTTPStatus != 503 {
		t.Fatalf("error %v, want it to carry the 503 too", err)
	}
	if n := len(e.tr.sent()); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}

	// Canceled while waiting.
	e.tr.reset(always(http.StatusServiceUnavailable, http.Header{"Retry-After": {"2"}}, "down"))
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = e.c.Orders.Get(ctx, "ord_x")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want it to wrap the cancellation", err)
	}
	if n := len(e.tr.sent()); n != 1 {
		t.Fatalf("%d attempts after the cancellation, want 1", n)
	}

	// A gateway asking for more than a minute is not waited for.
	e.tr.reset(always(http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}}, "later"))
	_, err = e.c.Orders.Get(context.Background(), "ord_x")
	if sdkErr, ok := errors.AsType[*sdk.Error](err); !ok || sdkErr.HTTPStatus != 429 || len(e.tr.sent()) != 1 {
		t.Fatalf("error %v after %d attempts, want the 429 at once", err, len(e.tr.sent()))
	}
}

func TestLogsShowRetriesAndNeverTheKey(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, sdk.WithLogger(log))
	e.tr.reset(dropFirstAnswer)
	o := e.order(t, nil)
	mu.Lock()
	defer mu.Unlock()
	text := logs.String()
	if !strings.Contains(text, "retrying") || !strings.Contains(text, "status=201") || !strings.Contains(text, "/v1/orders") {
		t.Fatalf("logs lack the retry or the request:\n%s", text)
	}
	if strings.Contains(text, e.key) || strings.Contains(text, strings.TrimPrefix(e.key, "sk_test_")) {
		t.Fatalf("the secret key is in the logs:\n%s", text)
	}
	if o.ID == "" {
		t.Fatal("no order")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
