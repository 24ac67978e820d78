package webhooks

import (
	"context"
	"strings"
	"time"

	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// A delivery, one event on its way to one endpoint, is pending until an
// attempt succeeds or the retries run out.
const (
	deliveryPending   = "pending"
	deliveryDelivered = "delivered"
	deliveryFailed    = "failed"
)

// Attempt is one try at delivering an event to an endpoint, as the
// delivery log shows it. StatusCode is nil when no response came back, and
// Error then says why.
type Attempt struct {
	ID           string    `json:"id"`
	Object       string    `json:"object"`
	EventID      string    `json:"event"`
	EndpointID   string    `json:"endpoint"`
	Attempt      int       `json:"attempt"`
	StatusCode   *int      `json:"status_code"`
	LatencyMS    int64     `json:"latency_ms"`
	Error        *string   `json:"error"`
	ResponseBody string    `json:"response_body"`
	Delivered    bool      `json:"delivered"`
	CreatedAt    time.Time `json:"created_at"`
}

type attemptRow struct {
	ID           string
	EndpointID   string
	EventID      string
	Attempt      int
	StatusCode   *int
	LatencyMS    int64 `gorm:"column:latency_ms"`
	Error        *string
	ResponseBody string
	Delivered    bool
	CreatedAt    time.Time
}

func (attemptRow) TableName() string { return "webhook_attempts" }

func (r attemptRow) toAttempt() Attempt {
	return Attempt{
		ID: r.ID, Object: "webhook_delivery_attempt", EventID: r.EventID, EndpointID: r.EndpointID,
		Attempt: r.Attempt, StatusCode: r.StatusCode, LatencyMS: r.LatencyMS, Error: r.Error,
		ResponseBody: r.ResponseBody, Delivered: r.Delivered, CreatedAt: r.CreatedAt,
	}
}

// ListDeliveries returns the attempts to deliver to one of the merchant's
// endpoints, newest first, and whether more follow.
func (s *Service) ListDeliveries(ctx context.Context, merchantID string, livemode bool, endpointID string, limit int, startingAfter string) ([]Attempt, bool, error) {
	if _, err := findEndpoint(ctx, s.db, merchantID, livemode, endpointID); err != nil {
		return nil, false, err
	}
	q := s.db.WithContext(ctx).Where("endpoint_id = ?", endpointID)
	rows, more, err := storage.Page[attemptRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Attempt, len(rows))
	for i, r := range rows {
		out[i] = r.toAttempt()
	}
	return out, more, nil
}

// Resent is the answer to a resend: the event and how many deliveries of
// it were queued.
type Resent struct {
	Event            string `json:"event"`
	Object           string `json:"object"`
	DeliveriesQueued int    `json:"deliveries_queued"`
}

// Resend queues one of the merchant's events again, due now, to every
// enabled endpoint subscribed to it today, with a fresh retry schedule; an
// endpoint that already received it receives it again.
func (s *Service) Resend(ctx context.Context, merchantID string, livemode bool, eventID string) (Resent, error) {
	r, err := NewStore(s.db).Get(ctx, merchantID, livemode, eventID)
	if err != nil {
		return Resent{}, err
	}
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Resent, error) {
		res := tx.Exec(fanOutSQL+requeueSQL, fanOutArgs(r, s.now())...)
		return Resent{Event: r.ID, Object: "event_resend", DeliveriesQueued: int(res.RowsAffected)}, res.Error
	})
}

// fanOutSQL creates, in one statement, a delivery of an event due at once
// to each enabled endpoint of its merchant and mode subscribed to its
// type: the event's transaction pays for one statement however many
// endpoints there are. The LIKE pattern is built in the statement, not
// bound whole: SQLite plans a LIKE whose pattern is a parameter around the
// pattern's value, and so compiles such a statement again on every run.
const fanOutSQL = `INSERT INTO webhook_deliveries
	(event_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
SELECT ?, id, ?, 0, ?, ?, ? FROM webhook_endpoints
WHERE merchant_id = ? AND livemode = ? AND status = ?
	AND (enabled_events = ? OR enabled_events LIKE ('%,' || ? || ',%') ESCAPE '\')`

// requeueSQL turns fanOutSQL into a resend: a delivery that exists starts
// over. Clearing the claim token keeps a dispatcher still sending the old
// attempt from overwriting the new schedule.
const requeueSQL = `
ON CONFLICT (event_id, endpoint_id) DO UPDATE SET
	status = excluded.status, attempts = 0, next_attempt_at = excluded.next_attempt_at,
	claim_token = NULL, last_error = NULL, updated_at = excluded.updated_at`

func fanOutArgs(r Record, due time.Time) []any {
	return []any{
		r.ID, deliveryPending, due, due, due,
		r.MerchantID, r.Livemode, EndpointEnabled,
		AllEvents, escapeLike(r.Type),
	}
}

// escapeLike makes s match only itself in a LIKE pattern with ESCAPE '\'.
// Event types hold underscores, which LIKE would otherwise read as "any
// character".
func escapeLike(s string) string { return likeEscaper.Replace(s) }

// likeEscaper is built once: building one was more than the escaping,
// on every event emitted.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// stopDeliveries fails every pending delivery to an endpoint that will
// receive nothing more. Clearing the claim token keeps a dispatcher that is
// sending one of them right now from reviving it.
func stopDeliveries(endpointID, reason string, now time.Time) storage.Write {
	return storage.Write{
		SQL:  `UPDATE webhook_deliveries SET status = ?, claim_token = NULL, last_error = ?, updated_at = ? WHERE endpoint_id = ? AND status = ?`,
		Args: []any{deliveryFailed, reason, now, endpointID, deliveryPending},
	}
}
