package wallet

import (
	"testing"

	"github.com/scanpay/scanpay"
)

func TestNewPINRules(t *testing.T) {
	for _, tc := range []struct{ pin, code string }{
		{"135790", ""},
		{"123457", ""},
		{"890123", ""}, // a run that wraps past 9 is not straight
		{"112233", ""},
		{"000001", ""},
		{"", "parameter_missing"},
		{"12345", "parameter_invalid"},
		{"1357902", "parameter_invalid"},
		{"13579a", "parameter_invalid"},
		{" 13579", "parameter_invalid"},
		{"１３５７９０", "parameter_invalid"},
		{"000000", "pin_too_simple"},
		{"777777", "pin_too_simple"},
		{"012345", "pin_too_simple"},
		{"123456", "pin_too_simple"},
		{"456789", "pin_too_simple"},
		{"987654", "pin_too_simple"},
		{"543210", "pin_too_simple"},
	} {
		err := checkNewPIN(tc.pin)
		if tc.code == "" {
			if err != nil {
				t.Errorf("checkNewPIN(%q) = %v, want it accepted", tc.pin, err)
			}
			continue
		}
		if e, ok := scanpay.ErrorOf(err); !ok || e.Code != tc.code || e.Param != "pin" {
			t.Errorf("checkNewPIN(%q) = %v, want %s on pin", tc.pin, err, tc.code)
		}
	}
}
