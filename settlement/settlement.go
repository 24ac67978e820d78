package settlement

import (
	"context"
	"time"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
)

// Settlement makes one business day's takings of a merchant in one
// currency available: its balance transactions, totalled. Gross is the
// payments, Refunds, Discounts (platform-funded coupons) and Cashback
// (merchant-funded) the other lines' gross, Fees every line's fee, and
// Net = Gross + Refunds + Discounts + Cashback + Adjustments - Fees, which
// is what moved from pending to available: below zero (Negative) on a day
// of more refunds than takings, when it moved back.
type Settlement struct {
	ID          string    `json:"id"`
	Object      string    `json:"object"`
	Livemode    bool      `json:"livemode"`
	Date        string    `json:"date"`
	Timezone    string    `json:"timezone"`
	AvailableOn string    `json:"available_on"`
	Currency    string    `json:"currency"`
	Count       int64     `json:"count"`
	Gross       int64     `json:"gross"`
	Fees        int64     `json:"fees"`
	Refunds     int64     `json:"refunds"`
	Discounts   int64     `json:"discounts"`
	Cashback    int64     `json:"cashback"`
	Adjustments int64     `json:"adjustments"`
	Net         int64     `json:"net"`
	Negative    bool      `json:"negative"`
	Report      Report    `json:"report"`
	CreatedAt   time.Time `json:"created_at"`
}

// Report is how to fetch a settlement's reconciliation report and prove
// it is the one the gateway made: its SHA-256 (hex) and the base64
// Ed25519 signature of its exact bytes by the key KeyID names (GET
// /v1/signing_keys).
type Report struct {
	SHA256    string `json:"sha256"`
	Signature string `json:"signature"`
	KeyID     string `json:"key_id"`
	URL       string `json:"url"`
}

type settlementRow struct {
	ID              string
	MerchantID      string
	Livemode        bool
	Currency        string
	Date            string
	Timezone        string
	AvailableOn     string
	Count           int64
	Gross           int64
	Fees            int64
	Refunds         int64
	Discounts       int64
	Cashback        int64
	Adjustments     int64
	Net             int64
	ReportSHA256    string `gorm:"column:report_sha256"`
	ReportSignature string
	ReportKeyID     string
	CreatedAt       time.Time
}

func (settlementRow) TableName() string { return "settlements" }

func (s *Service) toSettlement(r settlementRow) Settlement {
	return Settlement{ID: r.ID, Object: "settlement", Livemode: r.Livemode, Date: r.Date, Timezone: r.Timezone,
		AvailableOn: r.AvailableOn, Currency: r.Currency, Count: r.Count, Gross: r.Gross, Fees: r.Fees, Refunds: r.Refunds,
		Discounts: r.Discounts, Cashback: r.Cashback, Adjustments: r.Adjustments, Net: r.Net, Negative: r.Net < 0,
		Report:    Report{SHA256: r.ReportSHA256, Signature: r.ReportSignature, KeyID: r.ReportKeyID, URL: s.reportURL(r.ID)},
		CreatedAt: r.CreatedAt}
}

// add counts a line into the settlement's totals.
func (r *settlementRow) add(l lineRow) {
	r.Count++
	switch l.Type {
	case ledger.LinePayment:
		r.Gross += l.Gross
	case ledger.LineRefund:
		r.Refunds += l.Gross
	case ledger.LineCouponFunding:
		r.Discounts += l.Gross
	case ledger.LineCashbackFunding:
		r.Cashback += l.Gross
	default:
		r.Adjustments += l.Gross
	}
	r.Fees += l.Fee
	r.Net += l.Net
}

// GetSettlement returns one of the principal's settlements, or a
// not-found error.
func (s *Service) GetSettlement(ctx context.Context, p merchant.Principal, id string) (Settlement, error) {
	row, err := merchant.Find[settlementRow](ctx, s.db, p, "settlement", id)
	if err != nil {
		return Settlement{}, err
	}
	return s.toSettlement(row), nil
}

// ListSettlements returns the principal's settlements, newest first, and
// whether more follow.
func (s *Service) ListSettlements(ctx context.Context, p merchant.Principal, limit int, startingAfter string) ([]Settlement, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	rows, more, err := storage.Page[settlementRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Settlement, len(rows))
	for i, r := range rows {
		out[i] = s.toSettlement(r)
	}
	return out, more, nil
}
