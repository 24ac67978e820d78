package sdk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultWebhookTolerance is how far a webhook's timestamp may be from
// the receiver's clock, either way.
const DefaultWebhookTolerance = 5 * time.Minute

// Why a webhook does not verify.
var (
	// ErrNotSigned: a webhook-id, webhook-timestamp or webhook-signature
	// header is missing or malformed.
	ErrNotSigned = errors.New("scanpay: webhook is not signed: webhook-id, webhook-timestamp or webhook-signature missing or malformed")
	// ErrTooOld: the timestamp is older than the tolerance, as a replayed
	// delivery would be.
	ErrTooOld = errors.New("scanpay: webhook timestamp is too old")
	// ErrTooNew: the timestamp is further ahead than the tolerance.
	ErrTooNew = errors.New("scanpay: webhook timestamp is too far in the future")
	// ErrNoValidSignature: no signature matches any of the secrets.
	ErrNoValidSignature = errors.New("scanpay: no webhook signature matches the secrets")
	// ErrInvalidSecret: a secret is not whsec_ followed by base64, or none
	// was given: a mistake in the receiver, not in the delivery.
	ErrInvalidSecret = errors.New("scanpay: webhook secret must be whsec_ followed by base64")
)

// WebhookVerifier checks Standard Webhooks signatures. The zero value is
// ready to use and is what VerifyWebhook and WebhookHandler use.
type WebhookVerifier struct {
	// Tolerance is how far the timestamp may be from now, either way;
	// zero means DefaultWebhookTolerance.
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// VerifyWebhook checks a webhook delivery with the default verifier and
// returns its event. See WebhookVerifier.Verify.
func VerifyWebhook(body []byte, header http.Header, secrets ...string) (*Event, error) {
	return WebhookVerifier{}.Verify(body, header, secrets...)
}

// Verify checks that body and header are a delivery signed with one of the
// secrets (the endpoint's whsec_ secret; during a rotation, the old and
// the new one) at a time within the tolerance, then returns the event the
// body holds. Signatures are compared in constant time. The errors wrap
// ErrNotSigned, ErrTooOld, ErrTooNew, ErrNoValidSignature or
// ErrInvalidSecret; a verified body that is not an event is another error.
func (v WebhookVerifier) Verify(body []byte, header http.Header, secrets ...string) (*Event, error) {
	keys, err := decodeSecrets(secrets)
	if err != nil {
		return nil, err
	}
	id, ts, sigs := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return nil, ErrNotSigned
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: webhook-timestamp %q is not unix seconds", ErrNotSigned, ts)
	}
	if err := v.checkTime(time.Unix(unix, 0)); err != nil {
		return nil, err
	}
	if !anySignatureMatches(keys, sigs, id, unix, body) {
		return nil, ErrNoValidSignature
	}
	ev := new(Event)
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, fmt.Errorf("scanpay: webhook body is not an event: %w", err)
	}
	return ev, nil
}

func (v WebhookVerifier) checkTime(t time.Time) error {
	tolerance, now := v.Tolerance, time.Now
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	if v.Now != nil {
		now = v.Now
	}
	switch n := now(); {
	case t.Before(n.Add(-tolerance)):
		return fmt.Errorf("%w: sent at %s", ErrTooOld, t.UTC().Format(time.RFC3339))
	case t.After(n.Add(tolerance)):
		return fmt.Errorf("%w: sent at %s", ErrTooNew, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// anySignatureMatches reports whether one of the space-separated
// "v1,<base64>" signatures is the HMAC of the message under one of keys.
// Other versions are skipped, as the standard asks.
func anySignatureMatches(keys [][]byte, signatures, id string, unix int64, body []byte) bool {
	var want [][]byte
	for _, k := range keys {
		want = append(want, sign(k, id, unix, body))
	}
	for sig := range strings.FieldsSeq(signatures) {
		version, encoded, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			continue
		}
		for _, w := range want {
			if hmac.Equal(got, w) {
				return true
			}
		}
	}
	return false
}

// sign is the Standard Webhooks v1 signature: HMAC-SHA256 of
// "{id}.{timestamp}.{body}".
func sign(key []byte, id string, unix int64, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// decodeSecrets returns the HMAC keys inside whsec_ secrets (the prefix may
// be left out). Its errors never quote a secret.
func decodeSecrets(secrets []string) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret given", ErrInvalidSecret)
	}
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || len(key) == 0 {
			return nil, fmt.Errorf("%w (secret %d of %d)", ErrInvalidSecret, i+1, len(secrets))
		}
		keys[i] = key
	}
	return keys, nil
}
