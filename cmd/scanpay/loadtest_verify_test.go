package main

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const (
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh"
	paidBody    = `{"id":"evt_1","object":"event","type":"order.paid","data":{"object":{"id":"ord_1","status":"paid"}}}`
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

func TestVerifyWebhookAcceptsTheReferenceSignature(t *testing.T) {
	ev, err := verifyWebhook([]byte(paidBody), signed(t, testSecret, "evt_1", time.Now(), paidBody), testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "evt_1" || ev.Type != "order.paid" || ev.Data.Object.ID != "ord_1" {
		t.Fatalf("event %+v", ev)
	}
	// During a rotation two signatures come, and either secret verifies.
	h := signed(t, otherSecret, "evt_1", time.Now(), paidBody)
	h.Set("webhook-signature", "v1,bm90IGl0 "+h.Get("webhook-signature"))
	if _, err := verifyWebhook([]byte(paidBody), h, testSecret, otherSecret); err != nil {
		t.Fatalf("second of two signatures: %v", err)
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	now := time.Now()
	good := func() http.Header { return signed(t, testSecret, "evt_1", now, paidBody) }
	cases := []struct {
		name    string
		body    string
		headers http.Header
		secret  string
		want    error
	}{
		{"another secret", paidBody, good(), otherSecret, errWebhookNoSignature},
		{"a changed body", paidBody[:len(paidBody)-2] + ` }`, good(), testSecret, errWebhookNoSignature},
		{"a changed id", paidBody, func() http.Header { h := good(); h.Set("webhook-id", "evt_2"); return h }(), testSecret, errWebhookNoSignature},
		{"another scheme", paidBody, func() http.Header {
			h := good()
			h.Set("webhook-signature", "v1a"+h.Get("webhook-signature")[2:])
			return h
		}(), testSecret, errWebhookNoSignature},
		{"no signature", paidBody, func() http.Header { h := good(); h.Del("webhook-signature"); return h }(), testSecret, errWebhookNotSigned},
		{"too old", paidBody, signed(t, testSecret, "evt_1", now.Add(-6*time.Minute), paidBody), testSecret, errWebhookTimestamp},
		{"from the future", paidBody, signed(t, testSecret, "evt_1", now.Add(6*time.Minute), paidBody), testSecret, errWebhookTimestamp},
		{"a malformed secret", paidBody, good(), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", errWebhookSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := verifyWebhook([]byte(c.body), c.headers, c.secret); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
