package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
)

// A merchant's static code is the QR on its counter: the same for every
// payment, with no amount in it. The payer types the amount, and paying
// makes the order and pays it at once (payStatic).

// StaticQR is a merchant's static code in both formats, as GET
// /v1/merchant shows it. EMVCo is nil when the merchant has no Latin name
// or its country has no currency Scanpay knows.
type StaticQR struct {
	URL   *StaticPayload `json:"url"`
	EMVCo *StaticPayload `json:"emvco"`
}

// StaticPayload is the text of one format of a static code.
type StaticPayload struct {
	Payload string `json:"payload"`
}

// StaticOwner is whose a static code is, for the page a browser that
// opens one sees.
type StaticOwner struct {
	MerchantName string
	Livemode     bool
}

// IsStaticCode reports whether code has the shape of a merchant's static
// code rather than an order's.
func IsStaticCode(code string) bool { return scanpay.IsToken(code, merchant.StaticCodeBytes) }

// countryCurrency is the currency of a static EMVCo code (data object 53,
// which EMVCo requires even where the payer chooses the amount): the
// currency of the merchant's country. A payment in another currency may
// still pay the URL form.
var countryCurrency = map[string]string{
	"AE": "AED", "AU": "AUD", "BH": "BHD", "BR": "BRL", "CA": "CAD", "CH": "CHF", "CL": "CLP", "CN": "CNY",
	"GB": "GBP", "HK": "HKD", "ID": "IDR", "IN": "INR", "IS": "ISK", "JO": "JOD", "JP": "JPY", "KR": "KRW",
	"KW": "KWD", "MO": "MOP", "MY": "MYR", "NZ": "NZD", "OM": "OMR", "PH": "PHP", "SG": "SGD", "TH": "THB",
	"TN": "TND", "TW": "TWD", "US": "USD", "VN": "VND",
	"AT": "EUR", "BE": "EUR", "CY": "EUR", "DE": "EUR", "EE": "EUR", "ES": "EUR", "FI": "EUR", "FR": "EUR",
	"GR": "EUR", "HR": "EUR", "IE": "EUR", "IT": "EUR", "LT": "EUR", "LU": "EUR", "LV": "EUR", "MT": "EUR",
	"NL": "EUR", "PT": "EUR", "SI": "EUR", "SK": "EUR",
}

// StaticQR returns the principal's static code in both formats. It
// returns a not-found error for an unknown merchant.
func (s *Service) StaticQR(ctx context.Context, p merchant.Principal) (StaticQR, error) {
	m, code, err := s.staticCode(ctx, p)
	if err != nil {
		return StaticQR{}, err
	}
	out := StaticQR{URL: &StaticPayload{Payload: s.staticPayloadURL(code)}}
	if payload, err := s.staticPayloadEMVCo(m, code); err == nil {
		out.EMVCo = &StaticPayload{Payload: payload}
	}
	return out, nil
}

// StaticQRImage returns the image of the principal's static code in
// format (QRFormatURL or QRFormatEMVCo). It returns an invalid format or
// size, naming it, or a not-found error for an unknown merchant.
func (s *Service) StaticQRImage(ctx context.Context, p merchant.Principal, format, kind string, size int) (Image, error) {
	if format != QRFormatURL && format != QRFormatEMVCo {
		return Image{}, scanpay.Invalid("format", "format must be %q or %q", QRFormatURL, QRFormatEMVCo)
	}
	m, code, err := s.staticCode(ctx, p)
	if err != nil {
		return Image{}, err
	}
	payload := s.staticPayloadURL(code)
	if format == QRFormatEMVCo {
		if payload, err = s.staticPayloadEMVCo(m, code); err != nil {
			return Image{}, scanpay.Invalid("format", "%s", err.Error())
		}
	}
	return s.Image(payload, kind, size)
}

// StaticOwner returns whose static code code is; a code that is no
// merchant's is ErrPayloadUnknown.
func (s *Service) StaticOwner(ctx context.Context, code string) (StaticOwner, error) {
	m, livemode, err := s.merchantByStaticCode(ctx, code)
	if err != nil {
		return StaticOwner{}, err
	}
	return StaticOwner{MerchantName: m.Name, Livemode: livemode}, nil
}

func (s *Service) staticCode(ctx context.Context, p merchant.Principal) (merchant.Merchant, string, error) {
	m, err := s.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return m, "", err
	}
	code, err := s.merchants.StaticCode(ctx, p.MerchantID, p.Livemode)
	return m, code, err
}

