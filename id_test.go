package scanpay

import (
	"strings"
	"testing"
)

func TestNewIDIsStrictlyIncreasing(t *testing.T) {
	prev := NewID("x")
	for range 100000 {
		id := NewID("x")
		if id <= prev {
			t.Fatalf("%s after %s", id, prev)
		}
		prev = id
	}
	if len(prev) != len("x_")+26 || strings.Trim(prev[2:], crockford) != "" {
		t.Fatalf("id %q", prev)
	}
}

func TestBase32(t *testing.T) {
	for in, want := range map[string]string{"": "", "\x00": "00", "\xff": "zw", "\x01\x02\x03\x04\x05": "04106105"} {
		if got := Base32([]byte(in)); got != want {
			t.Errorf("Base32(%q) = %q, want %q", in, got, want)
		}
	}
}
