package sdk_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The test vector published with the Standard Webhooks reference libraries.
const (
	refSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	refID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	refTimestamp = 1614265330
	refPayload   = `{"test": 2432232314}`
	refSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func refHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", refID)
	h.Set("webhook-timestamp", strconv.Itoa(refTimestamp))
	h.Set("webhook-signature", refSignature)
	return h
}

func atRefTime() time.Time { return time.Unix(refTimestamp, 0) }

func TestVerifyWebhookReferenceVector(t *testing.T) {
	v := sdk.WebhookVerifier{Now: atRefTime}
	for _, secret := range []string{refSecret, strings.TrimPrefix(refSecret, "whsec_")} {
		if _, err := v.Verify([]byte(refPayload), refHeader(), secret); err != nil {
			t.Errorf("the reference vector does not verify with %q: %v", secret, err)
		}
	}
	// Years later, the same delivery is a replay.
	if _, err := sdk.VerifyWebhook([]byte(refPayload), refHeader(), refSecret); !errors.Is(err, sdk.ErrTooOld) {
		t.Errorf("the 2021 vector verified today: %v, want ErrTooOld", err)
	}
}

func TestVerifyWebhookRules(t *testing.T) {
	other := "whsec_" + strings.Repeat("QUJD", 8)
	// v2 is a scheme this verifier does not know: it carries the right
	// bytes but must not count.
	v2 := "v2," + strings.TrimPrefix(refSignature, "v1,")
	for _, tt := range []struct {
		name      string
		edit      func(h http.Header)
		body      string
		secrets   []string
		tolerance time.Duration
		at        time.Time
		want      error
	}{
		{name: "valid"},
		{name: "no id", edit: func(h http.Header) { h.Del("webhook-id") }, want: sdk.ErrNotSigned},
		{name: "no timestamp", edit: func(h http.Header) { h.Del("webhook-timestamp") }, want: sdk.ErrNotSigned},
		{name: "no signature", edit: func(h http.Header) { h.Del("webhook-signature") }, want: sdk.ErrNotSigned},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set("webhook-timestamp", "yesterday") }, want: sdk.ErrNotSigned},
		{name: "body changed", body: `{"test": 2432232315}`, want: sdk.ErrNoValidSignature},
		{name: "id changed", edit: func(h http.Header) { h.Set("webhook-id", "msg_other") }, want: sdk.ErrNoValidSignature},
		{name: "timestamp changed", edit: func(h http.Header) { h.Set("webhook-timestamp", strconv.Itoa(refTimestamp+1)) }, want: sdk.ErrNoValidSignature},
		{name: "other secret", secrets: []string{other}, want: sdk.ErrNoValidSignature},
		{name: "one of several secrets", secrets: []string{other, refSecret}},
		{name: "one of several signatures", edit: func(h http.Header) {
			h.Set("webhook-signature", "v1,bm90IGl0 garbage "+v2+" "+refSignature+" v1,"+strings.Repeat("A", 44))
		}},
		{name: "unknown scheme only", edit: func(h http.Header) { h.Set("webhook-signature", v2) }, want: sdk.ErrNoValidSignature},
		{name: "signature cut short", edit: func(h http.Header) { h.Set("webhook-signature", refSignature[:20]) }, want: sdk.ErrNoValidSignature},
		{name: "4 minutes late", at: atRefTime().Add(4 * time.Minute)},
		{name: "6 minutes late", at: atRefTime().Add(6 * time.Minute), want: sdk.ErrTooOld},
		{name: "6 minutes early", at: atRefTime().Add(-6 * time.Minute), want: sdk.ErrTooNew},
		{name: "6 minutes late, 10 tolerated", at: atRefTime().Add(6 * time.Minute), tolerance: 10 * time.Minute},
		{name: "11 minutes early, 10 tolerated", at: atRefTime().Add(-11 * time.Minute), tolerance: 10 * time.Minute, want: sdk.ErrTooNew},
		{name: "no secret", secrets: []string{}, want: sdk.ErrInvalidSecret},
		{name: "secret not base64", secrets: []string{refSecret, "whsec_not base64!"}, want: sdk.ErrInvalidSecret},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := refHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			body := refPayload
			if tt.body != "" {
				body = tt.body
			}
			secrets := []string{refSecret}
			if tt.secrets != nil {
				secrets = tt.secrets
			}
			at := atRefTime()
			if !tt.at.IsZero() {
				at = tt.at
			}
			v := sdk.WebhookVerifier{Tolerance: tt.tolerance, Now: func() time.Time { return at }}
			_, err := v.Verify([]byte(body), h, secrets...)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			// The reference library agrees on the signature rules.
			if len(secrets) > 0 && tt.at.IsZero() && (tt.want == nil || errors.Is(tt.want, sdk.ErrNoValidSignature)) {
				ok := false
				for _, s := range secrets {
					wh, err := standardwebhooks.NewWebhook(s)
					if err == nil && wh.VerifyIgnoringTimestamp([]byte(body), h) == nil {
						ok = true
					}
				}
				if ok != (tt.want == nil) {
					t.Fatalf("the reference library says verified=%v", ok)
				}
			}
		})
	}
}

