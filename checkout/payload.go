package checkout

import (
	"strings"
	"unicode/utf8"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/merchant"
)

// payload is the text an order's QR code holds, in the order's format.
func (s *Service) payload(r orderRow, m merchant.Merchant, cur scanpay.Currency) (string, error) {
	if r.QRFormat == QRFormatURL {
		return s.cfg.BaseURL + "/q/" + r.QRCode, nil
	}
	p := qr.EMVCo{
		PointOfInitiation: "12", // dynamic: this code is for one order only
		MerchantAccount:   qr.MerchantAccount{GUID: s.cfg.QRGUID, Code: r.QRCode},
		MCC:               m.MCC,
		Currency:          cur.Numeric,
		Amount:            cur.FormatMajor(r.Amount),
		Country:           m.Country,
		MerchantName:      asciiField(m.Name, 25, "Merchant"),
		MerchantCity:      asciiField(m.City, 15, "City"),
		ReferenceLabel:    r.QRCode,
	}
	if r.Reference != nil && isPrintableASCII(*r.Reference) && len(*r.Reference) <= 25 {
		p.ReferenceLabel = *r.Reference
	}
	// Tags 59 and 60 only take ASCII; a name in another script travels in
	// the language template so wallets can still show it.
	if !isPrintableASCII(m.Name) || !isPrintableASCII(m.City) {
		p.AltLanguage = qr.AltLanguage{Language: "ZH", MerchantName: truncateRunes(m.Name, 25), MerchantCity: truncateRunes(m.City, 15)}
	}
	return p.Encode()
}

// asciiField keeps the printable ASCII of v, cut to max bytes, or
// fallback when nothing is left.
func asciiField(v string, max int, fallback string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= ' ' && r <= '~' && b.Len() < max {
			b.WriteRune(r)
		}
	}
	if out := strings.TrimSpace(b.String()); out != "" {
		return out
	}
	return fallback
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
