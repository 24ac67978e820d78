package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scanpay/scanpay"
)

// maxLogText is how much of a receiver's answer, or of an error, the
// delivery log keeps.
const maxLogText = 1024

// maxDrain is how much more of an answer is read, unlogged, so that the
// connection can carry the next delivery. A receiver that sends more loses
// its connection instead of holding a worker.
const maxDrain = 64 << 10

// result is what one attempt came to, before it is written down.
type result struct {
	job       job
	attemptID string
	startedAt time.Time
	latency   time.Duration
	// status is the response's status code, 0 when none came back and err
	// says why.
	status     int
	retryAfter string
	body       string
	err        error
}

func (r result) delivered() bool { return r.status >= 200 && r.status < 300 }

// send makes one attempt: it signs the payload with the endpoint's secrets
// at this moment and POSTs it through the guarded client.
func (d *Dispatcher) send(ctx context.Context, j job) result {
	r := result{job: j, attemptID: scanpay.NewID("wha"), startedAt: d.now()}
	secrets, err := d.secrets(j, r.startedAt)
	if err != nil {
		d.log.Error("webhooks: cannot sign delivery", "endpoint", j.EndpointID, "event", j.EventID, "err", err)
		r.err = err
		return r
	}
	payload := []byte(j.Payload)
	headers, err := Headers(secrets, j.EventID, r.startedAt, payload)
	if err != nil {
		d.log.Error("webhooks: cannot sign delivery", "endpoint", j.EndpointID, "event", j.EventID, "err", err)
		r.err = err
		return r
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, bytes.NewReader(payload))
	if err != nil {
		r.err = err
		return r
	}
	req.Header = headers
	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		r.latency = time.Since(start)
		r.err = err
		return r
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxLogText))
	r.latency = time.Since(start)
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	r.status = resp.StatusCode
	r.retryAfter = resp.Header.Get("Retry-After")
	r.body = logText(head)
	return r
}

// secrets returns the keys that sign an attempt made at: the endpoint's
// secret, and the one it replaced while that one's grace lasts.
func (d *Dispatcher) secrets(j job, at time.Time) ([]string, error) {
	current, err := d.sealer.Open(j.EndpointID, j.SealedSecret)
	if err != nil {
		return nil, err
	}
	if j.SealedPreviousSecret == nil || j.PreviousSecretExpiresAt == nil || !at.Before(*j.PreviousSecretExpiresAt) {
		return []string{string(current)}, nil
	}
	previous, err := d.sealer.Open(j.EndpointID, *j.SealedPreviousSecret)
	if err != nil {
		return nil, err
	}
	return []string{string(current), string(previous)}, nil
}

// failure is what the delivery log says about an attempt that did not
// succeed. The URL that net/http puts in front of its errors is left out:
// the log is per endpoint, and the URL may carry a token of the merchant's.
func (r result) failure() string {
	if r.err == nil {
		return fmt.Sprintf("the endpoint answered %d %s", r.status, http.StatusText(r.status))
	}
	err := r.err
	if urlErr, ok := errors.AsType[*url.Error](err); ok {
		err = urlErr.Err
	}
	return logText([]byte(err.Error()))
}

// logText makes b, cut at maxLogText, storable and showable: valid UTF-8
// without a rune cut in half, and without NUL, which PostgreSQL refuses in
// text.
func logText(b []byte) string {
	if len(b) > maxLogText {
		b = b[:maxLogText]
	}
	if len(b) == maxLogText {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "\uFFFD")
}
