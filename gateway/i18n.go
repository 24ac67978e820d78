package gateway

import (
	"sort"
	"strconv"
	"strings"

	"github.com/scanpay/scanpay"
)

// messages are the hosted page's words, per language it speaks.
var messages = map[string]map[string]string{
	"en": {
		"title":     "Pay %s",
		"scan":      "Scan with your wallet to pay",
		"expiresIn": "Expires in",
		"waiting":   "Waiting for payment…",
		"paid":      "Paid",
		"paidNote":  "Thank you. You can close this page.",
		"expired":   "This code has expired",
		"expNote":   "Ask the merchant for a new one.",
		"canceled":  "This order was canceled",
		"canNote":   "No payment was taken.",
		"testMode":  "Test mode: no real money moves",
		"order":     "Order",
	},
	"zh": {
		"title":     "向 %s 付款",
		"scan":      "请使用钱包扫码付款",
		"expiresIn": "剩余时间",
		"waiting":   "等待付款…",
		"paid":      "支付成功",
		"paidNote":  "感谢您的付款，可以关闭此页面。",
		"expired":   "二维码已过期",
		"expNote":   "请向商家索取新的付款码。",
		"canceled":  "订单已取消",
		"canNote":   "未发生扣款。",
		"testMode":  "测试模式：不会产生真实扣款",
		"order":     "订单",
	},
}

// language picks "zh" or "en" from an Accept-Language header, honouring
// q-values; English when nothing matches.
func language(header string) string {
	type choice struct {
		lang string
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if _, ok := messages[primary]; ok && q > 0 {
			choices = append(choices, choice{primary, q})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	if len(choices) == 0 {
		return "en"
	}
	return choices[0].lang
}

// currencySymbols are the signs payers expect in front of an amount.
var currencySymbols = map[string]string{
	"CNY": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "TWD": "NT$",
	"SGD": "S$", "AUD": "A$", "CAD": "C$", "KRW": "₩", "INR": "₹", "THB": "฿", "MOP": "MOP$",
}

// displayAmount formats minor units for a payer: "¥12.50", "BHD 1.250".
func displayAmount(amount int64, code string) string {
	cur, ok := scanpay.LookupCurrency(code)
	if !ok {
		return strconv.FormatInt(amount, 10) + " " + code
	}
	if sym, ok := currencySymbols[code]; ok {
		return sym + cur.FormatMajor(amount)
	}
	return code + " " + cur.FormatMajor(amount)
}
