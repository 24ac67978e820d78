package webhooks

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// EndpointStatus is whether an endpoint receives events.
type EndpointStatus string

const (
	EndpointEnabled EndpointStatus = "enabled"
	// EndpointDisabled is an endpoint that answered 410 Gone; it receives
	// nothing more.
	EndpointDisabled EndpointStatus = "disabled"
	// endpointDeleted is never shown: a deleted endpoint is not found.
	endpointDeleted EndpointStatus = "deleted"
)

// AllEvents subscribes an endpoint to every event type, present and future.
const AllEvents = "*"

// secretGrace is how long a rotated-out secret keeps signing, so a merchant
// can switch their receiver over without rejecting a delivery.
const secretGrace = 24 * time.Hour

const maxDescriptionLen = 500

// Endpoint is a URL a merchant receives events at.
type Endpoint struct {
	ID            string         `json:"id"`
	Object        string         `json:"object"`
	Livemode      bool           `json:"livemode"`
	URL           string         `json:"url"`
	Description   string         `json:"description"`
	EnabledEvents []string       `json:"enabled_events"`
	Status        EndpointStatus `json:"status"`
	// DisabledReason says why a disabled endpoint stopped receiving.
	DisabledReason string    `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// EndpointWithSecret is the answer to creating an endpoint or rotating its
// secret: the only times the secret is shown.
type EndpointWithSecret struct {
	Endpoint
	Secret string `json:"secret"`
}

// EndpointParams describe a new endpoint. EnabledEvents is either
// []string{AllEvents} or event types from EventTypes.
type EndpointParams struct {
	URL           string   `json:"url"`
	EnabledEvents []string `json:"enabled_events"`
	Description   string   `json:"description"`
}

type endpointRow struct {
	ID                      string
	MerchantID              string
	Livemode                bool
	URL                     string `gorm:"column:url"`
	Description             string
	EnabledEvents           string
	Status                  EndpointStatus
	DisabledReason          *string
	SealedSecret            string  `gorm:"column:secret"`
	SealedPreviousSecret    *string `gorm:"column:previous_secret"`
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

func (endpointRow) TableName() string { return "webhook_endpoints" }

func (r endpointRow) toEndpoint() Endpoint {
	e := Endpoint{
		ID: r.ID, Object: "webhook_endpoint", Livemode: r.Livemode, URL: r.URL, Description: r.Description,
		EnabledEvents: decodeEvents(r.EnabledEvents), Status: r.Status, CreatedAt: r.CreatedAt,
	}
	if r.DisabledReason != nil {
		e.DisabledReason = *r.DisabledReason
	}
	return e
}

// CreateEndpoint validates p and stores an enabled endpoint with a new
// signing secret, which it returns and never shows again. URLs must be
// https in live mode. Invalid input is a *scanpay.Error naming url,
// enabled_events or description, and stores nothing.
func (s *Service) CreateEndpoint(ctx context.Context, merchantID string, livemode bool, p EndpointParams) (EndpointWithSecret, error) {
	events, err := encodeEvents(p.EnabledEvents)
	if err != nil {
		return EndpointWithSecret{}, err
	}
	if err := scanpay.CheckText("description", p.Description, maxDescriptionLen); err != nil {
		return EndpointWithSecret{}, err
	}
	// Last, because it may look the host up in DNS.
	if err := s.checkURL(ctx, p.URL, livemode); err != nil {
		return EndpointWithSecret{}, err
	}
	now := s.now()
	secret := NewSecret()
	row := endpointRow{
		ID: scanpay.NewID("we"), MerchantID: merchantID, Livemode: livemode, URL: p.URL,
		Description: p.Description, EnabledEvents: events, Status: EndpointEnabled,
		CreatedAt: now, UpdatedAt: now,
	}
	row.SealedSecret = s.sealer.Seal(row.ID, []byte(secret))
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (EndpointWithSecret, error) {
		return EndpointWithSecret{Endpoint: row.toEndpoint(), Secret: secret}, storage.DeferInsert(tx, &row, nil)
	})
}

// GetEndpoint returns one of the merchant's endpoints.
func (s *Service) GetEndpoint(ctx context.Context, merchantID string, livemode bool, id string) (Endpoint, error) {
	row, err := findEndpoint(ctx, s.db, merchantID, livemode, id)
	if err != nil {
		return Endpoint{}, err
	}
	return row.toEndpoint(), nil
}

// ListEndpoints returns the merchant's endpoints, newest first, and whether
// more follow.
func (s *Service) ListEndpoints(ctx context.Context, merchantID string, livemode bool, limit int, startingAfter string) ([]Endpoint, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ? AND status <> ?", merchantID, livemode, endpointDeleted)
	rows, more, err := storage.Page[endpointRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = r.toEndpoint()
	}
	return out, more, nil
}

// DeleteEndpoint stops all deliveries to the endpoint, pending ones
// included, and forgets its secrets. The endpoint is not found afterwards.
func (s *Service) DeleteEndpoint(ctx context.Context, merchantID string, livemode bool, id string) error {
	now := s.now()
	_, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (struct{}, error) {
		res := tx.Model(&endpointRow{}).
			Where("id = ? AND merchant_id = ? AND livemode = ? AND status <> ?", id, merchantID, livemode, endpointDeleted).
			Updates(map[string]any{
				"status": endpointDeleted, "secret": "", "previous_secret": nil,
				"previous_secret_expires_at": nil, "updated_at": now,
			})
		if res.Error != nil {
			return struct{}{}, res.Error
		}
		if res.RowsAffected == 0 {
			return struct{}{}, scanpay.NotFound("webhook_endpoint", id)
		}
		return struct{}{}, storage.Defer(tx, stopDeliveries(id, "endpoint deleted", now))
	})
	return err
}

// RotateSecret gives the endpoint a new signing secret and returns it. For
// the next 24 hours deliveries carry a signature by the old secret too, so
// the merchant's receiver keeps verifying while it is switched over. A
// second rotation within that time retires the oldest secret at once.
func (s *Service) RotateSecret(ctx context.Context, merchantID string, livemode bool, id string) (EndpointWithSecret, error) {
	secret := NewSecret()
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (EndpointWithSecret, error) {
		now := s.now()
		// previous_secret = secret reads the value before this update, in
		// one statement, so two rotations at once cannot lose a secret
		// between a read and a write.
		res := tx.Model(&endpointRow{}).
			Where("id = ? AND merchant_id = ? AND livemode = ? AND status <> ?", id, merchantID, livemode, endpointDeleted).
			Updates(map[string]any{
				"previous_secret": gorm.Expr("secret"), "previous_secret_expires_at": now.Add(secretGrace),
				"secret": s.sealer.Seal(id, []byte(secret)), "updated_at": now,
			})
		if res.Error != nil {
			return EndpointWithSecret{}, res.Error
		}
		if res.RowsAffected == 0 {
			return EndpointWithSecret{}, scanpay.NotFound("webhook_endpoint", id)
		}
		row, err := findEndpoint(ctx, tx, merchantID, livemode, id)
		return EndpointWithSecret{Endpoint: row.toEndpoint(), Secret: secret}, err
	})
}

func findEndpoint(ctx context.Context, db *gorm.DB, merchantID string, livemode bool, id string) (endpointRow, error) {
	var row endpointRow
	err := db.WithContext(ctx).
		Where("id = ? AND merchant_id = ? AND livemode = ? AND status <> ?", id, merchantID, livemode, endpointDeleted).
		Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, scanpay.NotFound("webhook_endpoint", id)
	}
	return row, err
}

// checkURL turns the guard's verdict into the API's: a 400 naming url for
// a URL the merchant must change, and an internal error when our own DNS
// lookup failed.
func (s *Service) checkURL(ctx context.Context, raw string, livemode bool) error {
	if raw == "" {
		return scanpay.Missing("url")
	}
	err := s.guard.ValidateURL(ctx, raw, livemode)
	if urlErr, ok := errors.AsType[*URLError](err); ok {
		return scanpay.Invalid("url", "%s", urlErr.Reason)
	}
	return err
}

// encodeEvents validates a subscription and returns it as stored: "*", or
// the types between commas with a comma at each end, which lets the
// fan-out match a type with LIKE '%,type,%'.
func encodeEvents(events []string) (string, error) {
	if len(events) == 0 {
		return "", scanpay.Missing("enabled_events")
	}
	if slices.Contains(events, AllEvents) {
		if len(events) > 1 {
			return "", scanpay.Invalid("enabled_events", "%q subscribes to every event and must be given alone", AllEvents)
		}
		return AllEvents, nil
	}
	for i, e := range events {
		if !slices.Contains(EventTypes, e) {
			return "", scanpay.Invalid("enabled_events", "unknown event type %q", e)
		}
		if slices.Contains(events[:i], e) {
			return "", scanpay.Invalid("enabled_events", "event type %q is listed twice", e)
		}
	}
	return "," + strings.Join(events, ",") + ",", nil
}

func decodeEvents(stored string) []string {
	if stored == AllEvents {
		return []string{AllEvents}
	}
	return strings.Split(strings.Trim(stored, ","), ",")
}
