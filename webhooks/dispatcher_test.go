package webhooks

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage/storagetest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"gorm.io/gorm"
)

func TestDeliveryIsSignedAndVerifiesWithTheReferenceLibrary(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, nil)
	e, secret := f.endpoint(t, f.merchant, false, rcv.URL+"/hooks", "*")
	ev := f.emit(t, f.merchant, false, OrderPaid)

	if n := f.runOnce(t); n != 1 {
		t.Fatalf("RunOnce made %d attempts, want 1", n)
	}
	hits := rcv.got()
	if len(hits) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(hits))
	}
	h := hits[0]
	if got := h.header.Get("webhook-id"); got != ev.ID {
		t.Errorf("webhook-id = %q, want the event id %q", got, ev.ID)
	}
	if got := h.header.Get("webhook-timestamp"); got != strconv.FormatInt(f.clock.Now().Unix(), 10) {
		t.Errorf("webhook-timestamp = %q, want the attempt's time", got)
	}
	if h.header.Get("webhook-signature") == "" {
		t.Error("no webhook-signature")
	}
	if string(h.body) != ev.Payload {
		t.Errorf("body = %s, want the stored payload %s", h.body, ev.Payload)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(h.body, h.header); err != nil {
		t.Errorf("reference library: %v", err)
	}

	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryDelivered || d.Attempts != 1 || d.ClaimToken != nil {
		t.Errorf("delivery = %+v, want delivered after one attempt, unclaimed", d)
	}
	attempts := f.attempts(t, e.ID)
	if len(attempts) != 1 {
		t.Fatalf("%d attempts logged, want 1", len(attempts))
	}
	a := attempts[0]
	if !a.Delivered || a.StatusCode == nil || *a.StatusCode != 200 || a.Attempt != 1 || a.Error != nil ||
		a.EventID != ev.ID || a.EndpointID != e.ID || a.Object != "webhook_delivery_attempt" || !a.CreatedAt.Equal(f.clock.Now()) {
		t.Errorf("attempt = %+v", a)
	}
	if n := f.runOnce(t); n != 0 {
		t.Errorf("a delivered event was attempted %d more times", n)
	}
}

