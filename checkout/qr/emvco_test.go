package qr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseEMVCoPix(t *testing.T) {
	p, err := ParseEMVCo(pixExample)
	if err != nil {
		t.Fatalf("ParseEMVCo: %v", err)
	}
	want := EMVCo{
		MerchantAccount: MerchantAccount{GUID: "br.gov.bcb.pix", Code: "123e4567-e12b-12d1-a456-426655440000"},
		MCC:             "0000",
		Currency:        "986",
		Country:         "BR",
		MerchantName:    "Fulano de Tal",
		MerchantCity:    "BRASILIA",
		ReferenceLabel:  "***",
	}
	if *p != want {
		t.Fatalf("ParseEMVCo = %+v\nwant %+v", *p, want)
	}
	// The Pix example is in ascending order with nothing this type drops,
	// so our encoder must reproduce it byte for byte.
	if got := mustEncode(t, *p); got != pixExample {
		t.Errorf("Encode = %s\nwant     %s", got, pixExample)
	}
}

func TestParseEMVCoSpecExample(t *testing.T) {
	p, err := ParseEMVCo(specExample)
	if err != nil {
		t.Fatalf("ParseEMVCo: %v", err)
	}
	want := EMVCo{
		PointOfInitiation: "12",
		MCC:               "4111",
		Currency:          "156",
		Amount:            "23.72",
		Country:           "CN",
		MerchantName:      "BEST TRANSPORT",
		MerchantCity:      "BEIJING",
		AltLanguage:       AltLanguage{Language: "ZH", MerchantName: "最佳运输", MerchantCity: "北京"},
	}
	if *p != want {
		t.Fatalf("ParseEMVCo = %+v\nwant %+v", *p, want)
	}
	// Our encoder writes the same template 64, character for character.
	alt := appendTemplate(nil, "64", subField{"00", "ZH"}, subField{"01", "最佳运输"}, subField{"02", "北京"})
	if !strings.Contains(specExample, string(alt)) {
		t.Errorf("template 64 encodes as %s, which the specification's sample does not contain", alt)
	}
	// A wallet that counted bytes would read "0104最佳" and go astray: the
	// specification's CRC is over the UTF-8 bytes of character-counted
	// lengths.
	if got := CRC16([]byte(specExample[:len(specExample)-4])); got != 0xA13A {
		t.Errorf("CRC16 of the sample = %04X, want A13A", got)
	}
}

func TestParseEMVCoOtherEncoder(t *testing.T) {
	// A Cambodian code with a UnionPay account (15), from the README of an
	// EMVCo library for the JVM.
	const kh = "00020101021252044131153137210116372101160123456789ABCDE6016Banteay Meanchey5913Kuntheas Shop5802KH540510.005303840621201081234567863041FF2"
	_, err := ParseEMVCo(kh)
	// Its city is 16 characters, one more than EMVCo's 15: structure and
	// CRC pass, the field limit does not.
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Field != "60" || !errors.Is(err, ErrLength) {
		t.Fatalf("ParseEMVCo = %v, want field 60 too long", err)
	}
}

func TestParseEMVCoChangedDigit(t *testing.T) {
	changed := strings.Replace(pixExample, "52040000", "52040001", 1)
	_, err := ParseEMVCo(changed)
	if !errors.Is(err, ErrCRC) {
		t.Fatalf("MCC changed: err = %v, want ErrCRC", err)
	}
	// Whatever digit changes, an ID, a length or a value, the payload must
	// be refused.
	for i := 0; i < len(pixExample)-4; i++ {
		c := pixExample[i]
		if !isDigit(c) {
			continue
		}
		mutated := pixExample[:i] + string('0'+(c-'0'+1)%10) + pixExample[i+1:]
		if _, err := ParseEMVCo(mutated); err == nil {
			t.Errorf("digit %d changed: %s parsed", i, mutated)
		}
	}
}

func TestEMVCoRoundTrip(t *testing.T) {
	static := EMVCo{
		PointOfInitiation: "11",
		MerchantAccount:   MerchantAccount{GUID: "io.scanpay"},
		MCC:               "5814",
		Currency:          "392",
		Country:           "JP",
		MerchantName:      "Kissa",
		MerchantCity:      "Tokyo",
	}
	noAlt := sampleEMVCo()
	noAlt.AltLanguage = AltLanguage{}
	noAlt.Amount = "1250"
	altNoCity := sampleEMVCo()
	altNoCity.AltLanguage.MerchantCity = ""

	for name, p := range map[string]EMVCo{"full": sampleEMVCo(), "static": static, "no alt": noAlt, "alt without city": altNoCity} {
		t.Run(name, func(t *testing.T) {
			s := mustEncode(t, p)
			got, err := ParseEMVCo(s)
			if err != nil {
				t.Fatalf("ParseEMVCo(%s): %v", s, err)
			}
			if *got != p {
				t.Errorf("round trip of %s\n got %+v\nwant %+v", s, *got, p)
			}
		})
	}
}

