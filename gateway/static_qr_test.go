package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/checkout/qr/qrtest"
)

// staticCodes reads the merchant's static code in both forms.
func (e *env) staticCodes(key string) (url, emvco string) {
	e.t.Helper()
	r := e.do(request{method: "GET", path: "/v1/merchant", key: key})
	if r.Code != 200 {
		e.t.Fatalf("merchant: %d %s", r.Code, r.Body.String())
	}
	sq := r.json(e.t)["static_qr"].(map[string]any)
	return sq["url"].(map[string]any)["payload"].(string), sq["emvco"].(map[string]any)["payload"].(string)
}

func staticPay(payload string, amount int64, extra string) string {
	return fmt.Sprintf(`{"payload":%q,"amount":%d,"currency":"CNY"%s}`, payload, amount, extra)
}

func TestStaticQROfTheMerchant(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	_, liveKey, _ := e.merchants.CreateKey(context.Background(), mchID, true)
	r := e.do(request{method: "GET", path: "/v1/merchant", key: key})
	sq := r.json(t)["static_qr"].(map[string]any)
	urlForm, emvForm := sq["url"].(map[string]any), sq["emvco"].(map[string]any)
	urlPayload, emvPayload := urlForm["payload"].(string), emvForm["payload"].(string)
	code, ok := strings.CutPrefix(urlPayload, baseURL+"/q/")
	if !ok || len(code) != 16 || urlForm["image_url"] != baseURL+"/v1/merchant/qr.png?format=url" ||
		emvForm["image_url"] != baseURL+"/v1/merchant/qr.png?format=emvco" {
		t.Fatalf("static_qr %v", sq)
	}
	p, err := qr.ParseEMVCo(emvPayload)
	if err != nil {
		t.Fatal(err)
	}
	if p.PointOfInitiation != "11" || p.Amount != "" || p.Currency != "156" || p.MerchantAccount.GUID != "io.scanpay" ||
		p.MerchantAccount.Code != code || p.MerchantName != "Blue Bottle" || strings.Contains(emvPayload, "5405") {
		t.Fatalf("EMVCo static code %+v", p)
	}
	// The same code every time; the live mode has its own.
	if again, _ := e.staticCodes(key); again != urlPayload {
		t.Fatalf("the static code changed: %s, then %s", urlPayload, again)
	}
	if live, _ := e.staticCodes(liveKey); live == urlPayload || !strings.HasPrefix(live, baseURL+"/q/") {
		t.Fatalf("live static code %s, test %s", live, urlPayload)
	}

	// The images read back as the payloads.
	for format, want := range map[string]string{"": urlPayload, "url": urlPayload, "emvco": emvPayload} {
		img := e.do(request{method: "GET", path: "/v1/merchant/qr.png?size=300&format=" + format, key: key})
		if img.Code != 200 || img.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("qr.png %s: %d %s", format, img.Code, img.Body.String())
		}
		if got := qrtest.ScanPNG(t, img.Body.Bytes()); got != want {
			t.Fatalf("qr.png?format=%s reads %q, want %q", format, got, want)
		}
	}
	if svg := e.do(request{method: "GET", path: "/v1/merchant/qr.svg?format=emvco", key: key}); svg.Code != 200 || !strings.Contains(svg.Body.String(), "<svg") {
		t.Fatalf("qr.svg: %d", svg.Code)
	}
	e.do(request{method: "GET", path: "/v1/merchant/qr.png?format=dynamic", key: key}).expectError(t, 400, "invalid_request_error", "parameter_invalid", "format")
	e.do(request{method: "GET", path: "/v1/merchant/qr.png?size=64", key: key}).expectError(t, 400, "invalid_request_error", "parameter_invalid", "size")
	e.do(request{method: "GET", path: "/v1/merchant/qr.png"}).expectError(t, 401, "authentication_error", "api_key_missing", "")
}