// deliveredTo lists the events queued for an endpoint.
func (f *fixture) deliveredTo(t *testing.T, endpointID string) []string {
	t.Helper()
	var ids []string
	if err := f.db.Raw(`SELECT event_id FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY event_id`, endpointID).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestFanOutFollowsSubscriptionsMerchantAndMode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.addMerchant(t)
	rAll, rPaid, rRefund, rOther, rDeleted, rDisabled := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	all, _ := f.endpoint(t, f.merchant, false, rAll.URL, "*")
	paid, _ := f.endpoint(t, f.merchant, false, rPaid.URL, OrderPaid)
	refund, _ := f.endpoint(t, f.merchant, false, rRefund.URL, RefundSucceeded, CouponRedemptionReversed)
	live, _ := f.endpoint(t, f.merchant, true, "https://example.com/hooks", "*")
	otherEndpoint, _ := f.endpoint(t, other, false, rOther.URL, "*")
	deleted, _ := f.endpoint(t, f.merchant, false, rDeleted.URL, "*")
	if err := f.svc.DeleteEndpoint(ctx, f.merchant, false, deleted.ID); err != nil {
		t.Fatal(err)
	}
	disabled, _ := f.endpoint(t, f.merchant, false, rDisabled.URL, "*")
	storagetest.Exec(t, f.db, `UPDATE webhook_endpoints SET status = 'disabled' WHERE id = ?`, disabled.ID)

	paidEv := f.emit(t, f.merchant, false, OrderPaid)
	refundEv := f.emit(t, f.merchant, false, RefundSucceeded)
	couponEv := f.emit(t, f.merchant, false, CouponRedemptionReversed)
	expiredEv := f.emit(t, f.merchant, false, OrderExpired)
	livePaid := f.emit(t, f.merchant, true, OrderPaid)

	want := map[string][]string{
		all.ID:           {paidEv.ID, refundEv.ID, couponEv.ID, expiredEv.ID},
		paid.ID:          {paidEv.ID},
		refund.ID:        {refundEv.ID, couponEv.ID},
		live.ID:          {livePaid.ID},
		otherEndpoint.ID: nil,
		deleted.ID:       nil,
		disabled.ID:      nil,
	}
	for id, events := range want {
		slices.Sort(events)
		if got := f.deliveredTo(t, id); !slices.Equal(got, events) {
			t.Errorf("endpoint %s has deliveries of %v, want %v", id, got, events)
		}
	}

	// The live endpoint is not local; only its delivery row was the point.
	if err := f.svc.DeleteEndpoint(ctx, f.merchant, true, live.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.runOnce(t); n != 7 {
		t.Errorf("RunOnce made %d attempts, want 7", n)
	}
	for _, c := range []struct {
		name string
		rcv  *receiver
		want int
	}{{"all", rAll, 4}, {"paid", rPaid, 1}, {"refund", rRefund, 2}, {"other merchant", rOther, 0}, {"deleted", rDeleted, 0}, {"disabled", rDisabled, 0}} {
		if got := len(c.rcv.got()); got != c.want {
			t.Errorf("%s endpoint got %d requests, want %d", c.name, got, c.want)
		}
	}
}

func TestFailedAttemptIsRetriedWithTheSameID(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("database is down"))
		}
	})
	e, secret := f.endpoint(t, f.merchant, false, rcv.URL, "*")
	ev := f.emit(t, f.merchant, false, OrderPaid)

	if n := f.runOnce(t); n != 1 {
		t.Fatalf("first RunOnce made %d attempts, want 1", n)
	}
	d := f.delivery(t, e.ID, ev.ID)
	wait := d.NextAttemptAt.Sub(f.clock.Now())
	if d.Status != deliveryPending || d.Attempts != 1 || wait < 4500*time.Millisecond || wait > 5500*time.Millisecond {
		t.Fatalf("after a 500: %+v, retry in %v; want pending, retried in 5 s ± 10%%", d, wait)
	}
	if d.LastError == nil || !strings.Contains(*d.LastError, "500") {
		t.Errorf("last_error = %v", d.LastError)
	}
	if n := f.runOnce(t); n != 0 {
		t.Fatalf("retried %d times before it was due", n)
	}

	f.clock.Advance(6 * time.Second)
	if n := f.runOnce(t); n != 1 {
		t.Fatalf("RunOnce after 6 s made %d attempts, want 1", n)
	}
	hits := rcv.got()
	if len(hits) != 2 || hits[0].header.Get("webhook-id") != ev.ID || hits[1].header.Get("webhook-id") != ev.ID {
		t.Fatalf("receiver got %d requests, want 2 with webhook-id %s", len(hits), ev.ID)
	}
	if hits[1].header.Get("webhook-timestamp") != strconv.FormatInt(f.clock.Now().Unix(), 10) {
		t.Error("the retry is not signed with its own time")
	}
	wh, _ := standardwebhooks.NewWebhook(secret)
	if err := wh.VerifyIgnoringTimestamp(hits[1].body, hits[1].header); err != nil {
		t.Errorf("retry does not verify: %v", err)
	}
	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryDelivered {
		t.Errorf("delivery is %s after the 200, want delivered", d.Status)
	}

	attempts := f.attempts(t, e.ID)
	if len(attempts) != 2 {
		t.Fatalf("%d attempts logged, want 2", len(attempts))
	}
	second, first := attempts[0], attempts[1]
	if second.Attempt != 2 || *second.StatusCode != 200 || !second.Delivered {
		t.Errorf("newest attempt = %+v", second)
	}
	if first.Attempt != 1 || *first.StatusCode != 500 || first.Delivered || first.ResponseBody != "database is down" || first.Error != nil {
		t.Errorf("first attempt = %+v", first)
	}

	f.clock.Advance(48 * time.Hour)
	if n := f.runOnce(t); n != 0 || len(rcv.got()) != 2 {
		t.Errorf("a delivered event was sent again")
	}
}

func TestRetryScheduleEndsInFailure(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, status(http.StatusBadGateway))
	e, _ := f.endpoint(t, f.merchant, false, rcv.URL, "*")
	ev := f.emit(t, f.merchant, false, OrderPaid)

	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if n := f.runOnce(t); n != 1 {
			t.Fatalf("attempt %d: RunOnce made %d attempts, want 1", attempt, n)
		}
		d := f.delivery(t, e.ID, ev.ID)
		if d.Attempts != attempt {
			t.Fatalf("attempt %d: delivery counts %d", attempt, d.Attempts)
		}
		if attempt == maxAttempts {
			if d.Status != deliveryFailed {
				t.Fatalf("after %d attempts the delivery is %s, want failed", attempt, d.Status)
			}
			break
		}
		base := retrySchedule[attempt-1]
		wait := d.NextAttemptAt.Sub(f.clock.Now())
		if d.Status != deliveryPending || wait < base*9/10 || wait > base*11/10 {
			t.Fatalf("after attempt %d: %s, next in %v; want pending, next in %v ± 10%%", attempt, d.Status, wait, base)
		}
		f.clock.Advance(wait - time.Millisecond)
		if n := f.runOnce(t); n != 0 {
			t.Fatalf("attempt %d was retried before it was due", attempt)
		}
		f.clock.Advance(time.Millisecond)
	}
	f.clock.Advance(72 * time.Hour)
	if n := f.runOnce(t); n != 0 {
		t.Errorf("a failed delivery was attempted again")
	}
	if got := len(rcv.got()); got != maxAttempts {
		t.Errorf("receiver got %d requests, want %d", got, maxAttempts)
	}
	attempts := f.attempts(t, e.ID)
	if len(attempts) != maxAttempts {
		t.Fatalf("%d attempts logged, want %d", len(attempts), maxAttempts)
	}
	for i, a := range attempts {
		if a.Attempt != maxAttempts-i || a.Delivered || *a.StatusCode != http.StatusBadGateway {
			t.Errorf("attempt log entry %d = %+v", i, a)
		}
	}
}

