package scanpay

import (
	"strings"
	"testing"
	"time"
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

func TestFirstIDSortsBetweenTimes(t *testing.T) {
	before := FirstID("evt", time.Now())
	id := NewID("evt")
	after := FirstID("evt", time.Now().Add(time.Millisecond))
	if !(before <= id && id < after) {
		t.Fatalf("want %s <= %s < %s", before, id, after)
	}
	if !IsID("evt", before) || !IsID("evt", id) {
		t.Fatalf("IsID refuses %s or %s", before, id)
	}
}

func TestIsID(t *testing.T) {
	for s, want := range map[string]bool{
		NewID("evt"):                      true,
		NewID("ord"):                      false,
		"evt_":                            false,
		"evt_01ARZ3NDEKTSV4RRFFQ69G5FAV":  false, // upper case is not Crockford's lower-case alphabet
		"evt_01arz3ndektsv4rrffq69g5fav":  true,
		"evt_01arz3ndektsv4rrffq69g5fa":   false,
		"evt_01arz3ndektsv4rrffq69g5fau":  false, // u is not in the alphabet
		"evt_01arz3ndektsv4rrffq69g5fav ": false,
	} {
		if got := IsID("evt", s); got != want {
			t.Errorf("IsID(evt, %q) = %v, want %v", s, got, want)
		}
	}
}