func TestStaticQRScanAndLanding(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 0)
	urlPayload, emvPayload := e.staticCodes(key)
	for payload, currency := range map[string]any{urlPayload: nil, emvPayload: "CNY"} {
		r := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + payload + `"}`})
		if r.Code != 200 {
			t.Fatalf("scan: %d %s", r.Code, r.Body.String())
		}
		p := r.json(t)
		if p["amount_required"] != true || p["merchant_name"] != "Blue Bottle" || p["currency"] != currency || p["livemode"] != false {
			t.Fatalf("preview of %s: %v", payload, p)
		}
		for _, absent := range []string{"order", "amount", "status", "expires_at"} {
			if _, ok := p[absent]; ok {
				t.Errorf("a static code's preview has %s: %v", absent, p)
			}
		}
	}
	// An order's preview says no amount is asked for.
	o := e.createOrder(key, orderBody)
	if p := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + o["qr"].(map[string]any)["payload"].(string) + `"}`}).json(t); p["amount_required"] != false || p["order"] != o["id"] {
		t.Fatalf("order preview %v", p)
	}
	unknown := baseURL + "/q/" + strings.Repeat("a", 16)
	e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + unknown + `"}`}).
		expectError(t, 404, "not_found_error", "payload_unknown", "payload")

	// A browser that opens the URL form is told to scan it with a wallet.
	code := strings.TrimPrefix(urlPayload, baseURL)
	page := e.do(request{method: "GET", path: code, headers: map[string]string{"Accept-Language": "zh-CN"}})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "向 Blue Bottle 付款") || !strings.Contains(page.Body.String(), "请使用钱包扫描此码付款") ||
		!strings.Contains(page.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("static page: %d %s", page.Code, page.Body.String())
	}
	if en := e.do(request{method: "GET", path: code}).Body.String(); !strings.Contains(en, "Scan this code with your wallet app") || !strings.Contains(en, "Test mode") {
		t.Fatalf("English static page: %s", en)
	}
	if r := e.do(request{method: "GET", path: "/q/" + strings.Repeat("a", 16)}); r.Code != 404 || !strings.Contains(r.Body.String(), "Payment page not found") {
		t.Fatalf("unknown static code: %d", r.Code)
	}
}

func TestPayAStaticCode(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 100000)
	urlPayload, emvPayload := e.staticCodes(key)
	r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(urlPayload, 1234, ""), headers: idem("static-1")})
	if r.Code != http.StatusCreated {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	pay := r.json(t)
	orderID := pay["order"].(string)
	if pay["status"] != "succeeded" || pay["amount"] != 1234.0 || pay["amount_paid"] != 1234.0 || pay["merchant_name"] != "Blue Bottle" {
		t.Fatalf("payment %v", pay)
	}
	o := e.do(request{method: "GET", path: "/v1/orders/" + orderID, key: key}).json(t)
	if o["status"] != "paid" || o["source"] != "static_qr" || o["amount"] != 1234.0 || o["currency"] != "CNY" || o["paid_at"] == nil ||
		o["qr"].(map[string]any)["payload"] != urlPayload {
		t.Fatalf("order %v", o)
	}
	if n := e.countEvents("order.paid", orderID); n != 1 {
		t.Fatalf("%d order.paid events", n)
	}
	// A retry with the key replays; nothing is paid twice.
	again := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(urlPayload, 1234, ""), headers: idem("static-1")})
	if again.Code != 201 || again.Header().Get("Idempotent-Replayed") != "true" || again.json(t)["id"] != pay["id"] {
		t.Fatalf("replay: %d %s", again.Code, again.Body.String())
	}
	// The EMVCo form pays too, with the PIN above the no-PIN limit.
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(emvPayload, 25000, "")}).
		expectError(t, 402, "invalid_request_error", "pin_required", "pin")
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(emvPayload, 25000, `,"pin":"135790"`)}); r.Code != 201 {
		t.Fatalf("emvco with PIN: %d %s", r.Code, r.Body.String())
	}
	if b := e.balance(walletID); b != 100000-1234-25000 {
		t.Fatalf("wallet %d", b)
	}
	var orders int64
	e.scan(`SELECT COUNT(*) FROM orders WHERE merchant_id = ? AND source = 'static_qr' AND status = 'paid'`, &orders, mchID)
	if orders != 2 {
		t.Fatalf("%d paid static orders, want 2", orders)
	}
	e.verifyLedger()
}

