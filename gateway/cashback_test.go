package gateway_test

import (
	"net/http"
	"testing"
	"time"
)

// TestCashbackThroughTheAPI: a merchant's campaign, the scan's estimate, a
// payment that earns, the merchant's and the payer's views, a release, a
// refund that takes its share back, and refusals as error objects.
func TestCashbackThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	_, token := e.payer("13800138000", 50000)
	for _, tt := range []struct{ body, param string }{
		{`{"name":"x","currency":"CNY","rate_bps":10001,"budget_amount":1}`, "rate_bps"},
		{`{"name":"x","currency":"CNY","rate_bps":100,"budget_amount":1,"hold_days":91}`, "hold_days"},
		{`{"name":"x","currency":"CNY","rate_bps":100,"budget_amount":1,"max_per_payment":-5}`, "max_per_payment"},
	} {
		e.do(request{method: "POST", path: "/v1/cashback_campaigns", key: key, body: tt.body}).
			expectError(t, 400, "invalid_request_error", "parameter_invalid", tt.param)
	}
	r := e.do(request{method: "POST", path: "/v1/cashback_campaigns", key: key,
		body: `{"name":"5% back","currency":"CNY","rate_bps":500,"budget_amount":100000,"hold_days":3}`})
	if r.Code != http.StatusCreated || r.json(t)["object"] != "cashback_campaign" || r.json(t)["budget_left"] != 100000.0 {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	campaign := r.json(t)["id"].(string)
	e.do(request{method: "GET", path: "/v1/cashback_campaigns/" + campaign, key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	if got := e.do(request{method: "GET", path: "/v1/cashback_campaigns/" + campaign, key: key}).json(t); got["id"] != campaign || got["rate_bps"] != 500.0 {
		t.Fatalf("campaign %v", got)
	}
	if list := e.do(request{method: "GET", path: "/v1/cashback_campaigns", key: key}).json(t)["data"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != campaign {
		t.Fatalf("campaigns %v", list)
	}
	if list := e.do(request{method: "GET", path: "/v1/cashback_campaigns", key: other}).json(t)["data"].([]any); len(list) != 0 {
		t.Fatalf("another merchant's campaigns %v", list)
	}

	o := e.createOrder(key, `{"amount":2000,"currency":"CNY"}`)
	preview := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + o["qr"].(map[string]any)["payload"].(string) + `"}`}).json(t)
	if offers := preview["cashback"].([]any); len(offers) != 1 || offers[0].(map[string]any)["amount"] != 100.0 {
		t.Fatalf("preview %v", preview)
	}
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(o["id"].(string))}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	list := e.do(request{method: "GET", path: "/v1/cashbacks?order=" + o["id"].(string), key: key}).json(t)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["amount"] != 100.0 || list[0].(map[string]any)["status"] != "pending" {
		t.Fatalf("cashbacks %v", list)
	}
	id := list[0].(map[string]any)["id"].(string)
	e.do(request{method: "GET", path: "/v1/cashbacks/" + id, key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	mine := e.do(request{method: "GET", path: "/wallet/v1/cashbacks", key: token}).json(t)
	totals := mine["totals"].([]any)
	if len(mine["data"].([]any)) != 1 || len(totals) != 1 || totals[0].(map[string]any)["pending"] != 100.0 {
		t.Fatalf("wallet cashbacks %v", mine)
	}
	e.clock.Advance(3 * 24 * time.Hour)
	if n, err := e.checkout.ReleaseCashback(t.Context(), e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if r := e.do(request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + o["id"].(string) + `","amount":1000}`}); r.Code != 201 {
		t.Fatalf("refund: %d %s", r.Code, r.Body.String())
	}
	got := e.do(request{method: "GET", path: "/v1/cashbacks/" + id, key: key}).json(t)
	if got["amount_credited"] != 50.0 || got["amount_reversed"] != 50.0 || got["status"] != "credited" {
		t.Fatalf("cashback after half refunded %v", got)
	}
	token, err := e.wallets.CreateSession(t.Context(), "13800138000", "135790") // the first one expired days ago
	if err != nil {
		t.Fatal(err)
	}
	history := e.do(request{method: "GET", path: "/wallet/v1/transactions?limit=2", key: token}).json(t)["data"].([]any)
	kinds := map[any]bool{}
	for _, h := range history {
		kinds[h.(map[string]any)["type"]] = true
	}
	if !kinds["refund"] || !kinds["cashback"] {
		t.Fatalf("history %v: want the refund with the cashback taken back, and the credit", history)
	}
	if r := e.do(request{method: "POST", path: "/v1/cashback_campaigns/" + campaign + "/end", key: key}); r.Code != 200 || r.json(t)["status"] != "ended" {
		t.Fatalf("end: %d %s", r.Code, r.Body.String())
	}
	e.verifyLedger()
}
