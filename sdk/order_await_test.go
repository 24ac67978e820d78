package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// awaitResult is what an Await in the background returned.
type awaitResult struct {
	o   *sdk.Order
	err error
}

func awaitInBackground(c *sdk.Client, id string) <-chan awaitResult {
	done := make(chan awaitResult, 1)
	go func() {
		o, err := c.Orders.Await(context.Background(), id)
		done <- awaitResult{o, err}
	}()
	return done
}

func (r awaitResult) want(t *testing.T, id string, status sdk.OrderStatus) *sdk.Order {
	t.Helper()
	if r.err != nil || r.o == nil || r.o.ID != id || r.o.Status != status {
		t.Fatalf("Await: %+v, %v; want %s %s", r.o, r.err, id, status)
	}
	return r.o
}

func receive(t *testing.T, done <-chan awaitResult) awaitResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(15 * time.Second):
		t.Fatal("Await did not return within 15s")
	}
	return awaitResult{}
}

// waitForStream waits until the order's status stream has been asked for
// n times in all.
func waitForStream(t *testing.T, tr *transport, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got := 0
		for _, a := range tr.sent() {
			if strings.HasSuffix(a.path, "/events") {
				got++
			}
		}
		if got >= n {
			return
		}
	}
	t.Fatalf("the status stream was not asked for %d times", n)
}

func TestAwaitPaidAndCanceled(t *testing.T) {
	e := newEnv(t)
	o := e.order(t, nil)
	if !strings.HasPrefix(o.ClientSecret, o.ID+"_secret_") || o.Source != "api" {
		t.Fatalf("order %s: client secret %q, source %q", o.ID, o.ClientSecret, o.Source)
	}
	done := awaitInBackground(e.c, o.ID)
	waitForStream(t, e.tr, 1)
	select {
	case r := <-done:
		t.Fatalf("Await returned %+v, %v before the order ended", r.o, r.err)
	case <-time.After(200 * time.Millisecond):
	}
	e.g.Payer(t, 5000, "CNY").Pay(t, o.ID)
	if paid := receive(t, done).want(t, o.ID, sdk.OrderPaid); paid.PaidAt == nil || paid.AmountPaid != 1250 {
		t.Fatalf("paid order %+v", paid)
	}

	c := e.order(t, nil)
	done = awaitInBackground(e.c, c.ID)
	if _, err := e.c.Orders.Cancel(context.Background(), c.ID, nil); err != nil {
		t.Fatal(err)
	}
	receive(t, done).want(t, c.ID, sdk.OrderCanceled)
	// An order that ended already answers at once.
	receive(t, awaitInBackground(e.c, c.ID)).want(t, c.ID, sdk.OrderCanceled)

	_, err := e.c.Orders.Await(context.Background(), "ord_00000000000000000000000000")
	if !errors.Is(err, sdk.ErrResourceMissing) {
		t.Fatalf("Await of no order: %v", err)
	}
}

func TestAwaitExpired(t *testing.T) {
	clock := clocktest.New()
	g := gatewaytest.StartWith(t, gatewaytest.Options{Now: clock.Now})
	_, key := g.Merchant(t, "Blue Bottle")
	c := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	o, err := c.Orders.Create(context.Background(), &sdk.OrderCreateParams{Amount: 100, Currency: "CNY", ExpiresIn: 60})
	if err != nil {
		t.Fatal(err)
	}
	done := awaitInBackground(c, o.ID)
	time.Sleep(100 * time.Millisecond)
	clock.Advance(61 * time.Second)
	receive(t, done).want(t, o.ID, sdk.OrderExpired)
}

// The stream is cut while the order is paid: Await reads the order and
// does not wait for a stream that missed it.
func TestAwaitAfterTheStreamDrops(t *testing.T) {
	e := newEnv(t)
	front := e.g.Front(t)
	tr := &transport{}
	c := sdk.NewClient(e.key, sdk.WithBaseURL(front.URL), sdk.WithHTTPClient(&http.Client{Transport: tr}))
	o := e.order(t, nil)
	done := awaitInBackground(c, o.ID)
	waitForStream(t, tr, 1)
	front.Down()
	e.g.Payer(t, 5000, "CNY").Pay(t, o.ID)
	time.Sleep(300 * time.Millisecond)
	front.Up()
	receive(t, done).want(t, o.ID, sdk.OrderPaid)
}

// A gateway without the status stream (an older one): Await polls.
func TestAwaitPollsWithoutAStream(t *testing.T) {
	e := newEnv(t)
	e.tr.reset(func(n int, send func() (*http.Response, error)) (*http.Response, error) {
		if tr := e.tr.sent(); strings.HasSuffix(tr[n].path, "/events") {
			return answer(404, nil, `{"error":{"type":"invalid_request_error","code":"route_not_found","message":"no such route"}}`), nil
		}
		return send()
	})
	o := e.order(t, nil)
	done := awaitInBackground(e.c, o.ID)
	time.Sleep(2500 * time.Millisecond) // two polls or so
	e.g.Payer(t, 5000, "CNY").Pay(t, o.ID)
	receive(t, done).want(t, o.ID, sdk.OrderPaid)
	streams, reads := 0, 0
	for _, a := range e.tr.sent() {
		switch {
		case strings.HasSuffix(a.path, "/events"):
			streams++
		case a.method == "GET" && a.path == "/v1/orders/"+o.ID:
			reads++
		}
	}
	if streams != 1 || reads < 3 {
		t.Fatalf("%d stream attempts and %d reads; want 1 and a read a second", streams, reads)
	}
}