func TestPayAStaticCodeWithCouponAndCashback(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 100000)
	urlPayload, _ := e.staticCodes(key)
	campaign := e.do(request{method: "POST", path: "/v1/coupon_campaigns", key: key,
		body: `{"name":"Three off","currency":"CNY","amount_off":300,"min_spend":1000,"claimable":true}`}).json(t)["id"].(string)
	coupon := e.do(request{method: "POST", path: "/wallet/v1/coupons", key: token, body: `{"campaign":"` + campaign + `"}`}).json(t)["id"].(string)
	if r := e.do(request{method: "POST", path: "/v1/cashback_campaigns", key: key,
		body: `{"name":"Back","currency":"CNY","rate_bps":1000,"budget_amount":100000,"hold_days":0}`}); r.Code != 201 {
		t.Fatalf("cashback campaign: %d %s", r.Code, r.Body.String())
	}
	r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(urlPayload, 2000, `,"coupon":"`+coupon+`"`)})
	if r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	pay := r.json(t)
	if pay["amount"] != 2000.0 || pay["amount_discount"] != 300.0 || pay["amount_paid"] != 1700.0 {
		t.Fatalf("payment %v", pay)
	}
	var cashback int64
	e.scan(`SELECT COALESCE(SUM(amount), 0) FROM cashbacks WHERE order_id = ?`, &cashback, pay["order"])
	if cashback != 170 {
		t.Fatalf("cashback %d, want 10%% of 17.00", cashback)
	}
	// The coupon is used: a second payment with it changes nothing.
	before := e.count("orders")
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(urlPayload, 2000, `,"coupon":"`+coupon+`"`)}).
		expectError(t, 400, "invalid_request_error", "coupon_not_applicable", "coupon")
	if n := e.count("orders"); n != before {
		t.Fatalf("a refused payment left an order (%d, %d before)", n, before)
	}
	e.verifyLedger()
}

func TestPayAStaticCodeBadInputChangesNothing(t *testing.T) {
	e := newEnvWith(t, envOptions{maxOrderAmount: 100000})
	_, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 40000)
	urlPayload, emvPayload := e.staticCodes(key)
	order := e.createOrder(key, orderBody)
	orderPayload := order["qr"].(map[string]any)["payload"].(string)
	unknown := baseURL + "/q/" + strings.Repeat("b", 16)
	for _, tt := range []struct {
		name, body       string
		status           int
		typ, code, param string
	}{
		{"no amount", `{"payload":"` + urlPayload + `","currency":"CNY"}`, 400, "invalid_request_error", "parameter_missing", "amount"},
		{"zero amount", staticPay(urlPayload, 0, ""), 400, "invalid_request_error", "parameter_invalid", "amount"},
		{"negative amount", staticPay(urlPayload, -5, ""), 400, "invalid_request_error", "parameter_invalid", "amount"},
		{"above the order limit", staticPay(urlPayload, 100001, ""), 400, "invalid_request_error", "parameter_invalid", "amount"},
		{"fractional amount", `{"payload":"` + urlPayload + `","amount":12.5,"currency":"CNY"}`, 400, "invalid_request_error", "parameter_invalid", "amount"},
		{"no currency", `{"payload":"` + urlPayload + `","amount":100}`, 400, "invalid_request_error", "parameter_missing", "currency"},
		{"unknown currency", `{"payload":"` + urlPayload + `","amount":100,"currency":"XYZ"}`, 400, "invalid_request_error", "parameter_invalid", "currency"},
		{"another currency than the EMVCo code's", `{"payload":"` + emvPayload + `","amount":100,"currency":"HKD"}`, 400, "invalid_request_error", "parameter_invalid", "currency"},
		{"amount without a payload", `{"amount":100,"currency":"CNY"}`, 400, "invalid_request_error", "parameter_missing", "payload"},
		{"order and payload", `{"order":"` + order["id"].(string) + `","payload":"` + urlPayload + `","amount":100,"currency":"CNY"}`, 400, "invalid_request_error", "parameter_invalid", "payload"},
		{"an amount for an order", `{"order":"` + order["id"].(string) + `","amount":100}`, 400, "invalid_request_error", "parameter_invalid", "amount"},
		{"an order's payload", staticPay(orderPayload, 100, ""), 400, "invalid_request_error", "parameter_invalid", "payload"},
		{"an unknown static code", staticPay(unknown, 100, ""), 404, "not_found_error", "payload_unknown", "payload"},
		{"not a payload", staticPay("hello", 100, ""), 400, "invalid_request_error", "payload_invalid", "payload"},
		{"a wrong PIN", staticPay(urlPayload, 100, `,"pin":"246801"`), 402, "invalid_request_error", "incorrect_pin", "pin"},
		{"more than the wallet holds", staticPay(urlPayload, 40001, `,"pin":"135790"`), 402, "invalid_request_error", "insufficient_funds", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			orders, keys := e.count("orders"), e.count("idempotency_keys")
			e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: tt.body, headers: idem("bad " + tt.name)}).
				expectError(t, tt.status, tt.typ, tt.code, tt.param)
			if e.count("orders") != orders || e.count("idempotency_keys") != keys || e.count("static_qr_spend") != 0 {
				t.Fatal("a refused payment changed something")
			}
		})
	}
	if b := e.balance(walletID); b != 40000 {
		t.Fatalf("wallet %d", b)
	}
}

