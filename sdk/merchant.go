package sdk

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Payout schedules: daily pays out everything available each business
// day; manual leaves it available until PayoutService.Create.
const (
	PayoutScheduleDaily  = "daily"
	PayoutScheduleManual = "manual"
)

// Merchant is the business a secret key belongs to.
type Merchant struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Name    string `json:"name"`
	Country string `json:"country"`
	City    string `json:"city"`
	// NameLatin and CityLatin are Name and City in printable ASCII, as
	// EMVCo codes show them.
	NameLatin string `json:"name_latin"`
	CityLatin string `json:"city_latin"`
	MCC       string `json:"mcc"`
	// FeeRateBPS is the merchant's fee, in basis points of a payment.
	FeeRateBPS int `json:"fee_rate_bps"`
	// How the merchant is settled and paid out (MerchantService.Update):
	// its business days are calendar days in Timezone (an IANA zone),
	// each settled SettlementDelayDays after it ends, and PayoutSchedule
	// is PayoutScheduleDaily or PayoutScheduleManual.
	SettlementDelayDays int    `json:"settlement_delay_days"`
	Timezone            string `json:"timezone"`
	PayoutSchedule      string `json:"payout_schedule"`
	// Livemode is the mode of the key: test keys see test objects only.
	Livemode bool `json:"livemode"`
	// StaticQR is the merchant's static code in the key's mode: the QR
	// for the counter, which payers pay an amount of their choosing. Get
	// gives it; Update's answer leaves it empty.
	StaticQR  StaticQR  `json:"static_qr"`
	CreatedAt time.Time `json:"created_at"`
}

// StaticQR is a merchant's static code in its two formats; EMVCo is nil
// when the merchant's name or country cannot make one.
type StaticQR struct {
	URL   *StaticQRForm `json:"url"`
	EMVCo *StaticQRForm `json:"emvco"`
}

// StaticQRForm is one format of a static code: its text and where its
// image is (QRPNG and QRSVG fetch it).
type StaticQRForm struct {
	Payload  string `json:"payload"`
	ImageURL string `json:"image_url"`
}

// MerchantUpdateParams change how the merchant is settled and paid out;
// a nil field keeps its value.
type MerchantUpdateParams struct {
	// PayoutSchedule is PayoutScheduleDaily or PayoutScheduleManual.
	PayoutSchedule *string `json:"payout_schedule,omitempty"`
	// SettlementDelayDays is how many days after a business day ends it
	// settles: 1 (the day after) to 30.
	SettlementDelayDays *int `json:"settlement_delay_days,omitempty"`
	// Timezone is the IANA zone of the business days ("Asia/Shanghai").
	Timezone       *string `json:"timezone,omitempty"`
	IdempotencyKey string  `json:"-"`
}

// MerchantService calls /v1/merchant.
type MerchantService struct{ c *Client }

// Get returns the merchant of the client's key, which checks the key: a
// wrong one matches ErrAPIKeyInvalid, a revoked one ErrAPIKeyRevoked.
func (s *MerchantService) Get(ctx context.Context) (*Merchant, error) {
	return fetch[Merchant](ctx, s.c, request{method: http.MethodGet, path: "/v1/merchant"})
}

// Update changes the merchant's settlement and payout settings and
// returns the merchant (without StaticQR). A schedule other than daily or
// manual, a delay outside 1 to 30 or a zone not in the IANA database
// matches ErrParameterInvalid, with Param naming the field, and changes
// nothing.
func (s *MerchantService) Update(ctx context.Context, params *MerchantUpdateParams) (*Merchant, error) {
	if params == nil {
		params = &MerchantUpdateParams{}
	}
	return fetch[Merchant](ctx, s.c, request{method: http.MethodPost, path: "/v1/merchant", body: params, idempotencyKey: params.IdempotencyKey})
}

// QRPNG returns the merchant's static code in format ("url", the default
// when empty, or "emvco") as a PNG image of size pixels square (128 to
// 1024; zero means 256). The caller closes it. A format or size out of
// range matches ErrParameterInvalid.
func (s *MerchantService) QRPNG(ctx context.Context, format string, size int) (io.ReadCloser, error) {
	q := url.Values{}
	if format != "" {
		q.Set("format", format)
	}
	if size != 0 {
		q.Set("size", strconv.Itoa(size))
	}
	return s.c.download(ctx, "/v1/merchant/qr.png", q)
}

// QRSVG returns the merchant's static code in format as an SVG image. The
// caller closes it.
func (s *MerchantService) QRSVG(ctx context.Context, format string) (io.ReadCloser, error) {
	q := url.Values{}
	if format != "" {
		q.Set("format", format)
	}
	return s.c.download(ctx, "/v1/merchant/qr.svg", q)
}
