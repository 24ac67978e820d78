package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func paidEvent(eventID, orderID string) string {
	return `{"id":"` + eventID + `","object":"event","type":"order.paid","data":{"object":{"id":"` + orderID + `","object":"order","status":"paid"}}}`
}

// post delivers body to the receiver as the gateway would and returns the
// status it answered.
func post(t *testing.T, r *receiver, body string, h http.Header) int {
	t.Helper()
	req, _ := http.NewRequest("POST", r.url(), strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestReceiverCountsWhatArrives delivers the cases the report tells apart:
// a first delivery, a retry, the same attempt twice, a second event for
// one order, a bad signature, other traffic, a webhook for a refused
// payment, one that beats the pay answer, and one that never comes.
func TestReceiverCountsWhatArrives(t *testing.T) {
	tr := newTracker(time.Now)
	r, err := startReceiver("127.0.0.1:0", tr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	now := time.Now()
	if code := post(t, r, paidEvent("evt_1", "ord_1"), signed(t, testSecret, "evt_1", now, paidEvent("evt_1", "ord_1"))); code != http.StatusServiceUnavailable {
		t.Fatalf("before the secret is known: %d, want 503", code)
	}
	r.setSecret(testSecret)

	notify := make(chan struct{}, 1)
	for _, o := range []string{"ord_1", "ord_2", "ord_3", "ord_4"} {
		tr.expect(o, notify)
	}
	tr.settle("ord_1", payPaid, time.Now())
	tr.settle("ord_2", payRefused, time.Now())
	tr.settle("ord_4", payPaid, time.Now())

	first := signed(t, testSecret, "evt_1", now, paidEvent("evt_1", "ord_1"))
	deliveries := []struct {
		body    string
		headers http.Header
		want    int
	}{
		{paidEvent("evt_1", "ord_1"), first, 200},
		{paidEvent("evt_1", "ord_1"), signed(t, testSecret, "evt_1", now.Add(5*time.Second), paidEvent("evt_1", "ord_1")), 200}, // a retry
		{paidEvent("evt_1", "ord_1"), first, 200}, // the same attempt again
		{paidEvent("evt_9", "ord_1"), signed(t, testSecret, "evt_9", now, paidEvent("evt_9", "ord_1")), 200},
		{paidEvent("evt_2", "ord_2"), signed(t, testSecret, "evt_2", now, paidEvent("evt_2", "ord_2")), 200},
		{paidEvent("evt_3", "ord_3"), signed(t, testSecret, "evt_3", now, paidEvent("evt_3", "ord_3")), 200},
		{paidEvent("evt_5", "ord_5"), signed(t, testSecret, "evt_5", now, paidEvent("evt_5", "ord_5")), 200},
		{paidEvent("evt_6", "ord_1"), signed(t, otherSecret, "evt_6", now, paidEvent("evt_6", "ord_1")), 400},
	}
	for i, d := range deliveries {
		if code := post(t, r, d.body, d.headers); code != d.want {
			t.Fatalf("delivery %d: %d, want %d", i, code, d.want)
		}
	}
	select {
	case <-notify:
	default:
		t.Fatal("the waiting client was not told")
	}
	if !tr.arrived("ord_1") || tr.arrived("ord_4") {
		t.Fatal("arrived is wrong")
	}
	// ord_3's pay call answers after its webhook came.
	if !tr.settle("ord_3", payPaid, time.Now()) {
		t.Fatal("settle does not see the webhook that came first")
	}
	if n := tr.outstanding(); n != 1 {
		t.Fatalf("outstanding %d, want 1 (ord_4)", n)
	}

	got, commit := tr.finish()
	want := webhookCounts{Received: 3, Missing: 1, Duplicated: 2, SameAttemptTwice: 1, SecondEvent: 1,
		BadSignature: 1, BeforePayAnswer: 1, AfterRefusal: 1, Unexpected: 1}
	if got != want {
		t.Fatalf("counts\n%+v, want\n%+v", got, want)
	}
	if got.failures() != 5 {
		t.Fatalf("failures %d, want 5: missing, same attempt twice, second event, bad signature, after refusal", got.failures())
	}
	if commit.n != 2 || commit.percentile(0.5) != 0 {
		t.Fatalf("commit-to-webhook: %d values, median %v; want 2 with the early one at 0", commit.n, commit.percentile(0.5))
	}
}

const (
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh"
)

// signed is a delivery signed by the Standard Webhooks reference library.
func signed(t *testing.T, secret, id string, at time.Time, body string) http.Header {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sig)
	return h
}
