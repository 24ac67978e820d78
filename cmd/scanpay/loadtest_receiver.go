package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// maxWebhookBody bounds what the receiver reads of one delivery.
const maxWebhookBody = 1 << 20

// payOutcome is what the load tool was told when it paid an order.
type payOutcome uint8

const (
	payPending payOutcome = iota // the pay call has not answered yet
	payPaid                      // 201: the order is paid
	payRefused                   // an HTTP error: nothing was paid
	payUnknown                   // no answer (timeout, lost connection): it may have been paid
)

// flight is one order of the run, from its creation until its order.paid
// webhook. The tracker's lock guards every field.
type flight struct {
	outcome   payOutcome
	paidAt    time.Time // when the pay call answered 201
	webhookAt time.Time // when the first verified order.paid arrived
	webhookID string
	webhookTS string
	// notify wakes the client waiting for this order's webhook; it is the
	// client's own channel, reused for all its orders.
	notify chan struct{}
}

// webhookCounts is what the receiver saw.
type webhookCounts struct {
	Received int64 `json:"received"`
	Missing  int64 `json:"missing"`
	// Duplicated counts a webhook-id received again. A later attempt (a new
	// webhook-timestamp) is a retry and harmless; the same attempt twice is
	// counted in SameAttemptTwice too, and is a failure.
	Duplicated       int64 `json:"duplicated"`
	SameAttemptTwice int64 `json:"same_attempt_twice"`
	// SecondEvent counts an order.paid of an order that already had one
	// under another event id: one payment reported twice.
	SecondEvent  int64 `json:"second_event"`
	BadSignature int64 `json:"bad_signature"`
	// BeforePayAnswer counts webhooks that came before the pay call's
	// answer did; their commit-to-webhook time counts as zero.
	BeforePayAnswer int64 `json:"before_pay_answer"`
	// AfterRefusal counts order.paid for an order whose pay call was
	// answered with an error: money moved while the payer was told no.
	AfterRefusal int64 `json:"after_refused_payment"`
	// AfterNoAnswer counts order.paid for an order whose pay call got no
	// answer: it was paid after all.
	AfterNoAnswer int64 `json:"after_unanswered_payment"`
	// Unexpected counts order.paid for orders this run did not create,
	// and other event types: other traffic of the same merchant.
	Unexpected int64 `json:"unexpected"`
}

// failures are the counts that mean something went wrong.
func (w webhookCounts) failures() int64 {
	return w.Missing + w.SameAttemptTwice + w.SecondEvent + w.BadSignature + w.AfterRefusal
}

// tracker pairs the orders the clients pay with the webhooks the receiver
// gets. Finished flights stay, so a retry is recognised as a duplicate;
// they cost about 200 bytes per order.
type tracker struct {
	mu      sync.Mutex
	flights map[string]*flight
	counts  webhookCounts
	// commitToWebhook runs from the pay call's answer to the verified
	// webhook; a webhook that beats the answer counts as zero.
	commitToWebhook histogram
	now             func() time.Time
}

func newTracker(now func() time.Time) *tracker {
	return &tracker{flights: make(map[string]*flight), now: now}
}

// expect registers an order about to be paid; notify is signalled when
// its webhook arrives.
func (t *tracker) expect(order string, notify chan struct{}) {
	t.mu.Lock()
	t.flights[order] = &flight{notify: notify}
	t.mu.Unlock()
}

// settle records how the pay call of an order ended, and reports whether
// its webhook has already arrived.
func (t *tracker) settle(order string, outcome payOutcome, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.flights[order]
	f.outcome = outcome
	if outcome == payPaid {
		f.paidAt = at
	}
	if f.webhookAt.IsZero() {
		return false
	}
	switch outcome {
	case payPaid:
		t.counts.BeforePayAnswer++
		t.commitToWebhook.record(0)
	case payRefused:
		t.counts.AfterRefusal++
	case payUnknown:
		t.counts.AfterNoAnswer++
	}
	return true
}

// arrived reports whether the order's webhook has come.
func (t *tracker) arrived(order string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.flights[order].webhookAt.IsZero()
}

// outstanding is how many paid orders still wait for their webhook.
func (t *tracker) outstanding() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, f := range t.flights {
		if f.outcome == payPaid && f.webhookAt.IsZero() {
			n++
		}
	}
	return n
}

// deliver handles a verified event of eventType about orderID ("" when
// it is about no order) that came with webhook-id id and
// webhook-timestamp ts.
func (t *tracker) deliver(eventType, orderID, id, ts string) {
	at := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.flights[orderID]
	if eventType != "order.paid" || f == nil {
		t.counts.Unexpected++
		return
	}
	if !f.webhookAt.IsZero() {
		switch {
		case id != f.webhookID:
			t.counts.SecondEvent++
		case ts == f.webhookTS:
			t.counts.Duplicated++
			t.counts.SameAttemptTwice++
		default:
			t.counts.Duplicated++
		}
		return
	}
	f.webhookAt, f.webhookID, f.webhookTS = at, id, ts
	t.counts.Received++
	switch f.outcome {
	case payPaid:
		t.commitToWebhook.record(at.Sub(f.paidAt))
	case payRefused:
		t.counts.AfterRefusal++
	case payUnknown:
		t.counts.AfterNoAnswer++
	}
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

func (t *tracker) badSignature() {
	t.mu.Lock()
	t.counts.BadSignature++
	t.mu.Unlock()
}

// finish counts the paid orders whose webhook never came and returns the
// totals.
func (t *tracker) finish() (webhookCounts, *histogram) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts.Missing = 0
	for _, f := range t.flights {
		if f.outcome == payPaid && f.webhookAt.IsZero() {
			t.counts.Missing++
		}
	}
	return t.counts, &t.commitToWebhook
}

// receiver is the load tool's webhook endpoint: it verifies every delivery
// and hands the event to the tracker. It answers 200 to a verified
// delivery, 400 to a bad signature and 503 before the endpoint's secret is
// known.
type receiver struct {
	tracker *tracker
	secret  atomic.Pointer[string]
	srv     *http.Server
	ln      net.Listener
}

// startReceiver listens on addr (host:port; port 0 picks a free one).
func startReceiver(addr string, t *tracker) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &receiver{tracker: t, ln: ln}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// url is where the gateway delivers.
func (r *receiver) url() string { return "http://" + r.ln.Addr().String() + "/webhooks" }

func (r *receiver) setSecret(s string) { r.secret.Store(&s) }

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/webhooks" {
		http.NotFound(w, req)
		return
	}
	secret := r.secret.Load()
	if secret == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxWebhookBody))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ev, err := sdk.VerifyWebhook(body, req.Header, *secret)
	if err != nil {
		r.tracker.badSignature()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var orderID string
	if o, err := ev.Order(); err == nil {
		orderID = o.ID
	}
	r.tracker.deliver(ev.Type, orderID, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"))
}

// close stops the receiver, letting deliveries in progress finish.
func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if r.srv.Shutdown(ctx) != nil {
		r.srv.Close()
	}
}
