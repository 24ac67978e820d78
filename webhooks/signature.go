package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// userAgent lets a merchant's firewall rules and logs recognise our
// deliveries.
const userAgent = "Scanpay-Webhooks/1"

// Sign returns the value of the webhook-signature header: one
// "v1,<base64 HMAC-SHA256 of {id}.{unix seconds}.{body}>" per secret,
// separated by spaces. During a secret rotation both the old and the new
// secret sign, so a receiver verifies with whichever one it has. An empty
// list or a malformed secret is an error wrapping ErrInvalidSecret.
func Sign(secrets []string, id string, timestamp time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", fmt.Errorf("%w: none given", ErrInvalidSecret)
	}
	// The HMAC input is head followed by body, written in two parts so that
	// a large body is never copied into a joined string.
	head := make([]byte, 0, len(id)+len("..")+len("-9223372036854775808"))
	head = append(head, id...)
	head = append(head, '.')
	head = strconv.AppendInt(head, timestamp.Unix(), 10)
	head = append(head, '.')
	var sum [sha256.Size]byte
	sig := make([]byte, 0, len(secrets)*(len("v1,")+base64.StdEncoding.EncodedLen(sha256.Size)+1))
	for i, secret := range secrets {
		key, err := decodeSecret(secret)
		if err != nil {
			return "", fmt.Errorf("%w (secret %d of %d)", err, i+1, len(secrets))
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(head)
		mac.Write(body)
		if i > 0 {
			sig = append(sig, ' ')
		}
		sig = append(sig, "v1,"...)
		sig = base64.StdEncoding.AppendEncode(sig, mac.Sum(sum[:0]))
	}
	return string(sig), nil
}

// Headers returns everything a delivery of body carries besides the body:
// the three Standard Webhooks headers, the content type and our user agent.
// id is the event id, the same on every retry, so a receiver can drop
// duplicates; timestamp is the time of this attempt, so a receiver can
// refuse replays.
func Headers(secrets []string, id string, timestamp time.Time, body []byte) (http.Header, error) {
	sig, err := Sign(secrets, id, timestamp, body)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 5)
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(timestamp.Unix(), 10))
	h.Set("webhook-signature", sig)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", userAgent)
	return h, nil
}
