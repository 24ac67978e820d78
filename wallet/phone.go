package wallet

import (
	"strings"

	"github.com/scanpay/scanpay"
)

// normalizePhone turns what a payer typed into E.164, the one form stored
// and compared. Spaces and dashes are dropped; an 11-digit Chinese mobile
// number without a country code gets +86; anything else must already be
// international: a + and 8 to 15 digits, not starting with 0.
func normalizePhone(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", scanpay.Missing("phone")
	}
	s := strings.NewReplacer(" ", "", "-", "").Replace(raw)
	digits, plus := strings.CutPrefix(s, "+")
	switch {
	case !scanpay.IsDigits(digits):
		return "", scanpay.Invalid("phone", "the phone number may hold only digits, spaces, dashes and a leading +")
	case !plus && isChineseMobile(digits):
		return "+86" + digits, nil
	case !plus:
		return "", scanpay.Invalid("phone", "give the phone number with its country code, like +44 20 7946 0958")
	case len(digits) < 8 || len(digits) > 15 || digits[0] == '0':
		return "", scanpay.Invalid("phone", "the phone number is not a valid international number")
	}
	return s, nil
}

// isChineseMobile reports an 11-digit mainland mobile number, 1[3-9]xxxxxxxxx.
func isChineseMobile(digits string) bool {
	return len(digits) == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9'
}

// maskPhone hides the middle of a normalised number, so a response shows
// the payer which number it is without handing the whole of it to anyone
// who sees the response: +86 138****8000, or +442*****0958.
func maskPhone(phone string) string {
	digits := strings.TrimPrefix(phone, "+")
	if national, ok := strings.CutPrefix(digits, "86"); ok && isChineseMobile(national) {
		return "+86 " + national[:3] + "****" + national[7:]
	}
	// At least four digits stay hidden however short the number.
	lead := min(3, len(digits)-8)
	return "+" + digits[:lead] + strings.Repeat("*", len(digits)-lead-4) + digits[len(digits)-4:]
}
