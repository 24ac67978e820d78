package checkout

import (
	"strings"
	"unicode"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/merchant"
)

// errNoLatinName is an EMVCo order for a merchant, made before Latin names
// were kept, whose name has nothing to transliterate: its code would have
// nothing to put in data object 59.
var errNoLatinName = scanpay.Invalid("qr_format",
	"the merchant has no Latin name for EMVCo codes (merchant create --name-latin); use qr_format url")

// payload is the text an order's QR code holds, in the order's format.
func (s *Service) payload(r orderRow, m merchant.Merchant, cur scanpay.Currency) (string, error) {
	if r.QRFormat == QRFormatURL {
		return s.cfg.BaseURL + "/q/" + r.QRCode, nil
	}
	p, err := s.emvco(m, r.QRCode)
	if err != nil {
		return "", err
	}
	p.PointOfInitiation = "12" // dynamic: this code is for one order only
	p.Currency, p.Amount = cur.Numeric, cur.FormatMajor(r.Amount)
	p.ReferenceLabel = r.QRCode
	if r.Reference != nil && scanpay.IsPrintableASCII(*r.Reference) && len(*r.Reference) <= 25 {
		p.ReferenceLabel = *r.Reference
	}
	return p.Encode()
}

// emvco is the part of an EMVCo payload that names the merchant and, in
// Scanpay's template, code: the merchant's in every field it has.
func (s *Service) emvco(m merchant.Merchant, code string) (qr.EMVCo, error) {
	if m.NameLatin == "" || m.CityLatin == "" {
		return qr.EMVCo{}, errNoLatinName
	}
	p := qr.EMVCo{
		MerchantAccount: qr.MerchantAccount{GUID: s.cfg.QRGUID, Code: code},
		MCC:             m.MCC,
		Country:         m.Country,
		MerchantName:    m.NameLatin,
		MerchantCity:    m.CityLatin,
	}
	// Tags 59 and 60 only take ASCII; a name in another script travels in
	// the language template too, so wallets that read it show the original.
	if lang := language(m.Name + m.City); lang != "" {
		p.AltLanguage = qr.AltLanguage{Language: lang, MerchantName: altText(m.Name, 25), MerchantCity: altText(m.City, 15)}
		if p.AltLanguage.MerchantName == "" {
			p.AltLanguage = qr.AltLanguage{}
		}
	}
	return p, nil
}

// language names, for template 64, the language a merchant's name is
// written in, judged by its script; "" for a name in Latin letters or one
// whose language the script does not tell.
func language(s string) string {
	lang := ""
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			return "JA" // kanji alone would pass for Chinese
		case unicode.Is(unicode.Hangul, r):
			return "KO"
		case unicode.Is(unicode.Thai, r):
			lang = "TH"
		case unicode.Is(unicode.Han, r) && lang == "":
			lang = "ZH"
		}
	}
	return lang
}

// altText keeps what template 64 can carry of s, at most max characters:
// no character outside the Basic Multilingual Plane (see qr's checkText).
func altText(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r <= 0xFFFF && n < max {
			b.WriteRune(r)
			n++
		}
	}
	return strings.TrimSpace(b.String())
}
