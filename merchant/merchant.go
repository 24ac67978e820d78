// Package merchant holds merchants, their API keys and fee plans.
package merchant

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Merchant is a business that takes payments through the gateway.
type Merchant struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Name    string `json:"name"`
	Country string `json:"country"`
	City    string `json:"city"`
	// NameLatin and CityLatin are the name and city in printable ASCII,
	// for the EMVCo fields that take nothing else: given by the merchant,
	// or transliterated from Name and City (see Latin).
	NameLatin string `json:"name_latin"`
	CityLatin string `json:"city_latin"`
	MCC       string `json:"mcc"`
	// FeeRateBPS is the merchant's fee plan, in basis points of a payment.
	FeeRateBPS int `json:"fee_rate_bps"`
	// How the merchant is settled and paid (see UpdateSettings): its
	// business days are calendar days in Timezone, each settled
	// SettlementDelayDays after it ends, and PayoutSchedule is daily or
	// manual.
	SettlementDelayDays int       `json:"settlement_delay_days"`
	Timezone            string    `json:"timezone"`
	PayoutSchedule      string    `json:"payout_schedule"`
	CreatedAt           time.Time `json:"created_at"`

	// The static codes of the two modes (see StaticCode); empty for a
	// merchant made before them that has not used one yet.
	staticCodeTest, staticCodeLive string
}

// CreateParams describe a new merchant. Country, City and MCC appear in
// EMVCo QR codes; empty ones take defaults. NameLatin and CityLatin, when
// given, are what those codes show where only ASCII fits; empty ones are
// transliterated from Name and City.
type CreateParams struct {
	Name      string
	NameLatin string
	Country   string
	City      string
	CityLatin string
	MCC       string
}

// Service creates and finds merchants and authenticates their keys. It
// caches keys and merchants for CacheTTL.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	keys      *cache[string, keyRow] // by the key's hash
	merchants *cache[string, Merchant]
	codes     *cache[string, codeOwner] // by static code
}

// NewService returns a Service on db; now is the clock (UTC).
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, keys: newCache[string, keyRow](), merchants: newCache[string, Merchant](),
		codes: newCache[string, codeOwner]()}
}

type merchantRow struct {
	ID                  string
	Name                string
	NameLatin           string
	Country             string
	City                string
	CityLatin           string
	MCC                 string `gorm:"column:mcc"`
	FeeRateBPS          int    `gorm:"column:fee_rate_bps"`
	SettlementDelayDays int
	Timezone            string
	PayoutSchedule      string
	// StaticCodeTest and StaticCodeLive are NULL until the merchant has one.
	StaticCodeTest *string
	StaticCodeLive *string
	CreatedAt      time.Time
}

func (merchantRow) TableName() string { return "merchants" }

func (r merchantRow) toMerchant() Merchant {
	// Merchants made before the Latin forms were stored have none.
	if r.NameLatin == "" {
		r.NameLatin = Latin(r.Name, MaxNameLatin)
	}
	if r.CityLatin == "" {
		r.CityLatin = Latin(r.City, MaxCityLatin)
	}
	m := Merchant{ID: r.ID, Object: "merchant", Name: r.Name, NameLatin: r.NameLatin, Country: r.Country, City: r.City,
		CityLatin: r.CityLatin, MCC: r.MCC, FeeRateBPS: r.FeeRateBPS, SettlementDelayDays: r.SettlementDelayDays,
		Timezone: r.Timezone, PayoutSchedule: r.PayoutSchedule, CreatedAt: r.CreatedAt}
	if r.StaticCodeTest != nil {
		m.staticCodeTest = *r.StaticCodeTest
	}
	if r.StaticCodeLive != nil {
		m.staticCodeLive = *r.StaticCodeLive
	}
	return m
}

