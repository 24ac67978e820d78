// Package qr encodes and parses EMVCo QR payment payloads and renders QR codes as PNG, SVG and terminal text.
package qr

import (
	"strconv"
	"unicode/utf8"
)

// EMVCo is an EMVCo Merchant-Presented Mode payload: the subset of data
// objects Scanpay writes, by field. The number after each field name is its
// EMVCo ID; an empty optional field is left out of the payload.
type EMVCo struct {
	// PointOfInitiation (01) is "11" for a static code shown for many
	// payments, "12" for a dynamic code made for one order, or "".
	PointOfInitiation string
	// MerchantAccount (26) names the scheme and, for Scanpay, the order.
	// It is left out when empty: a payload of another scheme carries its
	// account in another template (02 to 51), which this type drops.
	MerchantAccount MerchantAccount
	// MCC (52) is the ISO 18245 merchant category code: 4 digits.
	MCC string
	// Currency (53) is the ISO 4217 numeric code: 3 digits, "156" for CNY.
	Currency string
	// Amount (54) is in major units, formatted by the caller ("12.50",
	// "1250"), because only the caller knows the currency's exponent: up to
	// 13 characters, digits and at most one '.'. Empty for a static code
	// where the payer types the amount.
	Amount string
	// Country (58) is the ISO 3166-1 alpha-2 code, upper case: "CN".
	Country string
	// MerchantName (59): 1 to 25 printable ASCII characters.
	MerchantName string
	// MerchantCity (60): 1 to 15 printable ASCII characters.
	MerchantCity string
	// ReferenceLabel (62.05): up to 25 printable ASCII characters.
	ReferenceLabel string
	// AltLanguage (64) carries the merchant's name in its own script, since
	// 59 and 60 only take ASCII. Its lengths count characters, so
	// "0104蓝瓶咖啡" is four characters and twelve bytes.
	AltLanguage AltLanguage
}

// MerchantAccount is merchant account information template 26.
type MerchantAccount struct {
	// GUID (26.00) identifies the scheme that reads the rest of the
	// template, e.g. a reverse domain name: 1 to 32 printable ASCII.
	GUID string
	// Code (26.01) is the scheme's reference to the payee; for Scanpay the
	// order's QR code. Printable ASCII; the template must stay within 99
	// characters.
	Code string
}

func (a MerchantAccount) subFields() []subField {
	return []subField{{"00", a.GUID}, {"01", a.Code}}
}

// AltLanguage is the merchant information language template 64. All of it
// is left out when every field is empty.
type AltLanguage struct {
	// Language (64.00) is the ISO 639 two-letter code, e.g. "ZH".
	Language string
	// MerchantName (64.01): 1 to 25 UTF-8 characters.
	MerchantName string
	// MerchantCity (64.02): up to 15 UTF-8 characters.
	MerchantCity string
}

// Encode returns the payload: data objects in ascending ID order, starting
// with payload format indicator 00 = "01" and ending with CRC 63. It returns
// a *FormatError naming the first field that is missing or out of limits.
func (p EMVCo) Encode() (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	b := make([]byte, 0, 256)
	b = appendTLV(b, "00", "01")
	b = appendTLV(b, "01", p.PointOfInitiation)
	b = appendTemplate(b, "26", p.MerchantAccount.subFields()...)
	b = appendTLV(b, "52", p.MCC)
	b = appendTLV(b, "53", p.Currency)
	b = appendTLV(b, "54", p.Amount)
	b = appendTLV(b, "58", p.Country)
	b = appendTLV(b, "59", p.MerchantName)
	b = appendTLV(b, "60", p.MerchantCity)
	b = appendTemplate(b, "62", subField{"05", p.ReferenceLabel})
	b = appendTemplate(b, "64",
		subField{"00", p.AltLanguage.Language},
		subField{"01", p.AltLanguage.MerchantName},
		subField{"02", p.AltLanguage.MerchantCity})
	// The CRC covers its own ID and length.
	b = append(b, "6304"...)
	crc := CRC16(b)
	const hex = "0123456789ABCDEF"
	b = append(b, hex[crc>>12], hex[crc>>8&0xF], hex[crc>>4&0xF], hex[crc&0xF])
	return string(b), nil
}