func TestEncodeLayout(t *testing.T) {
	s := mustEncode(t, sampleEMVCo())
	want := "000201" + "010212" +
		"2638" + "0010io.scanpay" + "0120" + "0123456789abcdefghjk" +
		"52045814" + "5303156" + "540512.50" + "5802CN" +
		"5918Blue Bottle Coffee" + "6008Shanghai" + "62100506A-1001" +
		"6420" + "0002ZH" + "0104蓝瓶咖啡" + "0202上海" + "6304"
	if !strings.HasPrefix(s, want) || len(s) != len(want)+4 {
		t.Fatalf("Encode = %s\nwant   %sXXXX", s, want)
	}
	if sum := s[len(s)-4:]; sum != strings.ToUpper(sum) {
		t.Errorf("CRC %s is not upper-case hex", sum)
	}
}

func TestParseEMVCoErrors(t *testing.T) {
	account := tlv("26", tlv("00", "io.scanpay")+tlv("01", "abcd"))
	rest := tlv("52", "5814") + tlv("53", "156") + tlv("58", "CN") + tlv("59", "Cafe") + tlv("60", "Shanghai")
	base := tlv("00", "01") + account + rest
	good := withCRC(base)
	badCRC := good[:len(good)-4] + "0000"
	if good[len(good)-4:] == "0000" {
		badCRC = good[:len(good)-4] + "0001"
	}
	if sum := good[len(good)-4:]; strings.ToLower(sum) == sum {
		t.Fatalf("CRC %s has no hex letters, so the lower-case case proves nothing; change the fixture", sum)
	}

	tests := []struct {
		name    string
		payload string
		field   string
		kind    error // nil when the payload must parse
	}{
		{"valid", good, "", nil},
		{"lower-case CRC", good[:len(good)-4] + strings.ToLower(good[len(good)-4:]), "", nil},
		{"empty", "", "00", ErrInvalid},
		{"00 not first", withCRC(tlv("01", "12") + base), "00", ErrInvalid},
		{"00 not 01", withCRC(tlv("00", "02") + account + rest), "00", ErrInvalid},
		{"header cut short", base + "630", "", ErrTruncated},
		{"length runs past the end", tlv("00", "01") + "5920Cafe", "59", ErrTruncated},
		{"CRC length runs past the end", base + "6305ABCD", "63", ErrTruncated},
		{"non-digit length", "00A201" + account + rest + "6304ABCD", "00", ErrInvalid},
		{"non-digit ID", base + "6A04ABCD", "", ErrInvalid},
		{"zero length", tlv("00", "01") + "5400" + rest, "54", ErrLength},
		{"duplicate ID", withCRC(base + tlv("52", "5814")), "52", ErrInvalid},
		{"missing 63", base, "63", ErrInvalid},
		{"63 not last", good + tlv("62", tlv("05", "x")), "63", ErrInvalid},
		{"63 too long", base + "6305ABCDE", "63", ErrLength},
		{"CRC not hex", base + "6304ZZZZ", "63", ErrInvalid},
		{"wrong CRC", badCRC, "63", ErrCRC},
		{"nested length runs past the end", withCRC(tlv("00", "01") + tlv("26", "0020io.scanpay") + rest), "26.00", ErrTruncated},
		{"nested non-digit ID", withCRC(base + tlv("27", "xx04abcd")), "27", ErrInvalid},
		{"nested duplicate", withCRC(base + tlv("62", tlv("05", "a")+tlv("05", "b"))), "62.05", ErrInvalid},
		{"another scheme's account only", withCRC(tlv("00", "01") + tlv("29", tlv("00", "D15600000000")) + rest), "", nil},
		{"merchant account without GUID", withCRC(tlv("00", "01") + tlv("26", tlv("01", "abcd")) + rest), "26.00", ErrLength},
		{"not UTF-8", withCRC(tlv("00", "01") + account + rest + tlv("64", tlv("00", "ZH")+tlv("01", "\xff"))), "", ErrInvalid},
		{"length in bytes", withCRC(tlv("00", "01") + account + rest + "6416" + "0002ZH" + "0106咖啡"), "", ErrInvalid},
		{"name too long", withCRC(tlv("00", "01") + account + strings.Replace(rest, tlv("59", "Cafe"), tlv("59", strings.Repeat("x", 26)), 1)), "59", ErrLength},
		{"name not ASCII", withCRC(tlv("00", "01") + account + strings.Replace(rest, tlv("59", "Cafe"), tlv("59", "Café"), 1)), "59", ErrInvalid},
		{"unknown IDs dropped", withCRC(base + tlv("02", "4111") + tlv("27", tlv("00", "other")) + tlv("55", "01") + tlv("99", "x")), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseEMVCo(tt.payload)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("ParseEMVCo(%q): %v", tt.payload, err)
				}
				if p.MerchantName != "Cafe" {
					t.Errorf("MerchantName = %q", p.MerchantName)
				}
				return
			}
			if p != nil {
				t.Errorf("ParseEMVCo returned %+v with an error", *p)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseEMVCo(%q) = %v, want a *FormatError", tt.payload, err)
			}
			if !errors.Is(err, tt.kind) || fe.Field != tt.field {
				t.Errorf("ParseEMVCo(%q) = %v (field %q, kind %v), want field %q, kind %v", tt.payload, err, fe.Field, fe.Err, tt.field, tt.kind)
			}
		})
	}
}

func TestEncodeValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*EMVCo)
		field  string
		kind   error // nil when Encode must succeed
	}{
		{"sample", func(*EMVCo) {}, "", nil},
		{"25-character name", func(p *EMVCo) { p.MerchantName = strings.Repeat("n", 25) }, "", nil},
		{"26-character name", func(p *EMVCo) { p.MerchantName = strings.Repeat("n", 26) }, "59", ErrLength},
		{"no name", func(p *EMVCo) { p.MerchantName = "" }, "59", ErrLength},
		{"non-ASCII name", func(p *EMVCo) { p.MerchantName = "蓝瓶咖啡" }, "59", ErrInvalid},
		{"control character in name", func(p *EMVCo) { p.MerchantName = "Blue\nBottle" }, "59", ErrInvalid},
		{"15-character city", func(p *EMVCo) { p.MerchantCity = strings.Repeat("c", 15) }, "", nil},
		{"16-character city", func(p *EMVCo) { p.MerchantCity = strings.Repeat("c", 16) }, "60", ErrLength},
		{"no city", func(p *EMVCo) { p.MerchantCity = "" }, "60", ErrLength},
		{"point of initiation 13", func(p *EMVCo) { p.PointOfInitiation = "13" }, "01", ErrInvalid},
		{"no point of initiation", func(p *EMVCo) { p.PointOfInitiation = "" }, "", nil},
		{"no GUID", func(p *EMVCo) { p.MerchantAccount.GUID = "" }, "26.00", ErrLength},
		{"33-character GUID", func(p *EMVCo) { p.MerchantAccount.GUID = strings.Repeat("g", 33) }, "26.00", ErrLength},
		{"merchant account over 99 bytes", func(p *EMVCo) { p.MerchantAccount.Code = strings.Repeat("c", 82) }, "26", ErrLength},
		{"merchant account of 99 bytes", func(p *EMVCo) { p.MerchantAccount.Code = strings.Repeat("c", 81) }, "", nil},
		{"3-digit MCC", func(p *EMVCo) { p.MCC = "581" }, "52", ErrLength},
		{"MCC with a letter", func(p *EMVCo) { p.MCC = "58a4" }, "52", ErrInvalid},
		{"alphabetic currency", func(p *EMVCo) { p.Currency = "CNY" }, "53", ErrInvalid},
		{"no amount", func(p *EMVCo) { p.Amount = "" }, "", nil},
		{"integer amount", func(p *EMVCo) { p.Amount = "1250" }, "", nil},
		{"13-character amount", func(p *EMVCo) { p.Amount = "1234567890.12" }, "", nil},
		{"14-character amount", func(p *EMVCo) { p.Amount = "12345678901.12" }, "54", ErrLength},
		{"amount with two dots", func(p *EMVCo) { p.Amount = "12.50.1" }, "54", ErrInvalid},
		{"amount of a dot", func(p *EMVCo) { p.Amount = "." }, "54", ErrInvalid},
		{"negative amount", func(p *EMVCo) { p.Amount = "-1" }, "54", ErrInvalid},
		{"amount with a comma", func(p *EMVCo) { p.Amount = "12,50" }, "54", ErrInvalid},
		{"lower-case country", func(p *EMVCo) { p.Country = "cn" }, "58", ErrInvalid},
		{"25-character reference", func(p *EMVCo) { p.ReferenceLabel = strings.Repeat("r", 25) }, "", nil},
		{"26-character reference", func(p *EMVCo) { p.ReferenceLabel = strings.Repeat("r", 26) }, "62.05", ErrLength},
		{"no alternate language", func(p *EMVCo) { p.AltLanguage = AltLanguage{} }, "", nil},
		{"alternate name without language", func(p *EMVCo) { p.AltLanguage.Language = "" }, "64.00", ErrLength},
		{"alternate language without name", func(p *EMVCo) { p.AltLanguage.MerchantName = "" }, "64.01", ErrLength},
		{"three-letter language", func(p *EMVCo) { p.AltLanguage.Language = "ZHO" }, "64.00", ErrLength},
		{"25-character alternate name", func(p *EMVCo) { p.AltLanguage.MerchantName = strings.Repeat("咖", 25) }, "", nil},
		{"longest alternate name and city", func(p *EMVCo) {
			p.AltLanguage.MerchantName = strings.Repeat("咖", 25)
			p.AltLanguage.MerchantCity = strings.Repeat("上", 15)
		}, "", nil},
		{"symbol in alternate name", func(p *EMVCo) { p.AltLanguage.MerchantName = "咖啡☕" }, "", nil},
		{"astral character in alternate name", func(p *EMVCo) { p.AltLanguage.MerchantName = "咖啡🐳" }, "64.01", ErrInvalid},
		{"no merchant account", func(p *EMVCo) { p.MerchantAccount = MerchantAccount{} }, "", nil},
		{"26-character alternate name", func(p *EMVCo) { p.AltLanguage.MerchantName = strings.Repeat("n", 26) }, "64.01", ErrLength},
		{"16-character alternate city", func(p *EMVCo) { p.AltLanguage.MerchantCity = strings.Repeat("上", 16) }, "64.02", ErrLength},
		{"alternate name not UTF-8", func(p *EMVCo) { p.AltLanguage.MerchantName = "\xff" }, "64.01", ErrInvalid},
		{"alternate name with a control character", func(p *EMVCo) { p.AltLanguage.MerchantName = "a\u0085b" }, "64.01", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sampleEMVCo()
			tt.change(&p)
			s, err := p.Encode()
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				if got, err := ParseEMVCo(s); err != nil || *got != p {
					t.Errorf("ParseEMVCo(%s) = %+v, %v; want %+v", s, got, err, p)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, tt.kind) || fe.Field != tt.field {
				t.Errorf("Encode = %q, %v; want field %q, kind %v", s, err, tt.field, tt.kind)
			}
		})
	}
}

