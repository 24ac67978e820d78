package sdk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// Real deliveries from the gateway's dispatcher verify with the SDK, and
// across a secret rotation both secrets verify for 24 hours, then only the
// new one.
func TestRealDeliveriesVerifyAcrossARotation(t *testing.T) {
	clock := clocktest.New()
	g := gatewaytest.StartWith(t, gatewaytest.Options{Now: clock.Now})
	_, key := g.Merchant(t, "Tea House")
	c := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	ctx := context.Background()
	recv := newReceiver(t)
	ep, err := c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{URL: recv.URL, EnabledEvents: []string{sdk.EventOrderPaid}})
	if err != nil {
		t.Fatal(err)
	}
	payer := g.Payer(t, 100_000, "CNY")
	// pay pays a new order and returns its delivery.
	pay := func() (string, delivery) {
		o, err := c.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 1000, Currency: "CNY"})
		if err != nil {
			t.Fatal(err)
		}
		payer.Pay(t, o.ID)
		d := recv.next(t)
		// The dispatcher writes the outcome down a moment after sending;
		// wait for it, or moving the clock a day on would find the
		// delivery's lease run out and send it again.
		deadline := time.Now().Add(10 * time.Second)
		for recorded(t, c, ep.ID, d.header.Get("webhook-id")) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		return o.ID, d
	}
	// The gateway's clock moves in this test; the receiver's moves along.
	v := sdk.WebhookVerifier{Now: clock.Now}
	verify := func(when string, orderID string, d delivery, want error, secrets ...string) {
		t.Helper()
		ev, err := v.Verify(d.body, d.header, secrets...)
		if want != nil {
			if !errors.Is(err, want) {
				t.Fatalf("%s: Verify = %v, want %v", when, err, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if o, err := ev.Order(); err != nil || o.ID != orderID || o.Status != sdk.OrderPaid || ev.ID != d.header.Get("webhook-id") {
			t.Fatalf("%s: delivered %+v (%v), want order %s paid", when, o, err, orderID)
		}
	}
	signatures := func(d delivery) int { return len(strings.Fields(d.header.Get("webhook-signature"))) }

	id, d := pay()
	verify("before the rotation", id, d, nil, ep.Secret)
	if _, err := sdk.VerifyWebhook(d.body, d.header, ep.Secret); err != nil {
		t.Fatalf("with the real clock: %v", err)
	}
	if signatures(d) != 1 {
		t.Fatalf("%d signatures before any rotation", signatures(d))
	}

	rotated, err := c.WebhookEndpoints.RotateSecret(ctx, ep.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger := "whsec_" + strings.Repeat("c2VjcmV0", 4)
	id, d = pay()
	if signatures(d) != 2 {
		t.Fatalf("%d signatures during the rotation, want 2", signatures(d))
	}
	verify("just after the rotation, old secret", id, d, nil, ep.Secret)
	verify("just after the rotation, new secret", id, d, nil, rotated.Secret)
	verify("just after the rotation, both", id, d, nil, rotated.Secret, ep.Secret)
	verify("just after the rotation, another secret", id, d, sdk.ErrNoValidSignature, stranger)

	clock.Advance(23*time.Hour + 59*time.Minute)
	id, d = pay()
	verify("a day minus a minute later, old secret", id, d, nil, ep.Secret)
	verify("a day minus a minute later, new secret", id, d, nil, rotated.Secret)
	// Signed a day ahead of the real clock: a receiver on real time
	// refuses it.
	if _, err := sdk.VerifyWebhook(d.body, d.header, rotated.Secret); !errors.Is(err, sdk.ErrTooNew) {
		t.Fatalf("a delivery stamped a day ahead: %v, want ErrTooNew", err)
	}

	clock.Advance(2 * time.Minute)
	id, d = pay()
	if signatures(d) != 1 {
		t.Fatalf("%d signatures after the grace, want 1", signatures(d))
	}
	verify("after the grace, old secret", id, d, sdk.ErrNoValidSignature, ep.Secret)
	verify("after the grace, new secret", id, d, nil, rotated.Secret)
}

// recorded counts the delivered attempts of an event the endpoint's log
// holds.
func recorded(t *testing.T, c *sdk.Client, endpointID, eventID string) int {
	t.Helper()
	n := 0
	for a, err := range c.WebhookEndpoints.Deliveries(context.Background(), endpointID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Event == eventID && a.Delivered {
			n++
		}
	}
	return n
}