// Create makes a merchant, with its static codes, and its first test-mode
// secret key, in one transaction. The secret is returned once and never stored. Invalid
// params are a scanpay.KindInvalid error naming the field: name_latin or
// city_latin when one was given outside printable ASCII or its length, or
// when none was given and the name or city has nothing to transliterate.
func (s *Service) Create(ctx context.Context, p CreateParams) (Merchant, string, error) {
	row, err := p.validate()
	if err != nil {
		return Merchant{}, "", err
	}
	row.ID = scanpay.NewID("mch")
	row.CreatedAt = s.now()
	test, live := newStaticCode(), newStaticCode()
	row.StaticCodeTest, row.StaticCodeLive = &test, &live
	var secret string
	err = storage.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		_, secret, err = createKey(tx, row.ID, false, row.CreatedAt)
		return err
	})
	if err != nil {
		return Merchant{}, "", err
	}
	return row.toMerchant(), secret, nil
}

// Get returns the merchant with id, or a not-found error. What it read is
// kept for CacheTTL.
func (s *Service) Get(ctx context.Context, id string) (Merchant, error) {
	now := s.now()
	if m, ok := s.merchants.get(id, now); ok {
		return m, nil
	}
	var row merchantRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Merchant{}, scanpay.NotFound("merchant", id)
	}
	if err != nil {
		return Merchant{}, err
	}
	m := row.toMerchant()
	s.merchants.put(id, m, now)
	return m, nil
}

func (p CreateParams) validate() (merchantRow, error) {
	r := merchantRow{
		Name:    strings.TrimSpace(p.Name),
		Country: strings.ToUpper(strings.TrimSpace(p.Country)),
		City:    strings.TrimSpace(p.City),
		MCC:     strings.TrimSpace(p.MCC),
	}
	if r.Country == "" {
		r.Country = "CN"
	}
	if r.City == "" {
		r.City = "Shanghai"
	}
	if r.MCC == "" {
		r.MCC = "5999"
	}
	r.FeeRateBPS = DefaultFeeRateBPS
	r.SettlementDelayDays, r.Timezone, r.PayoutSchedule = DefaultSettlementDelayDays, DefaultTimezone, PayoutDaily
	switch {
	case r.Name == "":
		return r, scanpay.Missing("name")
	case utf8.RuneCountInString(r.Name) > 100:
		return r, scanpay.Invalid("name", "name is longer than 100 characters")
	case len(r.Country) != 2 || !isUpperAlpha(r.Country):
		return r, scanpay.Invalid("country", "country must be an ISO 3166 two-letter code")
	case utf8.RuneCountInString(r.City) > 50:
		return r, scanpay.Invalid("city", "city is longer than 50 characters")
	case len(r.MCC) != 4 || !scanpay.IsDigits(r.MCC):
		return r, scanpay.Invalid("mcc", "mcc must be a four-digit merchant category code")
	}
	for _, f := range []struct{ param, v string }{{"name", r.Name}, {"city", r.City}} {
		if err := scanpay.CheckText(f.param, f.v, 100); err != nil {
			return r, err
		}
	}
	var err error
	if r.NameLatin, err = latinForm("name", r.Name, p.NameLatin, MaxNameLatin); err != nil {
		return r, err
	}
	if r.CityLatin, err = latinForm("city", r.City, p.CityLatin, MaxCityLatin); err != nil {
		return r, err
	}
	return r, nil
}

// latinForm checks the Latin form of field the merchant gave, or
// transliterates value when it gave none.
func latinForm(field, value, given string, max int) (string, error) {
	param := field + "_latin"
	given = strings.TrimSpace(given)
	switch {
	case given == "":
		if latin := Latin(value, max); latin != "" {
			return latin, nil
		}
		return "", scanpay.Invalid(param, "%s is required: %s %q has no letters that EMVCo QR codes can show (printable ASCII, at most %d characters)", param, field, value, max)
	case !scanpay.IsPrintableASCII(given):
		return "", scanpay.Invalid(param, "%s must be printable ASCII (letters, digits, spaces, punctuation)", param)
	case len(given) > max:
		return "", scanpay.Invalid(param, "%s is %d characters long; at most %d fit in an EMVCo QR code", param, len(given), max)
	}
	return given, nil
}

func isUpperAlpha(s string) bool {
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