func TestFormatErrorMessage(t *testing.T) {
	p := sampleEMVCo()
	p.MerchantName = strings.Repeat("n", 26)
	_, err := p.Encode()
	if want := "emvco field 59: is 26 characters, at most 25"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func FuzzParseEMVCo(f *testing.F) {
	f.Add(pixExample)
	f.Add(specExample)
	f.Add(mustEncode(f, sampleEMVCo()))
	f.Add(withCRC(tlv("00", "01") + tlv("26", tlv("00", "io.scanpay")) + tlv("27", tlv("00", "x")) + tlv("52", "5814") + tlv("53", "156") + tlv("58", "CN") + tlv("59", "Cafe") + tlv("60", "Shanghai")))
	f.Add("")
	f.Add("6304")
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s)
		// Random bytes almost never carry a matching CRC, which would keep
		// the fuzzer at the checksum; fixing it up lets it reach the fields.
		if len(s) >= 4 {
			body := s[:len(s)-4]
			checkParse(t, fmt.Sprintf("%s%04X", body, CRC16([]byte(body))))
		}
	})
}

// checkParse asserts what FuzzParseEMVCo promises of any input: a
// *FormatError, or a payload with a CRC whose fields encode again and parse
// back the same.
func checkParse(t *testing.T, s string) {
	p, err := ParseEMVCo(s)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Err == nil {
			t.Fatalf("error %v is not a *FormatError with a kind", err)
		}
		return
	}
	if len(s) < 8 || s[len(s)-8:len(s)-4] != "6304" {
		t.Fatalf("accepted %q without a trailing CRC object", s)
	}
	again, err := p.Encode()
	if err != nil {
		t.Fatalf("parsed %q but cannot encode %+v: %v", s, *p, err)
	}
	q, err := ParseEMVCo(again)
	if err != nil || *q != *p {
		t.Fatalf("re-encoded %q as %q, which parses to %+v, %v; want %+v", s, again, q, err, *p)
	}
}

func BenchmarkEncodeEMVCo(b *testing.B) {
	p := sampleEMVCo()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEMVCo(b *testing.B) {
	s := mustEncode(b, sampleEMVCo())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEMVCo(s); err != nil {
			b.Fatal(err)
		}
	}
}
