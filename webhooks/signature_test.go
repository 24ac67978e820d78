package webhooks

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

func TestSignReferenceVector(t *testing.T) {
	got, err := Sign([]string{refSecret}, refID, time.Unix(refTimestamp, 0), []byte(refPayload))
	if err != nil {
		t.Fatal(err)
	}
	if got != refSignature {
		t.Errorf("Sign = %q, want %q", got, refSignature)
	}
}

func TestSignRotationJoinsSignaturesWithOneSpace(t *testing.T) {
	other := NewSecret()
	got, err := Sign([]string{refSecret, other}, refID, time.Unix(refTimestamp, 0), []byte(refPayload))
	if err != nil {
		t.Fatal(err)
	}
	sigs := strings.Split(got, " ")
	if len(sigs) != 2 || sigs[0] != refSignature || !strings.HasPrefix(sigs[1], "v1,") || sigs[1] == refSignature {
		t.Errorf("Sign with two secrets = %q, want %q, a space and a second, different v1 signature", got, refSignature)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatalf("two calls returned the same secret %q", a)
	}
	encoded, ok := strings.CutPrefix(a, "whsec_")
	if !ok {
		t.Fatalf("NewSecret() = %q, want the whsec_ prefix", a)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		t.Errorf("NewSecret() = %q: want standard base64 of 32 bytes, got %d bytes, err %v", a, len(key), err)
	}
}

// TestHeadersVerifyWithReferenceLibrary signs with this package and verifies
// with the reference implementation a merchant may well be running.
func TestHeadersVerifyWithReferenceLibrary(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	body := []byte(`{"id":"evt_1","type":"order.paid","data":{"object":{"amount":1250}}}`)
	now := time.Now()

	tests := []struct {
		name    string
		signers []string
		// verifier is the secret the receiver holds.
		verifier string
		// tamper changes the delivery after signing; nil leaves it alone.
		tamper  func(h http.Header, body []byte) []byte
		wantErr bool
	}{
		{name: "one secret", signers: []string{newSecret}, verifier: newSecret},
		{name: "reference secret", signers: []string{refSecret}, verifier: refSecret},
		{name: "rotation, receiver has the old secret", signers: []string{oldSecret, newSecret}, verifier: oldSecret},
		{name: "rotation, receiver has the new secret", signers: []string{oldSecret, newSecret}, verifier: newSecret},
		{name: "wrong secret", signers: []string{newSecret}, verifier: oldSecret, wantErr: true},
		{
			name: "changed body", signers: []string{newSecret}, verifier: newSecret, wantErr: true,
			tamper: func(_ http.Header, body []byte) []byte { return bytes.Replace(body, []byte("1250"), []byte("9999"), 1) },
		},
		{
			name: "changed id", signers: []string{newSecret}, verifier: newSecret, wantErr: true,
			tamper: func(h http.Header, body []byte) []byte { h.Set("webhook-id", "evt_2"); return body },
		},
		{
			name: "changed timestamp", signers: []string{newSecret}, verifier: newSecret, wantErr: true,
			tamper: func(h http.Header, body []byte) []byte {
				h.Set("webhook-timestamp", strconv.FormatInt(now.Unix()-1, 10))
				return body
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Headers(tt.signers, "evt_1", now, body)
			if err != nil {
				t.Fatal(err)
			}
			got := body
			if tt.tamper != nil {
				got = tt.tamper(h, bytes.Clone(body))
			}
			wh, err := standardwebhooks.NewWebhook(tt.verifier)
			if err != nil {
				t.Fatal(err)
			}
			err = wh.Verify(got, h)
			if tt.wantErr && !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
				t.Errorf("Verify = %v, want ErrNoMatchingSignature", err)
			}
			if !tt.wantErr && err != nil {
				t.Errorf("Verify = %v, want nil", err)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	h, err := Headers([]string{refSecret}, refID, time.Unix(refTimestamp, 0), []byte(refPayload))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"webhook-id":        refID,
		"webhook-timestamp": "1614265330",
		"webhook-signature": refSignature,
		"Content-Type":      "application/json",
		"User-Agent":        "Scanpay-Webhooks/1",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if len(h) != len(want) {
		t.Errorf("got %d headers, want %d: %v", len(h), len(want), h)
	}
}

func TestSignRefusesMalformedSecrets(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		name    string
		secrets []string
	}{
		{"no secrets", nil},
		{"empty", []string{""}},
		{"no prefix", []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
		{"prefix only", []string{"whsec_"}},
		{"not base64", []string{"whsec_MfKQ9r8GKYqrTwjU!D8ILPZIo2LaLaSw"}},
		{"url-safe base64", []string{"whsec_" + strings.Repeat("-_", 16)}},
		{"key too short", []string{"whsec_" + b64(23)}},
		{"key too long", []string{"whsec_" + b64(65)}},
		{"second of two malformed", []string{refSecret, "whsec_short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sign(tt.secrets, refID, time.Unix(refTimestamp, 0), []byte(refPayload))
			if !errors.Is(err, ErrInvalidSecret) {
				t.Fatalf("Sign = %v, want ErrInvalidSecret", err)
			}
			for _, s := range tt.secrets {
				if len(s) > len("whsec_") && strings.Contains(err.Error(), s[len("whsec_"):]) {
					t.Errorf("error %q quotes the secret", err)
				}
			}
		})
	}
}

func TestSignAcceptsKeyLengthBounds(t *testing.T) {
	for _, n := range []int{24, 64} {
		secret := "whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, n))
		if _, err := Sign([]string{secret}, refID, time.Unix(refTimestamp, 0), []byte(refPayload)); err != nil {
			t.Errorf("%d-byte key: %v", n, err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	secrets := []string{NewSecret()}
	body := bytes.Repeat([]byte("a"), 1024)
	ts := time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(secrets, "evt_0123456789abcdef", ts, body); err != nil {
			b.Fatal(err)
		}
	}
}
