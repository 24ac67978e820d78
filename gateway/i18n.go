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
		// scanpay.js: the merchant's page stays open.
		"embedPaidNote": "Thank you.",
		"expired":       "This code has expired",
		"expNote":       "Ask the merchant for a new one.",
		"canceled":      "This order was canceled",
		"canNote":       "No payment was taken.",
		"testMode":      "Test mode: no real money moves",
		"order":         "Order",
		"notFound":      "Payment page not found",
		"nfNote":        "Check the link or scan the merchant's code again. If you were asked to pay, ask the merchant for a new code.",
		"failed":        "Something went wrong",
		"failNote":      "Nothing was charged. Try again in a moment.",
		"requestId":     "Reference",
		// The page a browser sees for a merchant's static code.
		"staticScan": "Scan this code with your wallet app to pay.",
		"staticNote": "You enter the amount in the wallet. A phone's camera alone cannot pay it.",
	},
	"zh": {
		"title":     "向 %s 付款",
		"scan":      "请使用钱包扫码付款",
		"expiresIn": "剩余时间",
		"waiting":   "等待付款…",
		"paid":      "支付成功",
		"paidNote":  "感谢您的付款，可以关闭此页面。",
		// scanpay.js: the merchant's page stays open.
		"embedPaidNote": "感谢您的付款。",
		"expired":       "二维码已过期",
		"expNote":       "请向商家索取新的付款码。",
		"canceled":      "订单已取消",
		"canNote":       "未发生扣款。",
		"testMode":      "测试模式：不会产生真实扣款",
		"order":         "订单",
		"notFound":      "找不到此付款页面",
		"nfNote":        "请检查链接或重新扫描商家的付款码。如需付款，请向商家索取新的付款码。",
		"failed":        "出错了",
		"failNote":      "未发生扣款，请稍后再试。",
		"requestId":     "参考编号",
		// The page a browser sees for a merchant's static code.
		"staticScan": "请使用钱包扫描此码付款。",
		"staticNote": "付款金额在钱包中输入。手机相机无法直接付款。",
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

// currencyDisplay is how the page shows a currency: the sign before the
// amount, and the currency's name in each language, shown under it. Signs
// alone are ambiguous (¥ is both yuan and yen, $ a dozen dollars), so the
// name and the ISO code are always there; and since most payers of a yen
// amount here hold yuan, yen gets "JP¥".
type currencyDisplay struct {
	sign  string
	names map[string]string
}

var currencyDisplays = map[string]currencyDisplay{
	"CNY": {"¥", map[string]string{"en": "Chinese yuan", "zh": "人民币"}},
	"JPY": {"JP¥", map[string]string{"en": "Japanese yen", "zh": "日元"}},
	"HKD": {"HK$", map[string]string{"en": "Hong Kong dollar", "zh": "港币"}},
	"MOP": {"MOP$", map[string]string{"en": "Macanese pataca", "zh": "澳门元"}},
	"TWD": {"NT$", map[string]string{"en": "New Taiwan dollar", "zh": "新台币"}},
	"USD": {"US$", map[string]string{"en": "US dollar", "zh": "美元"}},
	"EUR": {"€", map[string]string{"en": "Euro", "zh": "欧元"}},
	"GBP": {"£", map[string]string{"en": "British pound", "zh": "英镑"}},
	"SGD": {"S$", map[string]string{"en": "Singapore dollar", "zh": "新加坡元"}},
	"AUD": {"A$", map[string]string{"en": "Australian dollar", "zh": "澳元"}},
	"CAD": {"C$", map[string]string{"en": "Canadian dollar", "zh": "加元"}},
	"KRW": {"₩", map[string]string{"en": "South Korean won", "zh": "韩元"}},
	"INR": {"₹", map[string]string{"en": "Indian rupee", "zh": "印度卢比"}},
	"THB": {"฿", map[string]string{"en": "Thai baht", "zh": "泰铢"}},
}

// displayAmount formats minor units for a payer, with thousands
// separators: "¥1,250.00", "JP¥1,250", "BHD 1,250.000".
func displayAmount(amount int64, code string) string {
	cur, ok := scanpay.LookupCurrency(code)
	if !ok {
		return groupThousands(strconv.FormatInt(amount, 10)) + " " + code
	}
	major := groupThousands(cur.FormatMajor(amount))
	if d, ok := currencyDisplays[code]; ok {
		return d.sign + major
	}
	return code + " " + major
}

// currencyLabel names the currency under the amount, in lang, with its
// ISO code: "人民币 · CNY", "Japanese yen · JPY"; only the code for a
// currency without a name here.
func currencyLabel(code, lang string) string {
	if name := currencyDisplays[code].names[lang]; name != "" {
		return name + " · " + code
	}
	return code
}

// groupThousands puts a comma between each group of three digits of the
// whole part of a decimal number: "1234567.89" → "1,234,567.89". Payers
// of every language this page speaks read the comma so.
func groupThousands(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	sign := ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