func TestReceiverThatWasDownGetsEveryEventWhenBack(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e, _ := f.endpoint(t, f.merchant, false, "http://"+addr+"/hooks", "*")

	var events []string
	for round := range 3 {
		for range 4 {
			events = append(events, f.emit(t, f.merchant, false, OrderPaid).ID)
		}
		if n := f.runOnce(t); n == 0 {
			t.Fatalf("round %d: nothing attempted while the receiver was down", round)
		}
		f.clock.Advance(time.Minute)
	}
	for _, id := range events {
		if d := f.delivery(t, e.ID, id); d.Status != deliveryPending || d.LastError == nil || !strings.Contains(*d.LastError, "refused") {
			t.Fatalf("delivery of %s while down: %+v", id, d)
		}
	}

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the receiver's port was taken meanwhile: %v", err)
	}
	rcv := newReceiverOn(t, ln, nil)
	f.clock.Advance(time.Hour)
	f.runOnce(t)
	got := map[string]int{}
	for _, h := range rcv.got() {
		got[h.header.Get("webhook-id")]++
	}
	for _, id := range events {
		if got[id] == 0 {
			t.Errorf("event %s never arrived", id)
		}
		if d := f.delivery(t, e.ID, id); d.Status != deliveryDelivered {
			t.Errorf("delivery of %s is %s, want delivered", id, d.Status)
		}
	}
}

func TestGoneDisablesTheEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusGone)
	})
	e, _ := f.endpoint(t, f.merchant, false, rcv.URL, "*")
	waiting := f.emit(t, f.merchant, false, OrderPaid)
	f.runOnce(t)
	gone := f.emit(t, f.merchant, false, OrderCanceled)
	if n := f.runOnce(t); n != 1 {
		t.Fatalf("RunOnce made %d attempts, want 1", n)
	}

	got, err := f.svc.GetEndpoint(ctx, f.merchant, false, e.ID)
	if err != nil || got.Status != EndpointDisabled || got.DisabledReason == "" {
		t.Fatalf("endpoint after 410 = %+v, %v; want disabled with a reason", got, err)
	}
	for _, id := range []string{waiting.ID, gone.ID} {
		if d := f.delivery(t, e.ID, id); d.Status != deliveryFailed {
			t.Errorf("delivery of %s is %s, want failed", id, d.Status)
		}
	}
	later := f.emit(t, f.merchant, false, OrderPaid)
	if got := f.deliveredTo(t, e.ID); slices.Contains(got, later.ID) {
		t.Error("a disabled endpoint was queued a new event")
	}
	f.clock.Advance(24 * time.Hour)
	if n := f.runOnce(t); n != 0 || len(rcv.got()) != 2 {
		t.Errorf("a disabled endpoint was sent more: %d attempts, %d requests", n, len(rcv.got()))
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   func(now time.Time) string
		min, max time.Duration
	}{
		{"429 with seconds", http.StatusTooManyRequests, func(time.Time) string { return "120" }, 120 * time.Second, 120 * time.Second},
		{"503 with a date", http.StatusServiceUnavailable, func(now time.Time) string { return now.Add(300 * time.Second).Format(http.TimeFormat) },
			299 * time.Second, 300 * time.Second},
		{"429 a year out", http.StatusTooManyRequests, func(time.Time) string { return "31536000" }, 24 * time.Hour, 24 * time.Hour},
		{"503 without it", http.StatusServiceUnavailable, func(time.Time) string { return "" }, 4500 * time.Millisecond, 5500 * time.Millisecond},
		{"500 with it", http.StatusInternalServerError, func(time.Time) string { return "120" }, 4500 * time.Millisecond, 5500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rcv := newReceiver(t, func(_ int, w http.ResponseWriter) {
				if h := tt.header(f.clock.Now()); h != "" {
					w.Header().Set("Retry-After", h)
				}
				w.WriteHeader(tt.status)
			})
			e, _ := f.endpoint(t, f.merchant, false, rcv.URL, "*")
			ev := f.emit(t, f.merchant, false, OrderPaid)
			f.runOnce(t)
			d := f.delivery(t, e.ID, ev.ID)
			if wait := d.NextAttemptAt.Sub(f.clock.Now()); d.Status != deliveryPending || wait < tt.min || wait > tt.max {
				t.Errorf("next attempt in %v (%s), want within [%v, %v]", wait, d.Status, tt.min, tt.max)
			}
		})
	}
}

