package gateway

import "testing"

func TestLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                           "en",
		"zh-CN,zh;q=0.9,en;q=0.8":    "zh",
		"en-US,en;q=0.9,zh-CN;q=0.8": "en",
		"fr-FR,zh-TW;q=0.5":          "zh",
		"fr-FR,de;q=0.5":             "en",
		"en;q=0.2, zh-Hans;q=0.7":    "zh",
		"ZH-cn":                      "zh",
		"zh;q=0, en;q=0.1":           "en",
		"*":                          "en",
		"zh-HK;q=abc":                "zh",
	} {
		if got := language(header); got != want {
			t.Errorf("language(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestDisplayAmount(t *testing.T) {
	for _, tt := range []struct {
		amount   int64
		currency string
		want     string
	}{
		{1250, "CNY", "¥12.50"},
		{5, "CNY", "¥0.05"},
		{125000000, "CNY", "¥1,250,000.00"},
		{123456789, "CNY", "¥1,234,567.89"},
		{100000, "CNY", "¥1,000.00"},
		{99999, "CNY", "¥999.99"},
		{1250, "JPY", "JP¥1,250"},
		{125, "JPY", "JP¥125"},
		{1250000, "JPY", "JP¥1,250,000"},
		{1250, "BHD", "BHD 1.250"},
		{1250000, "BHD", "BHD 1,250.000"},
		{100000, "USD", "US$1,000.00"},
		{1234567, "XXX", "1,234,567 XXX"},
	} {
		if got := displayAmount(tt.amount, tt.currency); got != tt.want {
			t.Errorf("displayAmount(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

func TestCurrencyLabel(t *testing.T) {
	for _, tt := range []struct{ code, lang, want string }{
		{"CNY", "zh", "人民币 · CNY"},
		{"CNY", "en", "Chinese yuan · CNY"},
		{"JPY", "zh", "日元 · JPY"},
		{"JPY", "en", "Japanese yen · JPY"},
		{"BHD", "en", "BHD"},
	} {
		if got := currencyLabel(tt.code, tt.lang); got != tt.want {
			t.Errorf("currencyLabel(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "123456": "123,456",
		"1234567.89": "1,234,567.89", "-1234.5": "-1,234.5", "12345678901.123": "12,345,678,901.123"} {
		if got := groupThousands(in); got != want {
			t.Errorf("groupThousands(%s) = %s, want %s", in, got, want)
		}
	}
}
