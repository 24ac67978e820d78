package wallet

import (
	"testing"

	"github.com/scanpay/scanpay"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		in, want, code string
	}{
		{"13800138000", "+8613800138000", ""},
		{"138 0013 8000", "+8613800138000", ""},
		{"138-0013-8000", "+8613800138000", ""},
		{"+86 138 0013 8000", "+8613800138000", ""},
		{"19912345678", "+8619912345678", ""},
		{"+44 20 7946 0958", "+442079460958", ""},
		{"+1 202-555-0123", "+12025550123", ""},
		{"+12345678", "+12345678", ""},
		{"+123456789012345", "+123456789012345", ""},
		{"", "", "parameter_missing"},
		{"   ", "", "parameter_missing"},
		{"12800138000", "", "parameter_invalid"},        // 12x is not a mobile prefix
		{"1380013800", "", "parameter_invalid"},         // ten digits
		{"8613800138000", "", "parameter_invalid"},      // a country code needs its +
		{"0086 138 0013 8000", "", "parameter_invalid"}, // so does an international prefix
		{"+1234567", "", "parameter_invalid"},           // too short
		{"+1234567890123456", "", "parameter_invalid"},  // too long
		{"+0123456789", "", "parameter_invalid"},        // no country code starts with 0
		{"+", "", "parameter_invalid"},
		{"++8613800138000", "", "parameter_invalid"},
		{"+86 (138) 0013 8000", "", "parameter_invalid"},
		{"138.0013.8000", "", "parameter_invalid"},
		{"１３８００１３８０００", "", "parameter_invalid"}, // full-width digits
	} {
		got, err := normalizePhone(tc.in)
		if tc.code == "" {
			if err != nil || got != tc.want {
				t.Errorf("normalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if e, ok := scanpay.ErrorOf(err); !ok || e.Code != tc.code || e.Param != "phone" {
			t.Errorf("normalizePhone(%q) = %q, %v; want %s on phone", tc.in, got, err, tc.code)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+8613800138000", "+86 138****8000"},
		{"+8619912345678", "+86 199****5678"},
		{"+442079460958", "+442*****0958"},
		{"+12025550123", "+120****0123"},
		{"+12345678", "+****5678"},
		{"+123456789", "+1****6789"},
		{"+123456789012345", "+123********2345"},
		{"+8612345678", "+86****5678"}, // +86 but not a mobile: the generic form
	} {
		if got := maskPhone(tc.in); got != tc.want {
			t.Errorf("maskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
