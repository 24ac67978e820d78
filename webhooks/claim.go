package webhooks

import (
	"context"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// job is a claimed delivery with everything needed to send it.
type job struct {
	EndpointID              string
	EventID                 string
	Attempt                 int
	Payload                 string
	URL                     string
	SealedSecret            string
	SealedPreviousSecret    *string
	PreviousSecretExpiresAt *time.Time
	// token is the claim's: an outcome is written only while the delivery
	// still carries it. Every change that ends a claim clears the token, so
	// carrying it also means the delivery is still pending.
	token string
}

// fields are where a row of claimSQL or claimPostgresSQL is scanned.
func (j *job) fields() []any {
	return []any{&j.EndpointID, &j.EventID, &j.Attempt, &j.Payload,
		&j.URL, &j.SealedSecret, &j.SealedPreviousSecret, &j.PreviousSecretExpiresAt}
}

// claimSQL picks the deliveries due first, on SQLite, whose transactions
// begin IMMEDIATE, so one claim runs at a time; claim then moves them.
const claimSQL = `SELECT d.endpoint_id, d.event_id, d.attempts + 1 AS attempt, e.payload,
	w.url, w.secret, w.previous_secret, w.previous_secret_expires_at
FROM webhook_deliveries d
JOIN events e ON e.id = d.event_id
JOIN webhook_endpoints w ON w.id = d.endpoint_id
WHERE d.status = ? AND d.next_attempt_at <= ?
ORDER BY d.next_attempt_at
LIMIT ?`

// claimPostgresSQL picks and moves the deliveries due first in one
// statement, so a claim is one round trip that commits by itself. FOR
// UPDATE SKIP LOCKED makes dispatchers in other processes pass over the
// rows this one is claiming instead of waiting for them, and the recheck
// after a concurrent claim commits drops a row whose next_attempt_at moved.
const claimPostgresSQL = `UPDATE webhook_deliveries d
SET attempts = d.attempts + 1, next_attempt_at = ?, claim_token = ?, updated_at = ?
FROM (SELECT event_id, endpoint_id FROM webhook_deliveries
	WHERE status = ? AND next_attempt_at <= ?
	ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED) due,
	events e, webhook_endpoints w
WHERE d.event_id = due.event_id AND d.endpoint_id = due.endpoint_id AND e.id = d.event_id AND w.id = d.endpoint_id
RETURNING d.endpoint_id, d.event_id, d.attempts AS attempt, e.payload,
	w.url, w.secret, w.previous_secret, w.previous_secret_expires_at`

// claim takes up to limit due deliveries for this dispatcher: it counts
// the attempt and moves next_attempt_at a lease ahead, holding no lock
// while anything is sent.
func (d *Dispatcher) claim(ctx context.Context, limit int) ([]job, error) {
	now := d.now()
	token := scanpay.RandomToken(10)
	var jobs []job
	var err error
	if storage.DialectOf(d.db) == storage.Postgres {
		jobs, err = claimedJobs(d.db.WithContext(ctx), claimPostgresSQL, now.Add(d.lease), token, now, deliveryPending, now, limit)
	} else {
		err = storage.InTx(ctx, d.db, func(tx *gorm.DB) error {
			var err error
			if jobs, err = claimedJobs(tx, claimSQL, deliveryPending, now, limit); err != nil || len(jobs) == 0 {
				return err
			}
			keys := make([][]any, len(jobs))
			for i, j := range jobs {
				keys[i] = []any{j.EventID, j.EndpointID}
			}
			return tx.Table("webhook_deliveries").Where("(event_id, endpoint_id) IN ?", keys).
				Updates(map[string]any{
					"attempts": gorm.Expr("attempts + 1"), "next_attempt_at": now.Add(d.lease),
					"claim_token": token, "updated_at": now,
				}).Error
		})
	}
	if err != nil {
		return nil, err
	}
	for i := range jobs {
		jobs[i].token = token
	}
	return jobs, nil
}

// claimedJobs runs query and scans the jobs it returns, past gorm (see
// storage.Query): a claim runs for every few deliveries.
func claimedJobs(db *gorm.DB, query string, args ...any) ([]job, error) {
	rows, err := storage.Query(db, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var jobs []job
	for rows.Next() {
		var j job
		if err := rows.Scan(j.fields()...); err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}
