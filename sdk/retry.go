package sdk

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff between retries: the wait doubles from minBackoff up to
// maxBackoff, and a random half of it is dropped so that clients failing
// together do not retry together.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 8 * time.Second
	// maxRetryAfter is the longest Retry-After a request waits for; a
	// gateway asking for more gets its error returned at once.
	maxRetryAfter = time.Minute
)

// retryable reports whether a failed attempt may succeed when sent again
// with the same Idempotency-Key: the gateway answered that it was busy,
// overloaded or broken, or no answer came back at all.
func retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true // the network: the request may or may not have arrived
	}
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 ||
		e.HTTPStatus == http.StatusConflict && e.Code == ErrIdempotencyKeyInUse.Code
}

// backoff is the wait before retry number attempt+1.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 5 {
		d = min(minBackoff<<attempt, maxBackoff)
	}
	return d/2 + rand.N(d/2)
}

// retryAfter reads the Retry-After header: seconds or an HTTP date; zero
// when there is none.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// sleep waits for d, or returns ctx's error when ctx ends first, at once
// when its deadline comes before the wait is over.
func sleep(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
