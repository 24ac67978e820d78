package webhooks

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retrySchedule is the wait after each failed attempt, first to seventh.
// It reaches across about 28 hours, enough for a merchant to notice an
// outage and fix it; the eighth failure fails the delivery for good.
var retrySchedule = [...]time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

const maxAttempts = len(retrySchedule) + 1

// jitterFraction spreads each wait by up to ±10%, so the deliveries that
// failed together during a receiver's outage do not all return at once.
const jitterFraction = 0.1

// Bounds on a receiver's Retry-After: the upper keeps a typo from parking a
// delivery for a year, the lower keeps "0" from making retries a loop.
const (
	minRetryAfter = time.Second
	maxRetryAfter = 24 * time.Hour
)

// backoff returns the wait after failed attempt number attempt (1 to
// maxAttempts-1); u, uniform in [0, 1), places it within the jitter. It is
// whole milliseconds, so a time it is added to stays one that the
// database keeps exactly.
func backoff(attempt int, u float64) time.Duration {
	base := retrySchedule[attempt-1]
	return time.Duration(float64(base) * (1 - jitterFraction + 2*jitterFraction*u)).Truncate(time.Millisecond)
}

// retryAfter reads a Retry-After header, either delay-seconds or an
// HTTP-date, as a wait from now, clamped to [minRetryAfter, maxRetryAfter].
// It reports false when the header is missing or unreadable.
func retryAfter(header string, now time.Time) (time.Duration, bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, false
	}
	var wait time.Duration
	if secs, err := strconv.ParseInt(header, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Clamped in seconds first, since a huge value overflows a Duration.
		wait = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(header); err == nil {
		wait = at.Sub(now)
	} else {
		return 0, false
	}
	return min(max(wait, minRetryAfter), maxRetryAfter), true
}