func TestRolledBackTransactionSendsNothing(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, nil)
	f.endpoint(t, f.merchant, false, rcv.URL, "*")
	declined := errors.New("payment declined")
	err := f.db.Transaction(func(tx *gorm.DB) error {
		if _, err := Emit(tx, Event{Type: OrderPaid, MerchantID: f.merchant, Object: map[string]int{"amount": 1}, CreatedAt: f.clock.Now()}); err != nil {
			return err
		}
		return declined
	})
	if !errors.Is(err, declined) {
		t.Fatalf("transaction = %v", err)
	}
	if n := f.count(t, "events") + f.count(t, "webhook_deliveries"); n != 0 {
		t.Errorf("%d events and deliveries left by a rolled-back transaction", n)
	}
	if n := f.runOnce(t); n != 0 || len(rcv.got()) != 0 {
		t.Errorf("a rolled-back event was sent")
	}
}

func TestRotatedSecretSignsAlongsideTheNewOneFor24Hours(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, nil)
	e, oldSecret := f.endpoint(t, f.merchant, false, rcv.URL, "*")
	rotated, err := f.svc.RotateSecret(context.Background(), f.merchant, false, e.ID)
	newSecret := rotated.Secret
	if err != nil || rotated.ID != e.ID || newSecret == oldSecret || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("RotateSecret = %+v, %v", rotated, err)
	}
	oldWH, _ := standardwebhooks.NewWebhook(oldSecret)
	newWH, _ := standardwebhooks.NewWebhook(newSecret)
	strangerWH, _ := standardwebhooks.NewWebhook(NewSecret())

	deliver := func() hit {
		t.Helper()
		f.emit(t, f.merchant, false, OrderPaid)
		f.runOnce(t)
		hits := rcv.got()
		return hits[len(hits)-1]
	}

	h := deliver()
	if sigs := strings.Fields(h.header.Get("webhook-signature")); len(sigs) != 2 {
		t.Fatalf("signature header %q, want two signatures", h.header.Get("webhook-signature"))
	}
	if err := oldWH.Verify(h.body, h.header); err != nil {
		t.Errorf("old secret alone: %v", err)
	}
	if err := newWH.Verify(h.body, h.header); err != nil {
		t.Errorf("new secret alone: %v", err)
	}
	if err := strangerWH.Verify(h.body, h.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("a stranger's secret: %v", err)
	}

	f.clock.Advance(secretGrace - time.Second)
	if h := deliver(); len(strings.Fields(h.header.Get("webhook-signature"))) != 2 {
		t.Error("the old secret stopped signing before 24 h")
	}
	f.clock.Advance(time.Second)
	h = deliver()
	if sigs := strings.Fields(h.header.Get("webhook-signature")); len(sigs) != 1 {
		t.Fatalf("after 24 h: %d signatures, want 1", len(sigs))
	}
	if err := newWH.VerifyIgnoringTimestamp(h.body, h.header); err != nil {
		t.Errorf("new secret after 24 h: %v", err)
	}
	if err := oldWH.VerifyIgnoringTimestamp(h.body, h.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("old secret after 24 h: %v, want no matching signature", err)
	}
}

func TestResendDeliversAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := newReceiver(t, nil)
	e, _ := f.endpoint(t, f.merchant, false, first.URL, OrderPaid)
	ev := f.emit(t, f.merchant, false, OrderPaid)
	f.runOnce(t)
	// Subscribed after the event, and to it: a resend reaches it too.
	second := newReceiver(t, nil)
	f.endpoint(t, f.merchant, false, second.URL, "*")
	// Subscribed to something else: a resend passes it by.
	bystander := newReceiver(t, nil)
	f.endpoint(t, f.merchant, false, bystander.URL, RefundSucceeded)

	resent, err := f.svc.Resend(ctx, f.merchant, false, ev.ID)
	if err != nil || resent.DeliveriesQueued != 2 || resent.Event != ev.ID {
		t.Fatalf("Resend = %+v, %v; want 2 deliveries of %s queued", resent, err, ev.ID)
	}
	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryPending || d.Attempts != 0 {
		t.Errorf("resent delivery = %+v, want pending with a fresh count", d)
	}
	if n := f.runOnce(t); n != 2 {
		t.Fatalf("RunOnce after Resend made %d attempts, want 2", n)
	}
	hits := first.got()
	if len(hits) != 2 || hits[1].header.Get("webhook-id") != ev.ID || string(hits[1].body) != ev.Payload {
		t.Errorf("first endpoint got %d requests, want the event twice", len(hits))
	}
	if len(second.got()) != 1 || len(bystander.got()) != 0 {
		t.Errorf("second endpoint got %d, bystander %d; want 1 and 0", len(second.got()), len(bystander.got()))
	}
	if attempts := f.attempts(t, e.ID); len(attempts) != 2 {
		t.Errorf("%d attempts logged, want 2", len(attempts))
	}

	other := f.addMerchant(t)
	for _, c := range []struct {
		merchant string
		livemode bool
	}{{other, false}, {f.merchant, true}} {
		if _, err := f.svc.Resend(ctx, c.merchant, c.livemode, ev.ID); !isNotFound(err) {
			t.Errorf("Resend by %s livemode=%v = %v, want not found", c.merchant, c.livemode, err)
		}
	}
}

func TestExpiredLeaseIsSentAgainAndTheLateOutcomeIgnored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := newReceiver(t, nil)
	e, _ := f.endpoint(t, f.merchant, false, rcv.URL, "*")
	ev := f.emit(t, f.merchant, false, OrderPaid)

	// A dispatcher claims the delivery and dies before sending it.
	jobs, err := f.disp.claim(ctx, 10)
	if err != nil || len(jobs) != 1 || jobs[0].Attempt != 1 {
		t.Fatalf("claim = %+v, %v", jobs, err)
	}
	if n := f.runOnce(t); n != 0 {
		t.Fatalf("a leased delivery was claimed again at once")
	}
	f.clock.Advance(DefaultLease)
	if n := f.runOnce(t); n != 1 {
		t.Fatalf("after the lease, RunOnce made %d attempts, want 1", n)
	}
	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryDelivered || d.Attempts != 2 {
		t.Fatalf("delivery = %+v, want delivered at attempt 2", d)
	}

	// The first dispatcher comes back and reports a failure.
	late := result{job: jobs[0], attemptID: scanpay.NewID("wha"), startedAt: f.clock.Now(), status: http.StatusInternalServerError}
	if err := f.disp.record(ctx, []result{late}); err != nil {
		t.Fatal(err)
	}
	if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryDelivered {
		t.Errorf("a late outcome turned the delivery %s", d.Status)
	}
	if attempts := f.attempts(t, e.ID); len(attempts) != 2 {
		t.Errorf("%d attempts logged, want both", len(attempts))
	}
}

func TestStrictGuardRefusesLocalEndpointsAtDelivery(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, nil)
	_, port, _ := net.SplitHostPort(rcv.Listener.Addr().String())
	var endpoints []Endpoint
	for _, url := range []string{rcv.URL, "http://localhost:" + port, "http://[::ffff:127.0.0.1]:" + port} {
		// Registered while private addresses were allowed; the server
		// restarted without --webhook-allow-private.
		e, _ := f.endpoint(t, f.merchant, false, url, "*")
		endpoints = append(endpoints, e)
	}
	strict := f.newDispatcher(t, f.db, Config{SecretKey: testKey})
	ev := f.emit(t, f.merchant, false, OrderPaid)
	if n, err := strict.RunOnce(context.Background()); err != nil || n != len(endpoints) {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if n := len(rcv.got()); n != 0 {
		t.Errorf("the local receiver got %d requests, want 0", n)
	}
	for _, e := range endpoints {
		attempts := f.attempts(t, e.ID)
		if len(attempts) != 1 || attempts[0].StatusCode != nil || attempts[0].Error == nil ||
			!strings.Contains(*attempts[0].Error, ErrForbiddenAddress.Error()) {
			t.Errorf("%s: attempts %+v, want one refused at dial time", e.URL, attempts)
			continue
		}
		if strings.Contains(*attempts[0].Error, e.URL) {
			t.Errorf("attempt error repeats the URL: %s", *attempts[0].Error)
		}
		if d := f.delivery(t, e.ID, ev.ID); d.Status != deliveryPending || d.Attempts != 1 {
			t.Errorf("%s: delivery %+v, want pending for a retry", e.URL, d)
		}
	}
}
