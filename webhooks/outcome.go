package webhooks

import (
	"context"
	"net/http"
	"time"

	"gorm.io/gorm"
)

// maxRecordBatch bounds how many outcomes one transaction writes.
const maxRecordBatch = 256

// recordTries is how often a batch of outcomes is written before the
// dispatcher gives up on it; on PostgreSQL, a 410 stopping an endpoint's
// deliveries can deadlock with another dispatcher writing one of them.
// Outcomes never written are sent again once their lease runs out.
const recordTries = 3

// recordAll writes outcomes as they arrive, each batch being whatever has
// arrived by the time the previous one is written: one transaction per
// outcome when deliveries trickle in, few when they pour. It returns the
// first error, having logged them all.
func (d *Dispatcher) recordAll(ctx context.Context, results <-chan result) error {
	var first error
	batch := make([]result, 0, maxRecordBatch)
	for r := range results {
		batch = append(batch[:0], r)
	gather:
		for len(batch) < maxRecordBatch {
			select {
			case r, ok := <-results:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
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
	}
	return first
}

// record writes a batch of outcomes in one transaction: every attempt into
// the log, and each delivery's next state. A delivery changes only while it
// still carries the claim token of the attempt, so a dispatcher whose lease
// ran out, or whose delivery was resent or stopped meanwhile, logs its
// attempt and changes nothing else. The claim token alone is the check, with
// no status beside it, so that the planner has only the primary key to go
// by.
func (d *Dispatcher) record(ctx context.Context, batch []result) error {
	now := d.now()
	attempts := make([]attemptRow, len(batch))
	var delivered [][]any
	for i, r := range batch {
		attempts[i] = r.attemptRow()
		if r.delivered() {
			delivered = append(delivered, []any{r.job.EventID, r.job.EndpointID, r.job.token})
		}
	}
	return d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&attempts).Error; err != nil {
			return err
		}
		if len(delivered) > 0 {
			err := tx.Table("webhook_deliveries").
				Where("(event_id, endpoint_id, claim_token) IN ?", delivered).
				Updates(map[string]any{"status": deliveryDelivered, "claim_token": nil, "last_error": nil, "updated_at": now}).Error
			if err != nil {
				return err
			}
		}
		for _, r := range batch {
			if r.delivered() {
				continue
			}
			if r.status == http.StatusGone {
				if err := d.disable(tx, r.job.EndpointID, now); err != nil {
					return err
				}
				continue
			}
			next := map[string]any{"claim_token": nil, "last_error": r.failure(), "updated_at": now}
			if wait, retry := d.retryWait(r, now); retry {
				next["next_attempt_at"] = now.Add(wait)
			} else {
				next["status"] = deliveryFailed
			}
			err := tx.Table("webhook_deliveries").
				Where("event_id = ? AND endpoint_id = ? AND claim_token = ?", r.job.EventID, r.job.EndpointID, r.job.token).
				Updates(next).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
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
// door for a day.
func (d *Dispatcher) disable(tx *gorm.DB, endpointID string, now time.Time) error {
	res := tx.Model(&endpointRow{}).Where("id = ? AND status = ?", endpointID, EndpointEnabled).
		Updates(map[string]any{"status": EndpointDisabled, "disabled_reason": "the endpoint answered 410 Gone", "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected > 0 {
		d.log.Info("webhooks: endpoint disabled after 410 Gone", "endpoint", endpointID)
	}
	return stopDeliveries(tx, endpointID, "the endpoint answered 410 Gone and was disabled", now)
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
