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
		{1250, "JPY", "¥1250"},
		{1250, "BHD", "BHD 1.250"},
		{100000, "USD", "$1000.00"},
	} {
		if got := displayAmount(tt.amount, tt.currency); got != tt.want {
			t.Errorf("displayAmount(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}
