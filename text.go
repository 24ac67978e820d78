package scanpay

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText bounds a free-text field of a request to maxLen characters
// and keeps control characters out of it: such text ends up on receipts,
// QR codes, dashboards and logs. The error names param.
func CheckText(param, v string, maxLen int) error {
	if !utf8.ValidString(v) {
		return Invalid(param, "%s must be valid UTF-8", param)
	}
	if n := utf8.RuneCountInString(v); n > maxLen {
		return Invalid(param, "%s is %d characters long; at most %d are allowed", param, n, maxLen)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return Invalid(param, "%s must not contain control characters", param)
	}
	return nil
}

// IsDigits reports whether s is made only of the ASCII digits 0 to 9 (an
// empty s is).
func IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsPrintableASCII reports whether s is made only of printable ASCII, space
// to tilde: the characters EMVCo QR fields other than template 64 take.
func IsPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
