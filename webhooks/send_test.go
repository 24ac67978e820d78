package webhooks

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLogTextIsStorable(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "ok", "ok"},
		{"NUL", "a\x00b", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"long ASCII", strings.Repeat("a", 3000), strings.Repeat("a", maxLogText)},
		// 341 three-byte runes are 1023 bytes; the 342nd is cut after one.
		{"rune cut at the limit", strings.Repeat("说", 400), strings.Repeat("说", 341)},
	}
	for _, tt := range tests {
		got := logText([]byte(tt.in))
		if got != tt.want {
			t.Errorf("%s: logText = %q, want %q", tt.name, got, tt.want)
		}
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
			t.Errorf("%s: %q is not storable", tt.name, got)
		}
	}
}
