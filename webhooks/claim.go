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
	SealedSecret            string  `gorm:"column:secret"`
	SealedPreviousSecret    *string `gorm:"column:previous_secret"`
	PreviousSecretExpiresAt *time.Time
	// token is the claim's: an outcome is written only while the delivery
	// still carries it. Every change that ends a claim clears the token, so
	// carrying it also means the delivery is still pending.
	token string
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
		err = d.db.WithContext(ctx).Raw(claimPostgresSQL, now.Add(d.lease), token, now, deliveryPending, now, limit).Find(&jobs).Error // not Scan, which also renders the statement for a log
	} else {
		err = storage.InTx(ctx, d.db, func(tx *gorm.DB) error {
			if err := tx.Raw(claimSQL, deliveryPending, now, limit).Scan(&jobs).Error; err != nil {
				return err
			}
			if len(jobs) == 0 {
				return nil
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