// merchantByStaticCode finds the owner of a static code, as a scan does:
// a code that is no merchant's is ErrPayloadUnknown.
func (s *Service) merchantByStaticCode(ctx context.Context, code string) (merchant.Merchant, bool, error) {
	if !IsStaticCode(code) {
		return merchant.Merchant{}, false, ErrPayloadUnknown
	}
	m, livemode, err := s.merchants.ByStaticCode(ctx, code)
	if e, ok := scanpay.ErrorOf(err); ok && e.Kind == scanpay.KindNotFound {
		return m, false, ErrPayloadUnknown
	}
	return m, livemode, err
}

func (s *Service) staticPayloadURL(code string) string { return s.cfg.BaseURL + "/q/" + code }

// staticPayloadEMVCo is the EMVCo form of a static code: point of
// initiation 11 (static: shown for many payments), the merchant's currency
// and no amount (data object 54 left out), which the payer types.
func (s *Service) staticPayloadEMVCo(m merchant.Merchant, code string) (string, error) {
	cur, ok := scanpay.LookupCurrency(countryCurrency[m.Country])
	if !ok {
		return "", errors.New("the merchant's country has no currency for an EMVCo static code; use the url format")
	}
	p, err := s.emvco(m, code)
	if err != nil {
		return "", err
	}
	p.PointOfInitiation = "11"
	p.Currency = cur.Numeric
	return p.Encode()
}

// scanStatic is the preview of a static code: whose it is, and that the
// payer must give the amount. currency is the numeric currency an EMVCo
// payload names, "" for the URL form.
func (s *Service) scanStatic(ctx context.Context, code, currency string) (Preview, error) {
	m, livemode, err := s.merchantByStaticCode(ctx, code)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Object: "order_preview", Livemode: livemode, MerchantName: m.Name, AmountRequired: true,
		Coupons: []CouponOffer{}, Claimable: []ClaimOffer{}, Cashback: []CashbackOffer{}}
	if currency != "" {
		cur, ok := scanpay.CurrencyByNumeric(currency)
		if !ok {
			return Preview{}, ErrPayloadInvalid.WithMessage("the payload's currency %s is not one Scanpay knows", currency)
		}
		p.Currency = cur.Code
	}
	return p, nil
}

// payStatic pays a merchant's static code: it makes an order of the
// amount the payer gave, recorded as coming from the static code, and pays
// it in the same one transaction, with the PIN, coupon and cashback rules
// of every payment, within the payer's daily allowance for static codes
// (ErrStaticQRLimitExceeded). Bad input is an invalid-parameter error
// naming the field; a static code that is no merchant's is
// ErrPayloadUnknown; the payload of an order is refused, naming payload.
func (s *Service) payStatic(ctx context.Context, walletID string, p PayParams) (Payment, error) {
	if p.Payload == "" {
		return Payment{}, scanpay.Missing("payload")
	}
	cur, err := OrderParams{Amount: p.Amount, Currency: p.Currency}.validate(s.cfg.MaxAmount)
	if err != nil {
		return Payment{}, err
	}
	code, _, currency, err := s.codeOf(p.Payload)
	if err != nil {
		return Payment{}, err
	}
	if !IsStaticCode(code) {
		return Payment{}, scanpay.Invalid("payload", "the payload is an order's code, whose amount is fixed: scan it and pay the order")
	}
	if currency != "" && currency != cur.Numeric {
		want, _ := scanpay.CurrencyByNumeric(currency)
		return Payment{}, scanpay.Invalid("currency", "this code takes %s, not %s", want.Code, cur.Code)
	}
	m, livemode, err := s.merchantByStaticCode(ctx, code)
	if err != nil {
		return Payment{}, err
	}
	pinVerified, err := s.checkPIN(ctx, walletID, p.PIN)
	if err != nil {
		return Payment{}, err
	}
	now := s.now()
	row := s.newOrder(merchant.Principal{MerchantID: m.ID, Livemode: livemode}, m, cur, *p.Amount, SourceStaticQR, now)
	// The order is paid as it is made; its life only has to outlast the
	// transaction. Its QR is the code the payer scanned.
	row.ExpiresAt = now.Add(DefaultExpiresIn * time.Second)
	row.QRPayload = s.staticPayloadURL(code)
	if currency != "" {
		row.QRFormat = QRFormatEMVCo
		if row.QRPayload, err = s.staticPayloadEMVCo(m, code); err != nil {
			return Payment{}, err
		}
	}
	return s.pay(ctx, walletID, row.ID, &row, p.Coupon, pinVerified)
}
