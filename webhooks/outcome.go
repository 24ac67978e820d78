package webhooks

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/scanpay/scanpay/storage"
)

// maxRecordBatch bounds how many outcomes one transaction writes.
const maxRecordBatch = 256

// recordTries is how often a batch of outcomes is written before the
// dispatcher gives up on it; on PostgreSQL, a 410 stopping an endpoint's
// deliveries can deadlock with another dispatcher writing one of them.
// Outcomes never written are sent again once their lease runs out.
const recordTries = 3

// recordLinger is how long the first outcome of a batch waits for others
// to join it: a few milliseconds turn many one-outcome writes into one.
// The deliveries are sent already; only their bookkeeping waits.
const recordLinger = 5 * time.Millisecond

// recordAll writes outcomes as they arrive, each batch being whatever
// arrives within recordLinger of its first: one write per outcome when
// deliveries trickle in, few when they pour. It returns the first error,
// having logged them all.
func (d *Dispatcher) recordAll(ctx context.Context, results <-chan result) error {
	var first error
	batch := make([]result, 0, maxRecordBatch)
	linger := time.NewTimer(recordLinger)
	for r := range results {
		batch = append(batch[:0], r)
		linger.Reset(recordLinger)
	gather:
		for len(batch) < maxRecordBatch {
			select {
			case r, ok := <-results:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			case <-linger.C:
				break gather
			}
		}
		var err error
		for range recordTries {
			if err = d.record(ctx, batch); err == nil {
				break
			}
		}
		if err != nil {
			d.log.Error("webhooks: cannot record delivery attempts", "count", len(batch), "err", err)
			if first == nil {
				first = err
			}
		}
		if d.observe != nil {
			for _, r := range batch {
				d.observe(r.delivered())
			}
		}
	}
	return first
}

// record writes a batch of outcomes at once: every attempt into the log,
// and each delivery's next state; on PostgreSQL in one statement. A
// delivery changes only while it still carries the claim token of the
// attempt, so a dispatcher whose lease ran out, or whose delivery was
// resent or stopped meanwhile, logs its attempt and changes nothing else.
// The claim token alone is the check, with no status beside it, so that
// the planner has only the primary key to go by. A 410 stops all of an
// endpoint's pending deliveries, some of which the batch may change too:
// such a batch is written one statement after another.
func (d *Dispatcher) record(ctx context.Context, batch []result) error {
	now := d.now()
	attempts := make([]attemptRow, len(batch))
	var delivered []any // event, endpoint and claim token of each delivered
	gone := false
	for i, r := range batch {
		attempts[i] = r.attemptRow()
		if r.delivered() {
			delivered = append(delivered, r.job.EventID, r.job.EndpointID, r.job.token)
		}
		gone = gone || r.status == http.StatusGone
	}
	logged, err := storage.Insert(d.db, &attempts, nil)
	if err != nil {
		return err
	}
	writes := []storage.Write{logged}
	if len(delivered) > 0 {
		// The tuples are written out, not left to gorm to expand: with
		// plain arguments the statement goes straight to the driver.
		tuples := strings.Repeat(", (?, ?, ?)", len(delivered)/3)[2:]
		writes = append(writes, storage.Write{
			SQL: `UPDATE webhook_deliveries SET status = ?, claim_token = NULL, last_error = NULL, updated_at = ?
WHERE (event_id, endpoint_id, claim_token) IN (` + tuples + `)`,
			Args: append([]any{deliveryDelivered, now}, delivered...),
		})
	}
	for _, r := range batch {
		switch {
		case r.delivered():
		case r.status == http.StatusGone:
			writes = append(writes, d.disable(r.job.EndpointID, now)...)
		default:
			status, next := deliveryPending, now
			if wait, retry := d.retryWait(r, now); retry {
				next = now.Add(wait)
			} else {
				status = deliveryFailed
			}
			writes = append(writes, storage.Write{
				SQL: `UPDATE webhook_deliveries SET status = ?, next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
	claim_token = NULL, last_error = ?, updated_at = ? WHERE event_id = ? AND endpoint_id = ? AND claim_token = ?`,
				Args: []any{status, status == deliveryPending, next, r.failure(), now, r.job.EventID, r.job.EndpointID, r.job.token},
			})
		}
	}
	if gone {
		return storage.CommitInOrder(ctx, d.db, writes...)
	}
	return storage.Commit(ctx, d.db, writes...)
}

// retryWait says whether a failed attempt is tried again, and after how
// long: as the receiver asked for a 429 or 503 with Retry-After, by the
// schedule otherwise.
func (d *Dispatcher) retryWait(r result, now time.Time) (time.Duration, bool) {
	if r.job.Attempt >= maxAttempts {
		return 0, false
	}
	if r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable {
		if wait, ok := retryAfter(r.retryAfter, now); ok {
			return wait, true
		}
	}
	return backoff(r.job.Attempt, d.jitter()), true
}

// disable stops an endpoint that answered 410 Gone: the merchant's server
// says the URL is gone for good, so retrying would only knock on a closed
// door for a day. It returns the writes that do it.
func (d *Dispatcher) disable(endpointID string, now time.Time) []storage.Write {
	d.log.Info("webhooks: endpoint answered 410 Gone; disabling it", "endpoint", endpointID)
	return []storage.Write{
		{
			SQL:  `UPDATE webhook_endpoints SET status = ?, disabled_reason = ?, updated_at = ? WHERE id = ? AND status = ?`,
			Args: []any{EndpointDisabled, "the endpoint answered 410 Gone", now, endpointID, EndpointEnabled},
		},
		stopDeliveries(endpointID, "the endpoint answered 410 Gone and was disabled", now),
	}
}

func (r result) attemptRow() attemptRow {
	row := attemptRow{
		ID: r.attemptID, EndpointID: r.job.EndpointID, EventID: r.job.EventID, Attempt: r.job.Attempt,
		LatencyMS: r.latency.Milliseconds(), ResponseBody: r.body, Delivered: r.delivered(), CreatedAt: r.startedAt,
	}
	if r.status != 0 {
		row.StatusCode = &r.status
	}
	if r.err != nil {
		msg := r.failure()
		row.Error = &msg
	}
	return row
}
