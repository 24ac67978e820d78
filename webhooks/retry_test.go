package webhooks

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoffStaysWithinItsJitter(t *testing.T) {
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	if maxAttempts != 8 {
		t.Fatalf("maxAttempts = %d, want 8", maxAttempts)
	}
	for i, base := range want {
		lo, hi := time.Duration(float64(base)*0.9), time.Duration(float64(base)*1.1)
		for _, u := range []float64{0, 0.25, 0.5, 0.999999} {
			if got := backoff(i+1, u); got < lo || got > hi {
				t.Errorf("backoff(%d, %v) = %v, want within [%v, %v]", i+1, u, got, lo, hi)
			}
		}
		if got := backoff(i+1, 0.5); got != base {
			t.Errorf("backoff(%d, 0.5) = %v, want %v", i+1, got, base)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"120", 120 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", time.Second, true},
		{"999999999999999999", 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), time.Second, true},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
