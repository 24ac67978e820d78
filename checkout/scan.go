package checkout

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout/qr"
	"gorm.io/gorm"
)

// Scan errors: a payload that is broken, and one that is not ours.
var (
	ErrPayloadInvalid = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "payload_invalid", Param: "payload",
		Message: "the payload is not a well-formed QR payment code"}
	ErrPayloadUnrecognized = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "payload_unrecognized", Param: "payload",
		Message: "the payload is not a Scanpay payment code"}
	ErrPayloadUnknown = &scanpay.Error{Kind: scanpay.KindNotFound, Code: "payload_unknown", Param: "payload",
		Message: "no order has this code"}
)

// Preview is what a wallet shows the payer before they confirm. A
// merchant's static code has no order: AmountRequired says the payer
// types the amount (and, unless Currency is given, picks the currency),
// and Order, Status, Amount and ExpiresAt are left out.
type Preview struct {
	Object         string     `json:"object"`
	Order          string     `json:"order,omitempty"`
	Livemode       bool       `json:"livemode"`
	Status         Status     `json:"status,omitempty"`
	MerchantName   string     `json:"merchant_name"`
	AmountRequired bool       `json:"amount_required"`
	Amount         int64      `json:"amount,omitempty"`
	Currency       string     `json:"currency,omitempty"`
	Description    string     `json:"description"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	// Coupons are the payer's coupons this order can use, best first;
	// Claimable the campaigns they could take one from.
	Coupons   []CouponOffer `json:"coupons"`
	Claimable []ClaimOffer  `json:"claimable"`
	// Cashback is what paying would earn back, and when.
	Cashback []CashbackOffer `json:"cashback"`
}

// Scan resolves the text of a scanned QR code, in either format, to the
// order it asks the wallet to pay, with the coupons it could use, or to
// the merchant whose static code it is.
func (s *Service) Scan(ctx context.Context, walletID, payload string) (Preview, error) {
	payload = strings.TrimSpace(payload)
	if payload == "" {
		return Preview{}, scanpay.Missing("payload")
	}
	code, amount, currency, err := s.codeOf(payload)
	if err != nil {
		return Preview{}, err
	}
	if IsStaticCode(code) {
		return s.scanStatic(ctx, code, currency)
	}
	// Only text shaped like a code we issue is looked up: a stray byte
	// from a URL's escapes never reaches a query.
	if !scanpay.IsToken(code, qrCodeBytes) {
		return Preview{}, ErrPayloadUnknown
	}
	var row orderRow
	err = s.db.WithContext(ctx).Where("qr_code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Preview{}, ErrPayloadUnknown
	}
	if err != nil {
		return Preview{}, err
	}
	now := s.now()
	o := row.public(now)
	// An EMVCo payload carries the amount in clear; one that disagrees
	// with the order was altered, and the payer must not see it.
	if currency != "" {
		cur, ok := scanpay.CurrencyByNumeric(currency)
		if !ok || cur.Code != o.Currency {
			return Preview{}, ErrPayloadInvalid.WithMessage("the payload's currency %s is not the order's", currency)
		}
		minor, ok := cur.ParseMajor(amount)
		if !ok {
			return Preview{}, ErrPayloadInvalid.WithMessage("the payload's amount %q is not a %s amount (at most %d decimals)", amount, cur.Code, cur.Exponent)
		}
		if minor != o.Amount {
			return Preview{}, ErrPayloadInvalid.WithMessage("the payload's amount does not match its order")
		}
	}
	p := Preview{Object: "order_preview", Order: o.ID, Livemode: o.Livemode, Status: o.Status,
		MerchantName: o.MerchantName, Amount: o.Amount, Currency: o.Currency, Description: o.Description,
		ExpiresAt: &o.ExpiresAt, Coupons: []CouponOffer{}, Claimable: []ClaimOffer{}, Cashback: []CashbackOffer{}}
	if o.Status == StatusPending {
		if p.Coupons, p.Claimable, err = s.offers(ctx, walletID, row, now); err != nil {
			return Preview{}, err
		}
		if p.Cashback, err = s.cashbackOffers(ctx, row, now); err != nil {
			return Preview{}, err
		}
	}
	return p, nil
}

// codeOf finds the order code in a payload: the last path segment of our
// /q/ URL, or the code in an EMVCo payload's Scanpay template, with the
// amount and numeric currency the EMVCo payload states.
func (s *Service) codeOf(payload string) (code, amount, currency string, err error) {
	if strings.HasPrefix(payload, "http://") || strings.HasPrefix(payload, "https://") {
		u, perr := url.Parse(payload)
		base, _ := url.Parse(s.cfg.BaseURL)
		if perr != nil || base == nil || !strings.EqualFold(u.Host, base.Host) {
			return "", "", "", ErrPayloadUnrecognized
		}
		code, ok := strings.CutPrefix(u.Path, strings.TrimSuffix(base.Path, "/")+"/q/")
		if !ok || code == "" || strings.Contains(code, "/") {
			return "", "", "", ErrPayloadUnrecognized
		}
		return code, "", "", nil
	}
	p, err := qr.ParseEMVCo(payload)
	var fe *qr.FormatError
	if errors.As(err, &fe) {
		return "", "", "", ErrPayloadInvalid.WithMessage("%s", fe.Error())
	}
	if err != nil {
		return "", "", "", err
	}
	if p.MerchantAccount.GUID != s.cfg.QRGUID || p.MerchantAccount.Code == "" {
		return "", "", "", ErrPayloadUnrecognized
	}
	return p.MerchantAccount.Code, p.Amount, p.Currency, nil
}
