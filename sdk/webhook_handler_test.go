package sdk_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

func TestWebhookHandlerAnswers(t *testing.T) {
	body := []byte(`{"id":"evt_9","object":"event","type":"order.paid","data":{"object":{"id":"ord_9","object":"order"}}}`)
	var got []string
	fail := false
	h := sdk.WebhookHandler([]string{refSecret}, func(ctx context.Context, ev *sdk.Event) error {
		if fail {
			return errors.New("the books are closed")
		}
		o, err := ev.Order()
		if err != nil {
			return err
		}
		got = append(got, o.ID)
		return nil
	})
	post := func(method string, payload []byte, header http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/webhooks", bytes.NewReader(payload))
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	signed := func(payload []byte) http.Header {
		sp, err := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: payload, Secret: refSecret})
		if err != nil {
			t.Fatal(err)
		}
		return sp.Header
	}

	if rec := post("POST", body, signed(body)); rec.Code != http.StatusNoContent || len(got) != 1 || got[0] != "ord_9" {
		t.Fatalf("a good delivery: %d, handled %v", rec.Code, got)
	}
	fail = true
	if rec := post("POST", body, signed(body)); rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "books") {
		t.Fatalf("a failing handler: %d %q; want 500 without the cause", rec.Code, rec.Body.String())
	}
	fail = false
	tampered := bytes.Replace(body, []byte("ord_9"), []byte("ord_0"), 1)
	if rec := post("POST", tampered, signed(body)); rec.Code != http.StatusBadRequest || len(got) != 1 {
		t.Fatalf("a tampered delivery: %d, handled %v", rec.Code, got)
	}
	if rec := post("POST", body, nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("an unsigned delivery: %d", rec.Code)
	}
	if rec := post("GET", nil, nil); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", rec.Code)
	}
	big := append([]byte(`{"id":"evt_big","pad":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	if rec := post("POST", big, signed(big)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 2 MiB body: %d", rec.Code)
	}
	broken := sdk.WebhookHandler([]string{"whsec_%%%"}, func(context.Context, *sdk.Event) error { return nil })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/webhooks", bytes.NewReader(body))
	req.Header = signed(body)
	broken.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("a receiver with a malformed secret: %d, want 500", rec.Code)
	}

	old := sdk.WebhookVerifier{Now: func() time.Time { return time.Now().Add(time.Hour) }}.Handler([]string{refSecret},
		func(context.Context, *sdk.Event) error { return nil })
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("POST", "/webhooks", bytes.NewReader(body))
	req.Header = signed(body)
	old.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "too old") {
		t.Fatalf("a delivery an hour old: %d %q", rec.Code, rec.Body.String())
	}
}

// The handler as a real endpoint: the dispatcher's delivery reaches the
// function, and the delivery log shows the handler's answer; a failing
// function makes the gateway try again.
func TestWebhookHandlerReceivesRealDeliveries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var mu sync.Mutex
	var secret string
	paid := make(chan string, 10)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := secret
		calls++
		first := calls == 1
		mu.Unlock()
		sdk.WebhookHandler([]string{s}, func(ctx context.Context, ev *sdk.Event) error {
			if first {
				return errors.New("database down")
			}
			o, err := ev.Order()
			if err != nil {
				return err
			}
			paid <- o.ID
			return nil
		}).ServeHTTP(w, r)
	}))
	defer srv.Close()
	ep, err := e.c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{URL: srv.URL, EnabledEvents: []string{sdk.EventOrderPaid}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = ep.Secret
	mu.Unlock()

	o := e.paidOrder(t, 700)
	// The first attempt fails with a 500; resending is how a merchant
	// asks for the retry now rather than on the schedule.
	waitForAttempts(t, e, ep.ID, 1)
	events := collect(t, e.c.Events.List(ctx, &sdk.EventListParams{Order: o.ID}))
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	if _, err := e.c.Events.Resend(ctx, events[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-paid:
		if id != o.ID {
			t.Fatalf("handled order %s, want %s", id, o.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never got the event")
	}
	attempts := waitForAttempts(t, e, ep.ID, 2)
	if attempts[0].StatusCode != http.StatusNoContent || !attempts[0].Delivered ||
		attempts[1].StatusCode != http.StatusInternalServerError || attempts[1].Delivered {
		t.Fatalf("delivery log %+v %+v: want 500 then 204", attempts[1], attempts[0])
	}
}

// waitForAttempts waits until the endpoint's delivery log has n attempts
// and returns them, newest first.
func waitForAttempts(t *testing.T, e *env, endpointID string, n int) []*sdk.DeliveryAttempt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		attempts := collect(t, e.c.WebhookEndpoints.Deliveries(context.Background(), endpointID, nil))
		if len(attempts) >= n {
			return attempts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d delivery attempts after 10s, want %d", len(attempts), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
