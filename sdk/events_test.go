package sdk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// delivery is a webhook a receiver got.
type delivery struct {
	body   []byte
	header http.Header
}

// receiver is a merchant's webhook endpoint on 127.0.0.1 that keeps what
// the gateway's dispatcher delivers and answers 200.
type receiver struct {
	*httptest.Server
	got chan delivery
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{got: make(chan delivery, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.got <- delivery{body: body, header: req.Header.Clone()}
	}))
	t.Cleanup(r.Close)
	return r
}

// next waits for the next delivery.
func (r *receiver) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery within 10s")
		return delivery{}
	}
}

func (e *env) endpoint(t *testing.T, url string, events ...string) *sdk.WebhookEndpoint {
	t.Helper()
	ep, err := e.c.WebhookEndpoints.Create(context.Background(), &sdk.WebhookEndpointCreateParams{URL: url, EnabledEvents: events})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	recv := newReceiver(t)
	ep := e.endpoint(t, recv.URL, sdk.AllEvents)
	o := e.paidOrder(t, 800)
	paidHook := recv.next(t)
	refund, err := e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID, Amount: 300})
	if err != nil {
		t.Fatal(err)
	}
	recv.next(t)

	events := collect(t, e.c.Events.List(ctx, &sdk.EventListParams{Order: o.ID}))
	if len(events) != 2 || events[0].Type != sdk.EventRefundSucceeded || events[1].Type != sdk.EventOrderPaid {
		t.Fatalf("events of the order: %d, want refund.succeeded then order.paid", len(events))
	}
	paid := events[1]
	if !strings.HasPrefix(paid.ID, "evt_") || paid.Object != "event" || paid.Livemode || paid.CreatedAt.IsZero() {
		t.Fatalf("event %+v", paid)
	}
	// The event log shows the very bytes the webhook delivered and signed.
	if string(paid.Raw()) != string(paidHook.body) {
		t.Fatalf("listed event differs from the delivery:\n%s\n%s", paid.Raw(), paidHook.body)
	}
	order, err := paid.Order()
	if err != nil || order.ID != o.ID || order.Status != sdk.OrderPaid || order.AmountPaid != 800 {
		t.Fatalf("paid.Order() = %+v, %v", order, err)
	}
	if _, err := paid.Refund(); err == nil {
		t.Fatal("an order.paid event gave a refund")
	}
	r, err := events[0].Refund()
	if err != nil || r.ID != refund.ID || r.Amount != 300 {
		t.Fatalf("refund event carries %+v, %v", r, err)
	}

	got, err := e.c.Events.Get(ctx, paid.ID)
	if err != nil || got.ID != paid.ID || string(got.Raw()) != string(paid.Raw()) {
		t.Fatalf("get: %+v, %v", got, err)
	}
	byType := collect(t, e.c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventOrderPaid}))
	if len(byType) != 1 || byType[0].ID != paid.ID {
		t.Fatalf("order.paid events: %d", len(byType))
	}
	apiError(t, listError(t, e.c.Events.List(ctx, &sdk.EventListParams{Type: "order.lost"})),
		400, "invalid_request_error", "parameter_invalid", "type")

	resent, err := e.c.Events.Resend(ctx, paid.ID, nil)
	if err != nil || resent.Event != paid.ID || resent.DeliveriesQueued != 1 {
		t.Fatalf("resend: %+v, %v", resent, err)
	}
	again := recv.next(t)
	if again.header.Get("webhook-id") != paid.ID || string(again.body) != string(paidHook.body) {
		t.Fatalf("the resend delivered %s %s", again.header.Get("webhook-id"), again.body)
	}
	if _, err := sdk.VerifyWebhook(again.body, again.header, ep.Secret); err != nil {
		t.Fatalf("the resend does not verify: %v", err)
	}
	_, err = e.c.Events.Resend(ctx, "evt_missing", nil)
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")
}

func TestWebhookEndpoints(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	recv := newReceiver(t)
	ep, err := e.c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{
		URL: recv.URL, EnabledEvents: []string{sdk.EventOrderPaid}, Description: "books",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ep.ID, "we_") || !strings.HasPrefix(ep.Secret, "whsec_") || ep.Status != "enabled" ||
		ep.URL != recv.URL || ep.Description != "books" || len(ep.EnabledEvents) != 1 {
		t.Fatalf("created %+v", ep)
	}
	got, err := e.c.WebhookEndpoints.Get(ctx, ep.ID)
	if err != nil || got.ID != ep.ID || got.Secret != "" {
		t.Fatalf("get: %+v (the secret must not show), %v", got, err)
	}
	if l := collect(t, e.c.WebhookEndpoints.List(ctx, nil)); len(l) != 1 || l[0].ID != ep.ID {
		t.Fatalf("list: %d endpoints", len(l))
	}

	o := e.paidOrder(t, 500)
	hook := recv.next(t)
	ev, err := sdk.VerifyWebhook(hook.body, hook.header, ep.Secret)
	if err != nil || ev.Type != sdk.EventOrderPaid {
		t.Fatalf("delivery: %+v, %v", ev, err)
	}
	if order, err := ev.Order(); err != nil || order.ID != o.ID {
		t.Fatalf("delivered order %+v, %v", order, err)
	}
	// The attempt is written down just after the receiver answers.
	attempts := waitForAttempts(t, e, ep.ID, 1)
	if len(attempts) != 1 || attempts[0].Event != ev.ID || attempts[0].Endpoint != ep.ID || attempts[0].StatusCode != 200 ||
		!attempts[0].Delivered || attempts[0].Attempt != 1 || attempts[0].Error != "" {
		t.Fatalf("delivery log: %+v", attempts)
	}

	rotated, err := e.c.WebhookEndpoints.RotateSecret(ctx, ep.ID, nil)
	if err != nil || rotated.ID != ep.ID || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == ep.Secret {
		t.Fatalf("rotate: %+v, %v", rotated, err)
	}
	if err := e.c.WebhookEndpoints.Delete(ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.WebhookEndpoints.Get(ctx, ep.ID)
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")
	apiError(t, e.c.WebhookEndpoints.Delete(ctx, ep.ID), 404, "not_found_error", "resource_missing", "id")

	_, err = e.c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{URL: "ftp://example.com", EnabledEvents: []string{sdk.AllEvents}})
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "url")
	_, err = e.c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{URL: recv.URL, EnabledEvents: []string{"order.lost"}})
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "enabled_events")
}

func TestMerchant(t *testing.T) {
	e := newEnv(t)
	m, err := e.c.Merchant.Get(context.Background())
	if err != nil || m.ID != e.merchantID || m.Name != "Blue Bottle" || m.Object != "merchant" || m.Livemode {
		t.Fatalf("merchant %+v, %v", m, err)
	}
	bad := sdk.NewClient("sk_test_nope", sdk.WithBaseURL(e.g.URL))
	_, err = bad.Merchant.Get(context.Background())
	apiError(t, err, 401, "authentication_error", "api_key_invalid", "")
}
