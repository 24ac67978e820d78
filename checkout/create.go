package checkout

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Limits on what an order may carry.
const (
	MinExpiresIn      = 60
	MaxExpiresIn      = 86400
	DefaultExpiresIn  = 900
	maxDescriptionLen = 500
	maxReferenceLen   = 64
	maxMetadataKeys   = 20
	maxMetadataKeyLen = 40
	maxMetadataValLen = 500
	qrCodeBytes       = 12 // 96 bits: unguessable, and short enough to keep the QR small
	QRFormatURL       = "url"
	QRFormatEMVCo     = "emvco"
)

// ErrReferenceExists is a second order with a merchant's own reference.
var ErrReferenceExists = &scanpay.Error{Kind: scanpay.KindConflict, Code: "reference_already_exists", Param: "reference",
	Message: "an order with this reference already exists"}

// OrderParams is a request to create an order. Pointers tell "not given"
// from zero.
type OrderParams struct {
	Amount      *int64            `json:"amount"`
	Currency    string            `json:"currency"`
	Description string            `json:"description"`
	Reference   string            `json:"reference"`
	ExpiresIn   *int64            `json:"expires_in"`
	QRFormat    string            `json:"qr_format"`
	Metadata    map[string]string `json:"metadata"`
}

// CreateOrder validates p and stores a pending order with its QR payload.
// Nothing is stored when any field is wrong.
func (s *Service) CreateOrder(ctx context.Context, p merchant.Principal, params OrderParams) (Order, error) {
	cur, err := params.validate(s.cfg.MaxAmount)
	if err != nil {
		return Order{}, err
	}
	m, err := s.merchants.Get(ctx, p.MerchantID)
	if err != nil {
		return Order{}, err
	}
	now := s.now()
	expiresIn := int64(DefaultExpiresIn)
	if params.ExpiresIn != nil {
		expiresIn = *params.ExpiresIn
	}
	row := s.newOrder(p, m, cur, *params.Amount, SourceAPI, now)
	row.Description, row.ExpiresAt = params.Description, now.Add(time.Duration(expiresIn)*time.Second)
	if params.Metadata != nil {
		meta, _ := json.Marshal(params.Metadata)
		row.Metadata = string(meta)
	}
	if params.QRFormat != "" {
		row.QRFormat = params.QRFormat
	}
	if params.Reference != "" {
		row.Reference = &params.Reference
	}
	if row.QRPayload, err = s.payload(row, m, cur); err != nil {
		return Order{}, err
	}
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Order, error) {
		return s.merchantView(row, now), storage.DeferInsert(tx, &row, referenceTaken)
	})
}

// newOrder is a pending order of amount for the merchant, made now, with a
// QR code in the URL format, no payload yet, and a client secret; the
// caller sets the rest.
func (s *Service) newOrder(p merchant.Principal, m merchant.Merchant, cur scanpay.Currency, amount int64, source string, now time.Time) orderRow {
	id := scanpay.NewID("ord")
	return orderRow{
		ID: id, MerchantID: p.MerchantID, Livemode: p.Livemode, Status: StatusPending, Amount: amount, Currency: cur.Code,
		MerchantName: m.Name, FeeRateBPS: m.FeeRateBPS, Metadata: "{}", QRFormat: QRFormatURL,
		QRCode: scanpay.RandomToken(qrCodeBytes), ClientSecret: s.newClientSecret(id), Source: source,
		CreatedAt: now, UpdatedAt: now,
	}
}

// referenceTaken names the failure of an order's insert on the unique
// (merchant, mode, reference).
func referenceTaken(err error) error {
	if storage.IsUniqueViolationOn(err, "orders") {
		return ErrReferenceExists
	}
	return nil
}

func (p OrderParams) validate(maxAmount int64) (scanpay.Currency, error) {
	var cur scanpay.Currency
	switch {
	case p.Amount == nil:
		return cur, scanpay.Missing("amount")
	case *p.Amount <= 0:
		return cur, scanpay.Invalid("amount", "amount must be a positive integer in the currency's minor unit")
	case *p.Amount > maxAmount:
		return cur, scanpay.Invalid("amount", "amount must be at most %d", maxAmount)
	case p.Currency == "":
		return cur, scanpay.Missing("currency")
	}
	cur, ok := scanpay.LookupCurrency(p.Currency)
	if !ok {
		if _, lower := scanpay.LookupCurrency(strings.ToUpper(p.Currency)); lower {
			return cur, scanpay.Invalid("currency", "currency must be upper case: %q", strings.ToUpper(p.Currency))
		}
		return cur, scanpay.Invalid("currency", "unknown or unsupported currency %q", p.Currency)
	}
	if err := scanpay.CheckText("description", p.Description, maxDescriptionLen); err != nil {
		return cur, err
	}
	if err := scanpay.CheckText("reference", p.Reference, maxReferenceLen); err != nil {
		return cur, err
	}
	if p.ExpiresIn != nil && (*p.ExpiresIn < MinExpiresIn || *p.ExpiresIn > MaxExpiresIn) {
		return cur, scanpay.Invalid("expires_in", "expires_in must be between %d and %d seconds", MinExpiresIn, MaxExpiresIn)
	}
	if p.QRFormat != "" && p.QRFormat != QRFormatURL && p.QRFormat != QRFormatEMVCo {
		return cur, scanpay.Invalid("qr_format", "qr_format must be %q or %q", QRFormatURL, QRFormatEMVCo)
	}
	if len(p.Metadata) > maxMetadataKeys {
		return cur, scanpay.Invalid("metadata", "metadata may hold at most %d keys", maxMetadataKeys)
	}
	for k, v := range p.Metadata {
		if k == "" || scanpay.CheckText("metadata", k, maxMetadataKeyLen) != nil {
			return cur, scanpay.Invalid("metadata", "metadata keys must be 1 to %d characters of text without control characters", maxMetadataKeyLen)
		}
		if err := scanpay.CheckText("metadata."+k, v, maxMetadataValLen); err != nil {
			return cur, err
		}
	}
	return cur, nil
}
