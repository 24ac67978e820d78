// Package checkout owns orders and their lifecycle: QR issuance, expiry,
// cancellation, paying an order and refunds.
package checkout

import (
	"encoding/json"
	"time"

	"github.com/scanpay/scanpay/ledger"
)

// Status is where an order is in its life.
type Status string

const (
	StatusPending           Status = "pending"
	StatusPaid              Status = "paid"
	StatusCanceled          Status = "canceled"
	StatusExpired           Status = "expired"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
)

// Where an order came from.
const (
	// SourceAPI is an order a merchant made (POST /v1/orders).
	SourceAPI = "api"
	// SourceStaticQR is an order a payer made by paying the merchant's
	// static code an amount of their choosing.
	SourceStaticQR = "static_qr"
)

// Order is what a merchant asks a payer to pay, as the API shows it.
type Order struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Livemode       bool              `json:"livemode"`
	Status         Status            `json:"status"`
	Amount         int64             `json:"amount"`
	Currency       string            `json:"currency"`
	Description    string            `json:"description"`
	Reference      *string           `json:"reference"`
	Metadata       map[string]string `json:"metadata"`
	AmountDiscount int64             `json:"amount_discount"`
	AmountPaid     int64             `json:"amount_paid"`
	// AmountRefunded is the part of the price refunded; the payer got back
	// their share of it (see Refund).
	AmountRefunded int64      `json:"amount_refunded"`
	Promotion      *Promotion `json:"promotion"`
	Fee            int64      `json:"fee"`
	Source         string     `json:"source"`
	// ClientSecret opens this order's status, QR image and event stream
	// from a browser (see ByClientSecret). Only the merchant's reads show
	// it, never an event; orders made before client secrets have none.
	ClientSecret string     `json:"client_secret,omitempty"`
	QR           QR         `json:"qr"`
	CheckoutURL  string     `json:"checkout_url"`
	ExpiresAt    time.Time  `json:"expires_at"`
	PaidAt       *time.Time `json:"paid_at"`
	CreatedAt    time.Time  `json:"created_at"`

	merchantID string
}

// QR is the code a payer scans: its payload and where to fetch its image.
type QR struct {
	Format   string `json:"format"`
	Payload  string `json:"payload"`
	ImageURL string `json:"image_url"`
}

// orderRow is the orders table. Status is stored as written; an order
// past its expiry may still say pending until the sweeper runs, which is
// why every read goes through toOrder.
type orderRow struct {
	ID                  string
	MerchantID          string
	Livemode            bool
	Status              Status
	Amount              int64
	Currency            string
	Description         string
	Reference           *string
	Metadata            string
	AmountDiscount      int64
	AmountPaid          int64
	AmountRefunded      int64
	Fee                 int64
	CouponID            *string
	PromotionCampaignID *string
	PromotionFunding    *string
	PriceRefunded       int64
	MerchantName        string
	FeeRateBPS          int    `gorm:"column:fee_rate_bps"`
	QRFormat            string `gorm:"column:qr_format"`
	QRCode              string `gorm:"column:qr_code"`
	QRPayload           string `gorm:"column:qr_payload"`
	// ClientSecret is the client secret's random part, sealed to the order.
	ClientSecret *string
	Source       string
	ExpiresAt    time.Time
	PaidAt       *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (orderRow) TableName() string { return "orders" }

// orderColumns are the columns of orders that orderRow.fields scans, in
// the same order, for reads that skip gorm (storage.QueryRow).
const orderColumns = `orders.id, orders.merchant_id, orders.livemode, orders.status, orders.amount,
	orders.currency, orders.description, orders.reference, orders.metadata, orders.amount_discount,
	orders.amount_paid, orders.amount_refunded, orders.fee, orders.coupon_id,
	orders.promotion_campaign_id, orders.promotion_funding, orders.price_refunded,
	orders.merchant_name, orders.fee_rate_bps, orders.qr_format, orders.qr_code, orders.qr_payload,
	orders.client_secret, orders.source, orders.expires_at, orders.paid_at, orders.created_at,
	orders.updated_at`

// fields are where a row read with orderColumns is scanned.
func (r *orderRow) fields() []any {
	return []any{&r.ID, &r.MerchantID, &r.Livemode, &r.Status, &r.Amount,
		&r.Currency, &r.Description, &r.Reference, &r.Metadata, &r.AmountDiscount,
		&r.AmountPaid, &r.AmountRefunded, &r.Fee, &r.CouponID,
		&r.PromotionCampaignID, &r.PromotionFunding, &r.PriceRefunded,
		&r.MerchantName, &r.FeeRateBPS, &r.QRFormat, &r.QRCode, &r.QRPayload,
		&r.ClientSecret, &r.Source, &r.ExpiresAt, &r.PaidAt, &r.CreatedAt,
		&r.UpdatedAt}
}

// effectiveStatus is the status as of now: a pending order past its
// expiry is expired whether or not the sweeper has marked it yet.
func (r orderRow) effectiveStatus(now time.Time) Status {
	if r.Status == StatusPending && !now.Before(r.ExpiresAt) {
		return StatusExpired
	}
	return r.Status
}

func (s *Service) toOrder(r orderRow, now time.Time) Order {
	meta := map[string]string{}
	_ = json.Unmarshal([]byte(r.Metadata), &meta) // written by us from a map; cannot fail
	return Order{
		ID: r.ID, Object: "order", Livemode: r.Livemode, Status: r.effectiveStatus(now),
		Amount: r.Amount, Currency: r.Currency, Description: r.Description, Reference: r.Reference,
		Metadata: meta, AmountDiscount: r.AmountDiscount, AmountPaid: r.AmountPaid,
		AmountRefunded: r.PriceRefunded, Promotion: r.promotion(), Fee: r.Fee, Source: r.Source,
		QR: QR{
			Format:   r.QRFormat,
			Payload:  r.QRPayload,
			ImageURL: s.cfg.BaseURL + "/v1/orders/" + r.ID + "/qr.png",
		},
		CheckoutURL: s.cfg.BaseURL + "/pay/" + r.ID,
		ExpiresAt:   r.ExpiresAt, PaidAt: r.PaidAt, CreatedAt: r.CreatedAt,
		merchantID: r.MerchantID,
	}
}

// promotion is the coupon the order was paid with, if any.
func (r orderRow) promotion() *Promotion {
	if r.CouponID == nil {
		return nil
	}
	return &Promotion{Coupon: *r.CouponID, Campaign: *r.PromotionCampaignID, Funding: *r.PromotionFunding, Discount: r.AmountDiscount}
}

// line is a line of the merchant's statement about this order.
func (r orderRow) line(account ledger.Account, typ, source string, gross, fee int64) ledger.Line {
	l := ledger.Line{Account: account, Type: typ, Source: source, OrderID: r.ID, Gross: gross, Fee: fee}
	if r.Reference != nil {
		l.Reference = *r.Reference
	}
	return l
}
