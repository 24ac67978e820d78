package sdk

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// OrderStatus is where an order is in its life.
type OrderStatus string

// An order is pending until it is paid, canceled or expired; a paid order
// becomes partially_refunded or refunded as refunds succeed.
const (
	OrderPending           OrderStatus = "pending"
	OrderPaid              OrderStatus = "paid"
	OrderCanceled          OrderStatus = "canceled"
	OrderExpired           OrderStatus = "expired"
	OrderPartiallyRefunded OrderStatus = "partially_refunded"
	OrderRefunded          OrderStatus = "refunded"
)

// Order is what a merchant asks a payer to pay. Amounts are integers in
// the currency's minor unit (1250 CNY is 12.50 yuan).
type Order struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	Livemode    bool              `json:"livemode"`
	Status      OrderStatus       `json:"status"`
	Amount      int64             `json:"amount"`
	Currency    string            `json:"currency"`
	Description string            `json:"description"`
	Reference   string            `json:"reference"`
	Metadata    map[string]string `json:"metadata"`
	// AmountPaid is what the payer paid: Amount less AmountDiscount.
	AmountDiscount int64 `json:"amount_discount"`
	AmountPaid     int64 `json:"amount_paid"`
	// AmountRefunded is the part of the price refunded.
	AmountRefunded int64 `json:"amount_refunded"`
	Fee            int64 `json:"fee"`
	// Promotion is the coupon the order was paid with, if any.
	Promotion *Promotion `json:"promotion"`
	// Source is "api" for an order the merchant made, "static_qr" for one
	// a payer made by paying the merchant's static code.
	Source string `json:"source"`
	// ClientSecret may go to a browser: it opens only this order's QR
	// image, status and event stream (scanpay.js mounts a checkout with
	// it). Events do not carry it.
	ClientSecret string `json:"client_secret"`
	QR           QR     `json:"qr"`
	// CheckoutURL is the hosted checkout page, to send a customer to.
	CheckoutURL string     `json:"checkout_url"`
	ExpiresAt   time.Time  `json:"expires_at"`
	PaidAt      *time.Time `json:"paid_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Promotion is the coupon an order was paid with: the discount it took
// off the price, and who funded it ("merchant" or "platform").
type Promotion struct {
	Coupon   string `json:"coupon"`
	Campaign string `json:"campaign"`
	Funding  string `json:"funding"`
	Discount int64  `json:"discount"`
}

// QR is the code a payer scans: its text and where its image is.
type QR struct {
	// Format is "url" or "emvco".
	Format  string `json:"format"`
	Payload string `json:"payload"`
	// ImageURL needs the secret key; QRPNG and QRSVG fetch it.
	ImageURL string `json:"image_url"`
}

// OrderCreateParams describe a new order. Amount and Currency are
// required; the other fields are optional.
type OrderCreateParams struct {
	Amount   int64  `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	// Description is shown to the payer.
	Description string `json:"description,omitempty"`
	// Reference is the merchant's own order number, unique per merchant.
	Reference string `json:"reference,omitempty"`
	// ExpiresIn is the order's life in seconds, 60 to 86400; zero means
	// 900.
	ExpiresIn int64 `json:"expires_in,omitempty"`
	// QRFormat is "url" (the default) or "emvco".
	QRFormat string            `json:"qr_format,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	// IdempotencyKey replaces the random key, so that a call repeated
	// later (after a crash, say) replays the first answer.
	IdempotencyKey string `json:"-"`
}

// OrderListParams narrow a list of orders; empty fields match all.
type OrderListParams struct {
	ListParams
	Status    OrderStatus
	Reference string
}

// OrderCancelParams are the options of a cancel.
type OrderCancelParams struct {
	IdempotencyKey string `json:"-"`
}

// OrderService calls /v1/orders.
type OrderService struct{ c *Client }

// Create makes a pending order with its QR code. Invalid fields are an
// *Error matching ErrParameterInvalid or ErrParameterMissing, with Param
// naming the field; a reference used before matches
// ErrReferenceAlreadyExists.
func (s *OrderService) Create(ctx context.Context, params *OrderCreateParams) (*Order, error) {
	if params == nil {
		params = &OrderCreateParams{}
	}
	return fetch[Order](ctx, s.c, request{method: http.MethodPost, path: "/v1/orders", body: params, idempotencyKey: params.IdempotencyKey})
}

// Get returns an order; an unknown id (or another merchant's) matches
// ErrResourceMissing.
func (s *OrderService) Get(ctx context.Context, id string) (*Order, error) {
	return fetch[Order](ctx, s.c, request{method: http.MethodGet, path: "/v1/orders/" + url.PathEscape(id)})
}

// List walks the merchant's orders, newest first. An unknown status
// matches ErrParameterInvalid.
func (s *OrderService) List(ctx context.Context, params *OrderListParams) iter.Seq2[*Order, error] {
	if params == nil {
		params = &OrderListParams{}
	}
	q := url.Values{"status": {string(params.Status)}, "reference": {params.Reference}}
	return list(ctx, s.c, "/v1/orders", q, params.ListParams, func(o *Order) string { return o.ID })
}

// Cancel moves a pending order to canceled; params may be nil. An order
// that is not pending any more matches ErrOrderNotCancelable.
func (s *OrderService) Cancel(ctx context.Context, id string, params *OrderCancelParams) (*Order, error) {
	if params == nil {
		params = &OrderCancelParams{}
	}
	return fetch[Order](ctx, s.c, request{method: http.MethodPost, path: "/v1/orders/" + url.PathEscape(id) + "/cancel",
		idempotencyKey: params.IdempotencyKey})
}

// QRPNG returns the order's QR code as a PNG image of size pixels square
// (128 to 1024; zero means 256). The caller closes it. A size out of range
// matches ErrParameterInvalid.
func (s *OrderService) QRPNG(ctx context.Context, id string, size int) (io.ReadCloser, error) {
	var q url.Values
	if size != 0 {
		q = url.Values{"size": {strconv.Itoa(size)}}
	}
	return s.c.download(ctx, "/v1/orders/"+url.PathEscape(id)+"/qr.png", q)
}

// QRSVG returns the order's QR code as an SVG image. The caller closes it.
func (s *OrderService) QRSVG(ctx context.Context, id string) (io.ReadCloser, error) {
	return s.c.download(ctx, "/v1/orders/"+url.PathEscape(id)+"/qr.svg", nil)
}
