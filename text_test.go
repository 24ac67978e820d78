package scanpay

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tt := range []struct {
		v  string
		ok bool
	}{
		{"", true}, {"2 coffees", true}, {"两杯咖啡", true}, {strings.Repeat("咖", 10), true},
		{strings.Repeat("咖", 11), false}, {"a\u0007b", false}, {"line\nbreak", false}, {"\xff", false},
	} {
		err := CheckText("description", tt.v, 10)
		if (err == nil) != tt.ok {
			t.Errorf("CheckText(%q) = %v, want ok=%v", tt.v, err, tt.ok)
		}
		if e, isErr := ErrorOf(err); err != nil && (!isErr || e.Param != "description" || e.Kind != KindInvalid) {
			t.Errorf("CheckText(%q) error %v does not name the field", tt.v, err)
		}
	}
}

func TestIsDigits(t *testing.T) {
	for s, want := range map[string]bool{"": true, "0123456789": true, "12a": false, "１２": false, "-1": false} {
		if got := IsDigits(s); got != want {
			t.Errorf("IsDigits(%q) = %v", s, got)
		}
	}
}

func TestIsPrintableASCII(t *testing.T) {
	for s, want := range map[string]bool{"": true, "Blue Bottle ~ A-1": true, "Café": false, "蓝瓶": false, "a\tb": false, "\x7f": false} {
		if got := IsPrintableASCII(s); got != want {
			t.Errorf("IsPrintableASCII(%q) = %v", s, got)
		}
	}
}
