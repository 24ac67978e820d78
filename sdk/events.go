package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Event types the gateway sends.
const (
	EventOrderPaid                = "order.paid"
	EventOrderExpired             = "order.expired"
	EventOrderCanceled            = "order.canceled"
	EventRefundSucceeded          = "refund.succeeded"
	EventCouponRedeemed           = "coupon.redeemed"
	EventCouponRedemptionReversed = "coupon.redemption_reversed"
	EventCashbackCreated          = "cashback.created"
	EventCashbackCredited         = "cashback.credited"
	EventCashbackReversed         = "cashback.reversed"
	EventSettlementCreated        = "settlement.created"
	EventPayoutCreated            = "payout.created"
	EventPayoutPaid               = "payout.paid"
	EventPayoutFailed             = "payout.failed"
)

// Event is something that happened to one of the merchant's objects, as
// the event log lists it and webhooks deliver it.
type Event struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Livemode  bool      `json:"livemode"`
	// Data is the event's data member as sent: {"object": {...}}, a
	// snapshot of the object taken when the event happened. The typed
	// accessors (Order, Refund, Settlement, Payout...) read it.
	Data json.RawMessage `json:"data"`

	raw []byte
}

// UnmarshalJSON reads an event and keeps the bytes it came from, for Raw.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p)
	e.raw = bytes.Clone(b)
	return nil
}

// Raw returns the JSON the event was read from, byte for byte: for a
// webhook, the body that was signed. Forward or store it as it is.
func (e *Event) Raw() []byte { return e.raw }

// Order returns the order an order.* event carries; for any other event
// it returns an error.
func (e *Event) Order() (*Order, error) { return eventObject[Order](e, "order") }

// Refund returns the refund a refund.* event carries; for any other event
// it returns an error.
func (e *Event) Refund() (*Refund, error) { return eventObject[Refund](e, "refund") }

// Coupon returns the coupon a coupon.redeemed event carries.
func (e *Event) Coupon() (*Coupon, error) { return eventObject[Coupon](e, "coupon") }

// Cashback returns the cashback a cashback.created or cashback.credited
// event carries (cashback.reversed carries a CashbackReversal).
func (e *Event) Cashback() (*Cashback, error) { return eventObject[Cashback](e, "cashback") }

// Settlement returns the settlement a settlement.created event carries.
func (e *Event) Settlement() (*Settlement, error) { return eventObject[Settlement](e, "settlement") }

// Payout returns the payout a payout.* event carries, as it was when the
// event happened.
func (e *Event) Payout() (*Payout, error) { return eventObject[Payout](e, "payout") }

// eventObject decodes the event's data.object, which must be of the given
// object type.
func eventObject[T any](e *Event, object string) (*T, error) {
	var data struct {
		Object json.RawMessage `json:"object"`
	}
	var kind struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || json.Unmarshal(data.Object, &kind) != nil {
		return nil, fmt.Errorf("scanpay: event %s (%s) has no data.object", e.ID, e.Type)
	}
	if kind.Object != object {
		return nil, fmt.Errorf("scanpay: event %s (%s) carries a %q, not a %q", e.ID, e.Type, kind.Object, object)
	}
	v := new(T)
	if err := json.Unmarshal(data.Object, v); err != nil {
		return nil, fmt.Errorf("scanpay: event %s (%s): %w", e.ID, e.Type, err)
	}
	return v, nil
}

// EventListParams narrow a list of events; empty fields match all.
type EventListParams struct {
	ListParams
	Type  string
	Order string
}

// EventResendParams are the options of a resend.
type EventResendParams struct {
	IdempotencyKey string `json:"-"`
}

// EventResend is the answer to a resend.
type EventResend struct {
	Event  string `json:"event"`
	Object string `json:"object"`
	// DeliveriesQueued is how many endpoints the event is on its way to.
	DeliveriesQueued int `json:"deliveries_queued"`
}

// EventService calls /v1/events.
type EventService struct{ c *Client }

// Get returns an event; an unknown id matches ErrResourceMissing.
func (s *EventService) Get(ctx context.Context, id string) (*Event, error) {
	return fetch[Event](ctx, s.c, request{method: http.MethodGet, path: "/v1/events/" + url.PathEscape(id)})
}

// List walks the merchant's events, newest first. An unknown type matches
// ErrParameterInvalid.
func (s *EventService) List(ctx context.Context, params *EventListParams) iter.Seq2[*Event, error] {
	if params == nil {
		params = &EventListParams{}
	}
	q := url.Values{"type": {params.Type}, "order": {params.Order}}
	return list(ctx, s.c, "/v1/events", q, params.ListParams, func(e *Event) string { return e.ID })
}

// Resend delivers the event again, now, to every enabled endpoint
// subscribed to its type; params may be nil. An unknown id matches
// ErrResourceMissing.
func (s *EventService) Resend(ctx context.Context, id string, params *EventResendParams) (*EventResend, error) {
	if params == nil {
		params = &EventResendParams{}
	}
	return fetch[EventResend](ctx, s.c, request{method: http.MethodPost, path: "/v1/events/" + url.PathEscape(id) + "/resend",
		idempotencyKey: params.IdempotencyKey})
}