// TestStaticQRDailyLimit: 500.00 yuan a day per payer through static
// codes by default, named in the refusal; orders do not count, another
// payer and the next day (China Standard Time) start afresh.
func TestStaticQRDailyLimit(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	// Noon in China, so that 11 hours on is the next day there.
	e.clock.Set(time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC))
	walletID, token := e.payer("13800138000", 500000)
	_, other := e.payer("13900139000", 100000)
	urlPayload, emvPayload := e.staticCodes(key)
	pay := func(token, payload string, amount int64) response {
		return e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(payload, amount, `,"pin":"135790"`)})
	}
	signIn := func() string { // sessions last 15 minutes of the test's clock
		token, err := e.wallets.CreateSession(context.Background(), "13800138000", "135790")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	// An order of any size does not count.
	o := e.createOrder(key, `{"amount":60000,"currency":"CNY"}`)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: `{"order":"` + o["id"].(string) + `","pin":"135790"}`}); r.Code != 201 {
		t.Fatalf("order: %d %s", r.Code, r.Body.String())
	}
	pay(token, urlPayload, 50001).expectError(t, 402, "invalid_request_error", "static_qr_limit_exceeded", "amount")
	for _, amount := range []int64{30000, 19999} {
		if r := pay(token, emvPayload, amount); r.Code != 201 {
			t.Fatalf("pay %d: %d %s", amount, r.Code, r.Body.String())
		}
	}
	refused := pay(token, urlPayload, 2)
	refused.expectError(t, 402, "invalid_request_error", "static_qr_limit_exceeded", "amount")
	if msg := refused.apiError(t).Message; !strings.Contains(msg, "500.00 CNY a day") || !strings.Contains(msg, "0.01 CNY is left") {
		t.Fatalf("message %q does not name the limit and what is left", msg)
	}
	if r := pay(token, urlPayload, 1); r.Code != 201 {
		t.Fatalf("the last fen: %d %s", r.Code, r.Body.String())
	}
	pay(token, urlPayload, 1).expectError(t, 402, "invalid_request_error", "static_qr_limit_exceeded", "amount")
	if r := pay(other, urlPayload, 50000); r.Code != 201 {
		t.Fatalf("another payer: %d %s", r.Code, r.Body.String())
	}
	if b := e.balance(walletID); b != 500000-60000-50000 {
		t.Fatalf("wallet %d", b)
	}
	e.clock.Advance(11 * time.Hour) // 23:00 in China: still the same day
	token = signIn()
	pay(token, urlPayload, 1).expectError(t, 402, "invalid_request_error", "static_qr_limit_exceeded", "amount")
	e.clock.Advance(time.Hour) // midnight in China
	token = signIn()
	if r := pay(token, urlPayload, 50000); r.Code != 201 {
		t.Fatalf("the next day: %d %s", r.Code, r.Body.String())
	}
	e.verifyLedger()
}

// TestStaticQRDailyLimitHoldsUnderRace: twenty payments of 50.00 at once
// by one payer; exactly ten fit in the day's 500.00, whatever the order
// they commit in.
func TestStaticQRDailyLimitHoldsUnderRace(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 200000)
	urlPayload, _ := e.staticCodes(key)
	responses := e.doAtOnce(20, func(i int) request {
		return request{method: "POST", path: "/wallet/v1/payments", key: token, body: staticPay(urlPayload, 5000, ""), headers: idem(fmt.Sprint("race-", i))}
	})
	paid, refused := 0, 0
	for _, r := range responses {
		switch {
		case r.Code == 201:
			paid++
		case r.Code == 402 && r.apiError(t).Code == "static_qr_limit_exceeded":
			refused++
		default:
			t.Fatalf("unexpected %d: %s", r.Code, r.Body.String())
		}
	}
	if paid != 10 || refused != 10 {
		t.Fatalf("%d paid, %d refused; want 10 and 10", paid, refused)
	}
	if b := e.balance(walletID); b != 200000-50000 {
		t.Fatalf("wallet %d, want 500.00 less", b)
	}
	var spent int64
	e.scan(`SELECT amount FROM static_qr_spend WHERE wallet_id = ?`, &spent, walletID)
	if spent != 50000 {
		t.Fatalf("day's total %d", spent)
	}
	e.verifyLedger()
}