func TestVerifyWebhookReturnsTheEvent(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event","type":"order.paid","created_at":"2026-01-02T03:04:05Z","livemode":false,` +
		`"data":{"object":{"id":"ord_1","object":"order","status":"paid","amount":1250,"currency":"CNY","reference":"A-1"}}}`)
	sp, err := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: body, Secret: refSecret})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sdk.VerifyWebhook(sp.Payload, sp.Header, refSecret)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "evt_1" || ev.Type != sdk.EventOrderPaid || !ev.CreatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || string(ev.Raw()) != string(body) {
		t.Fatalf("event %+v", ev)
	}
	o, err := ev.Order()
	if err != nil || o.ID != "ord_1" || o.Status != sdk.OrderPaid || o.Amount != 1250 || o.Reference != "A-1" {
		t.Fatalf("ev.Order() = %+v, %v", o, err)
	}
	sp, _ = sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: []byte("not json"), Secret: refSecret})
	if _, err := sdk.VerifyWebhook(sp.Payload, sp.Header, refSecret); err == nil || errors.Is(err, sdk.ErrNoValidSignature) {
		t.Fatalf("a signed body that is not an event: %v", err)
	}
}

// What GenerateTestSignedPayload signs, the reference library verifies,
// and the other way round.
func TestSigningAgreesWithTheReferenceLibrary(t *testing.T) {
	body := []byte(`{"id":"evt_2","type":"refund.succeeded"}`)
	sp, err := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: body, Secret: refSecret})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Header.Get("webhook-id") != "evt_2" {
		t.Fatalf("webhook-id %q, want the payload's id", sp.Header.Get("webhook-id"))
	}
	wh, err := standardwebhooks.NewWebhook(refSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(sp.Payload, sp.Header); err != nil {
		t.Fatalf("the reference library refuses our signature: %v", err)
	}

	now := time.Now()
	sig, err := wh.Sign("msg_3", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_3")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	if _, err := sdk.VerifyWebhook(body, h, refSecret); err != nil {
		t.Fatalf("we refuse the reference library's signature: %v", err)
	}

	at := time.Unix(refTimestamp, 0)
	sp, err = sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: []byte(refPayload), Secret: refSecret, ID: refID, Timestamp: at})
	if err != nil || sp.Header.Get("webhook-signature") != refSignature {
		t.Fatalf("signing the reference vector gave %q, %v; want %q", sp.Header.Get("webhook-signature"), err, refSignature)
	}
	if _, err := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: body, Secret: "whsec_!"}); !errors.Is(err, sdk.ErrInvalidSecret) {
		t.Fatalf("a bad secret: %v, want ErrInvalidSecret", err)
	}
	if sp, _ := sdk.GenerateTestSignedPayload(&sdk.UnsignedPayload{Payload: []byte(`{}`), Secret: refSecret}); !strings.HasPrefix(sp.Header.Get("webhook-id"), "msg_") {
		t.Fatalf("a payload without an id got webhook-id %q", sp.Header.Get("webhook-id"))
	}
}

// Headers and bodies come from anyone on the internet: whatever they hold,
// Verify does not panic, and it accepts only what the reference library
// also accepts.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(refPayload), refID, strconv.Itoa(refTimestamp), refSignature)
	f.Add([]byte(`{}`), "x", "-1", "v1,==== v1,")
	f.Add([]byte(""), "", "99999999999999999999", "v1")
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sig string) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		_, err := sdk.WebhookVerifier{Now: atRefTime}.Verify(body, h, refSecret)
		if err != nil && !errors.Is(err, sdk.ErrNotSigned) && !errors.Is(err, sdk.ErrTooOld) && !errors.Is(err, sdk.ErrTooNew) &&
			!errors.Is(err, sdk.ErrNoValidSignature) && !strings.Contains(err.Error(), "not an event") {
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil {
			wh, _ := standardwebhooks.NewWebhook(refSecret)
			if wh.VerifyIgnoringTimestamp(body, h) != nil {
				t.Fatalf("verified what the reference library refuses: %q %q %q %q", body, id, ts, sig)
			}
		}
	})
}
