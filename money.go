package scanpay

import (
	"strconv"
	"strings"
)

// Currency is an ISO 4217 currency: its alphabetic and numeric codes and
// its exponent, the number of digits after the decimal point of the major
// unit. Amounts are always int64 counts of the minor unit.
type Currency struct {
	Code     string
	Numeric  string
	Exponent int
}

var currencies = map[string]Currency{}

func init() {
	for _, c := range []Currency{
		{"AED", "784", 2}, {"AUD", "036", 2}, {"BHD", "048", 3}, {"BRL", "986", 2},
		{"CAD", "124", 2}, {"CHF", "756", 2}, {"CLP", "152", 0}, {"CNY", "156", 2},
		{"EUR", "978", 2}, {"GBP", "826", 2}, {"HKD", "344", 2}, {"IDR", "360", 2},
		{"INR", "356", 2}, {"ISK", "352", 0}, {"JOD", "400", 3}, {"JPY", "392", 0},
		{"KRW", "410", 0}, {"KWD", "414", 3}, {"MOP", "446", 2}, {"MYR", "458", 2},
		{"NZD", "554", 2}, {"OMR", "512", 3}, {"PHP", "608", 2}, {"SGD", "702", 2},
		{"THB", "764", 2}, {"TND", "788", 3}, {"TWD", "901", 2}, {"USD", "840", 2},
		{"VND", "704", 0},
	} {
		currencies[c.Code] = c
	}
}

// LookupCurrency returns the currency with the upper-case alphabetic code.
func LookupCurrency(code string) (Currency, bool) {
	c, ok := currencies[code]
	return c, ok
}

// CurrencyByNumeric returns the currency with the ISO 4217 numeric code.
func CurrencyByNumeric(numeric string) (Currency, bool) {
	for _, c := range currencies {
		if c.Numeric == numeric {
			return c, true
		}
	}
	return Currency{}, false
}

// FormatMajor writes amount (minor units) in major units with exactly the
// currency's decimals: 1250 CNY is "12.50", 1250 JPY is "1250".
func (c Currency) FormatMajor(amount int64) string {
	neg := amount < 0
	u := uint64(amount)
	if neg {
		u = uint64(-amount) // -MinInt64 wraps to itself, which as uint64 is right
	}
	s := strconv.FormatUint(u, 10)
	if c.Exponent > 0 {
		if len(s) <= c.Exponent {
			s = strings.Repeat("0", c.Exponent-len(s)+1) + s
		}
		s = s[:len(s)-c.Exponent] + "." + s[len(s)-c.Exponent:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParseMajor reads a non-negative amount in major units ("12.5", "12.50")
// into minor units. More decimals than the currency has is an error, never
// a rounding; so is anything that is not a plain decimal or that overflows.
func (c Currency) ParseMajor(s string) (int64, bool) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > c.Exponent {
		return 0, false
	}
	if !IsDigits(whole) || !IsDigits(frac) {
		return 0, false
	}
	frac += strings.Repeat("0", c.Exponent-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
