package scanpay

import (
	"math"
	"testing"
)

func TestFormatMajor(t *testing.T) {
	cny, _ := LookupCurrency("CNY")
	jpy, _ := LookupCurrency("JPY")
	bhd, _ := LookupCurrency("BHD")
	for _, tt := range []struct {
		c      Currency
		amount int64
		want   string
	}{
		{cny, 1250, "12.50"}, {cny, 5, "0.05"}, {cny, 0, "0.00"}, {cny, -5, "-0.05"},
		{jpy, 1250, "1250"}, {bhd, 1250, "1.250"}, {bhd, 1, "0.001"},
		{cny, math.MaxInt64, "92233720368547758.07"}, {cny, math.MinInt64, "-92233720368547758.08"},
	} {
		if got := tt.c.FormatMajor(tt.amount); got != tt.want {
			t.Errorf("%s FormatMajor(%d) = %q, want %q", tt.c.Code, tt.amount, got, tt.want)
		}
	}
}

func TestParseMajor(t *testing.T) {
	cny, _ := LookupCurrency("CNY")
	jpy, _ := LookupCurrency("JPY")
	for _, tt := range []struct {
		c    Currency
		in   string
		want int64
		ok   bool
	}{
		{cny, "12.50", 1250, true}, {cny, "12.5", 1250, true}, {cny, "12", 1200, true}, {cny, "0.01", 1, true},
		{cny, "12.345", 0, false}, // too many decimals is an error, not a rounding
		{cny, "12.", 0, false}, {cny, ".5", 0, false}, {cny, "-1", 0, false}, {cny, "1e3", 0, false},
		{cny, "1,000", 0, false}, {cny, "", 0, false}, {cny, "92233720368547758.08", 0, false},
		{jpy, "1250", 1250, true}, {jpy, "12.5", 0, false},
	} {
		got, ok := tt.c.ParseMajor(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s ParseMajor(%q) = %d, %v; want %d, %v", tt.c.Code, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCurrencies(t *testing.T) {
	for code, want := range map[string]int{"CNY": 2, "JPY": 0, "BHD": 3, "USD": 2} {
		if c, ok := LookupCurrency(code); !ok || c.Exponent != want || len(c.Numeric) != 3 {
			t.Errorf("%s: %+v %v", code, c, ok)
		}
	}
	if c, ok := CurrencyByNumeric("156"); !ok || c.Code != "CNY" {
		t.Errorf("156 is %+v", c)
	}
	if _, ok := LookupCurrency("cny"); ok {
		t.Error("lower-case code accepted")
	}
}