// ParseEMVCo reads a payload. It checks the structure (00 = "01" first, 63
// last, every ID and length two digits, no value running past the end of
// the payload or of its template), then the CRC (hex in either case), then
// every field against the limits Encode applies, so whatever it returns
// encodes again. Data objects the specification defines but this type has
// no field for (other schemes' accounts in 02 to 25 and 27 to 51, tip and
// fee fields, unknown sub-objects) pass the same structural checks, inside
// templates too, and are dropped, so a payload of another scheme parses
// with an empty MerchantAccount. Lengths count characters and the CRC covers
// the UTF-8 bytes (see walk); s must be valid UTF-8. Every error is a
// *FormatError.
func ParseEMVCo(s string) (*EMVCo, error) {
	if !utf8.ValidString(s) {
		return nil, formatError("", ErrInvalid, "payload is not valid UTF-8")
	}
	var p EMVCo
	var last, sum string
	err := walk(s, "", func(id, v string) error {
		switch {
		case last == "" && id != "00":
			return formatError("00", ErrInvalid, "payload must start with data object 00, not %s", id)
		case last == "63":
			return formatError("63", ErrInvalid, "CRC must be the last data object, but %s follows it", id)
		}
		last = id
		switch id {
		case "00":
			if v != "01" {
				return formatError("00", ErrInvalid, "payload format indicator is %q, want \"01\"", v)
			}
		case "01":
			p.PointOfInitiation = v
		case "26":
			return walk(v, id, func(sub, v string) error {
				switch sub {
				case "00":
					p.MerchantAccount.GUID = v
				case "01":
					p.MerchantAccount.Code = v
				}
				return nil
			})
		case "52":
			p.MCC = v
		case "53":
			p.Currency = v
		case "54":
			p.Amount = v
		case "58":
			p.Country = v
		case "59":
			p.MerchantName = v
		case "60":
			p.MerchantCity = v
		case "62":
			return walk(v, id, func(sub, v string) error {
				if sub == "05" {
					p.ReferenceLabel = v
				}
				return nil
			})
		case "63":
			if n := utf8.RuneCountInString(v); n != 4 {
				return formatError("63", ErrLength, "CRC is %d characters, want 4", n)
			}
			sum = v
		case "64":
			return walk(v, id, func(sub, v string) error {
				switch sub {
				case "00":
					p.AltLanguage.Language = v
				case "01":
					p.AltLanguage.MerchantName = v
				case "02":
					p.AltLanguage.MerchantCity = v
				}
				return nil
			})
		default:
			if id >= "27" && id <= "51" {
				return walk(v, id, func(string, string) error { return nil })
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch last {
	case "":
		return nil, formatError("00", ErrInvalid, "payload is empty")
	case "63":
	default:
		return nil, formatError("63", ErrInvalid, "payload must end with CRC data object 63")
	}
	// 63 is last, so its value ends the payload.
	body := s[:len(s)-len(sum)]
	got, err := strconv.ParseUint(sum, 16, 16)
	if err != nil {
		return nil, formatError("63", ErrInvalid, "CRC %q is not 4 hex digits", sum)
	}
	if want := CRC16([]byte(body)); uint16(got) != want {
		return nil, formatError("63", ErrCRC, "CRC is %s, the payload's is %04X", sum, want)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// validate holds the field limits both Encode and ParseEMVCo apply.
func (p *EMVCo) validate() error {
	switch p.PointOfInitiation {
	case "", "11", "12":
	default:
		return formatError("01", ErrInvalid, "point of initiation is %q, want \"11\" or \"12\"", p.PointOfInitiation)
	}
	if acct := p.MerchantAccount; acct != (MerchantAccount{}) {
		if err := checkASCII("26.00", acct.GUID, 1, 32); err != nil {
			return err
		}
		if err := checkASCII("26.01", acct.Code, 0, 99); err != nil {
			return err
		}
		if n := templateLen(acct.subFields()...); n > 99 {
			return formatError("26", ErrLength, "template is %d characters, at most 99", n)
		}
	}
	if err := checkExact("52", p.MCC, 4, isDigit, "digits"); err != nil {
		return err
	}
	if err := checkExact("53", p.Currency, 3, isDigit, "digits"); err != nil {
		return err
	}
	if err := checkAmount(p.Amount); err != nil {
		return err
	}
	if err := checkExact("58", p.Country, 2, isUpper, "upper-case letters"); err != nil {
		return err
	}
	if err := checkASCII("59", p.MerchantName, 1, 25); err != nil {
		return err
	}
	if err := checkASCII("60", p.MerchantCity, 1, 15); err != nil {
		return err
	}
	if err := checkASCII("62.05", p.ReferenceLabel, 0, 25); err != nil {
		return err
	}
	alt := p.AltLanguage
	if alt == (AltLanguage{}) {
		return nil
	}
	if err := checkExact("64.00", alt.Language, 2, isLetter, "letters"); err != nil {
		return err
	}
	if err := checkText("64.01", alt.MerchantName, 1, 25); err != nil {
		return err
	}
	// With lengths in characters the template holds at most
	// 4+2 + 4+25 + 4+15 = 54 of them, well within 99.
	return checkText("64.02", alt.MerchantCity, 0, 15)
}

func checkAmount(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > 13 {
		return formatError("54", ErrLength, "amount is %d characters, at most 13", len(v))
	}
	dots := 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '.':
			dots++
		case !isDigit(v[i]):
			return formatError("54", ErrInvalid, "amount %q has a character other than digits and '.'", v)
		}
	}
	if dots > 1 || dots == len(v) {
		return formatError("54", ErrInvalid, "amount %q is not a decimal number", v)
	}
	return nil
}

// checkASCII checks an EMVCo "ans" value: printable ASCII, min to max bytes.
func checkASCII(field, v string, minLen, maxLen int) error {
	if err := checkLen(field, len(v), minLen, maxLen); err != nil {
		return err
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7E {
			return formatError(field, ErrInvalid, "byte %d (%#02x) is not printable ASCII", i, v[i])
		}
	}
	return nil
}

// checkText checks a UTF-8 value of template 64, whose limits count
// characters, not bytes. Characters outside the Basic Multilingual Plane
// (emoji, rare CJK) are refused: wallets written in Java or JavaScript
// count UTF-16 units, two for each of those, and would misread every
// length after one; inside the plane every count but bytes agrees.
func checkText(field, v string, minLen, maxLen int) error {
	if !utf8.ValidString(v) {
		return formatError(field, ErrInvalid, "is not valid UTF-8")
	}
	for _, r := range v {
		switch {
		case r < 0x20 || r >= 0x7F && r < 0xA0:
			return formatError(field, ErrInvalid, "has control character %U", r)
		case r > 0xFFFF:
			return formatError(field, ErrInvalid, "has %U, outside the Basic Multilingual Plane", r)
		}
	}
	return checkLen(field, utf8.RuneCountInString(v), minLen, maxLen)
}

// checkExact checks a fixed-length value of a single character class.
func checkExact(field, v string, n int, ok func(byte) bool, class string) error {
	if err := checkLen(field, len(v), n, n); err != nil {
		return err
	}
	for i := 0; i < len(v); i++ {
		if !ok(v[i]) {
			return formatError(field, ErrInvalid, "%q must be %d %s", v, n, class)
		}
	}
	return nil
}

func checkLen(field string, n, minLen, maxLen int) error {
	switch {
	case n == 0 && minLen > 0:
		return formatError(field, ErrLength, "is required")
	case n < minLen:
		return formatError(field, ErrLength, "is %d characters, at least %d", n, minLen)
	case n > maxLen:
		return formatError(field, ErrLength, "is %d characters, at most %d", n, maxLen)
	}
	return nil
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isLetter(c byte) bool { return isUpper(c) || 'a' <= c && c <= 'z' }
