package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Event types. Later features add to this list and nothing else.
const (
	OrderPaid                = "order.paid"
	OrderExpired             = "order.expired"
	OrderCanceled            = "order.canceled"
	RefundSucceeded          = "refund.succeeded"
	CouponRedeemed           = "coupon.redeemed"
	CouponRedemptionReversed = "coupon.redemption_reversed"
	CashbackCreated          = "cashback.created"
	CashbackCredited         = "cashback.credited"
	CashbackReversed         = "cashback.reversed"
	SettlementCreated        = "settlement.created"
	PayoutCreated            = "payout.created"
	PayoutPaid               = "payout.paid"
	PayoutFailed             = "payout.failed"
)

// EventTypes lists every type an endpoint may subscribe to.
var EventTypes = []string{
	OrderPaid, OrderExpired, OrderCanceled, RefundSucceeded,
	CouponRedeemed, CouponRedemptionReversed, CashbackCreated, CashbackCredited, CashbackReversed,
	SettlementCreated, PayoutCreated, PayoutPaid, PayoutFailed,
}

// Event is something that happened to a merchant's object. Object is a
// JSON-marshalable snapshot of it taken inside the transaction that
// changed it; the outbox never looks into it.
type Event struct {
	Type       string
	MerchantID string
	Livemode   bool
	OrderID    string
	Object     any
	CreatedAt  time.Time
}

// Record is an event as stored and as listed by the API; Payload is the
// exact body that deliveries POST and sign.
type Record struct {
	ID         string
	MerchantID string
	Livemode   bool
	Type       string
	OrderID    *string
	Payload    string
	CreatedAt  time.Time
}

func (Record) TableName() string { return "events" }

// MarshalJSON shows an event as the API and the webhook body do.
func (r Record) MarshalJSON() ([]byte, error) {
	return []byte(r.Payload), nil
}

// body is the webhook body of the API contract.
type body struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Livemode  bool      `json:"livemode"`
	Data      struct {
		Object any `json:"object"`
	} `json:"data"`
}

// Emit writes e to the outbox through tx, the transaction that caused it,
// together with one pending delivery per endpoint subscribed to it, so the
// event and its deliveries exist exactly when the change they report does.
// Both are deferred writes (storage.Defer): inside storage.Transact they
// cost no round trip of their own, however many endpoints there are.
func Emit(tx *gorm.DB, e Event) (Record, error) {
	b := body{ID: scanpay.NewID("evt"), Object: "event", Type: e.Type, CreatedAt: e.CreatedAt, Livemode: e.Livemode}
	b.Data.Object = e.Object
	payload, err := json.Marshal(b)
	if err != nil {
		return Record{}, fmt.Errorf("event %s: %w", e.Type, err)
	}
	r := Record{ID: b.ID, MerchantID: e.MerchantID, Livemode: e.Livemode, Type: e.Type, Payload: string(payload), CreatedAt: e.CreatedAt}
	if e.OrderID != "" {
		r.OrderID = &e.OrderID
	}
	if err := storage.DeferInsert(tx, &r, nil); err != nil {
		return Record{}, fmt.Errorf("write event %s: %w", e.Type, err)
	}
	if err := storage.Defer(tx, storage.Write{SQL: fanOutSQL, Args: fanOutArgs(r, e.CreatedAt)}); err != nil {
		return Record{}, fmt.Errorf("queue deliveries of event %s: %w", e.Type, err)
	}
	return r, nil
}

// Store reads the event log.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// EventFilter narrows a list of events; empty fields match everything.
type EventFilter struct {
	Type          string
	OrderID       string
	Limit         int
	StartingAfter string
}

// Get returns one of the merchant's events.
func (s *Store) Get(ctx context.Context, merchantID string, livemode bool, id string) (Record, error) {
	var r Record
	err := s.db.WithContext(ctx).Where("id = ? AND merchant_id = ? AND livemode = ?", id, merchantID, livemode).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, scanpay.NotFound("event", id)
	}
	return r, err
}

// List returns the merchant's events, newest first, and whether more follow.
func (s *Store) List(ctx context.Context, merchantID string, livemode bool, f EventFilter) ([]Record, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", merchantID, livemode)
	if f.Type != "" {
		if !slices.Contains(EventTypes, f.Type) {
			return nil, false, scanpay.Invalid("type", "unknown event type %q", f.Type)
		}
		q = q.Where("type = ?", f.Type)
	}
	if f.OrderID != "" {
		q = q.Where("order_id = ?", f.OrderID)
	}
	return storage.Page[Record](q, f.Limit, f.StartingAfter)
}
