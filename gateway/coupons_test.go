package gateway_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestCouponsThroughTheAPI: a merchant's campaign, a coupon sent to a
// phone and one claimed, the scan preview, a payment with a coupon, the
// order's promotion in order.paid, and every refusal as an error object.
func TestCouponsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	_, token := e.payer("13800138000", 50000)
	r := e.do(request{method: "POST", path: "/v1/coupon_campaigns", key: key,
		body: `{"name":"Three off","currency":"CNY","amount_off":300,"min_spend":1000,"max_amount":3000,"max_per_wallet":2,"claimable":true,"ends_at":"2099-01-01T00:00:00Z"}`})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	campaign := r.json(t)
	id := campaign["id"].(string)
	if campaign["object"] != "coupon_campaign" || campaign["funding"] != "merchant" || campaign["status"] != "active" ||
		campaign["budget_left"] != 3000.0 || campaign["issued"] != 0.0 {
		t.Fatalf("campaign %v", campaign)
	}
	for _, tt := range []struct{ body, param string }{
		{`{"name":"x","currency":"CNY","percent_off_bps":10001}`, "percent_off_bps"},
		{`{"name":"x","currency":"CNY","amount_off":-1}`, "amount_off"},
		{`{"name":"x","currency":"CNY","amount_off":1,"max_amount":0}`, "max_amount"},
		{`{"name":"x","currency":"CNY","amount_off":1,"starts_at":"2027-02-01T00:00:00Z","ends_at":"2027-01-01T00:00:00Z"}`, "ends_at"},
		{`{"name":"x","currency":"cny","amount_off":1}`, "currency"},
		{`{"name":"x","currency":"CNY","amount_off":1,"starts_at":"next week"}`, "starts_at"},
	} {
		e.do(request{method: "POST", path: "/v1/coupon_campaigns", key: key, body: tt.body}).
			expectError(t, 400, "invalid_request_error", "parameter_invalid", tt.param)
	}
	if n := e.count("coupon_campaigns"); n != 1 {
		t.Fatalf("%d campaigns after bad input", n)
	}
	// Another merchant sees none of it.
	e.do(request{method: "GET", path: "/v1/coupon_campaigns/" + id, key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/coupons", key: other, body: `{"phone":"13800138000"}`}).
		expectError(t, 404, "not_found_error", "resource_missing", "id")
	e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/pause", key: other}).
		expectError(t, 404, "not_found_error", "resource_missing", "id")

	sent := e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/coupons", key: key, body: `{"phone":"13800138000"}`})
	if sent.Code != 201 || sent.json(t)["status"] != "available" {
		t.Fatalf("send: %d %s", sent.Code, sent.Body.String())
	}
	e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/coupons", key: key, body: `{"phone":"13700137000"}`}).
		expectError(t, 404, "not_found_error", "resource_missing", "phone")
	claimed := e.do(request{method: "POST", path: "/wallet/v1/coupons", key: token, body: `{"campaign":"` + id + `"}`})
	if claimed.Code != 201 {
		t.Fatalf("claim: %d %s", claimed.Code, claimed.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/coupons", key: token, body: `{"campaign":"` + id + `"}`}).
		expectError(t, 409, "conflict_error", "coupon_limit_reached", "campaign")
	mine := e.do(request{method: "GET", path: "/wallet/v1/coupons", key: token}).json(t)["data"].([]any)
	if len(mine) != 2 {
		t.Fatalf("the wallet lists %d coupons, want 2", len(mine))
	}

	o := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)
	preview := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + o["qr"].(map[string]any)["payload"].(string) + `"}`}).json(t)
	offers := preview["coupons"].([]any)
	if len(offers) != 2 || offers[0].(map[string]any)["discount"] != 300.0 || offers[0].(map[string]any)["amount_payable"] != 950.0 {
		t.Fatalf("preview %v", preview)
	}
	coupon := offers[0].(map[string]any)["coupon"].(string)
	paid := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token,
		body: `{"order":"` + o["id"].(string) + `","coupon":"` + coupon + `"}`, headers: idem("pay-coupon")})
	if paid.Code != 201 || paid.json(t)["amount_paid"] != 950.0 {
		t.Fatalf("pay: %d %s", paid.Code, paid.Body.String())
	}
	order := e.do(request{method: "GET", path: "/v1/orders/" + o["id"].(string), key: key}).json(t)
	promotion, _ := order["promotion"].(map[string]any)
	if order["amount_discount"] != 300.0 || order["amount_paid"] != 950.0 || promotion["coupon"] != coupon || promotion["funding"] != "merchant" {
		t.Fatalf("order %v", order)
	}
	var payload string
	e.scan(`SELECT payload FROM events WHERE type = 'order.paid' AND order_id = ?`, &payload, o["id"])
	var event struct {
		Data struct {
			Object struct{ Promotion *struct{ Coupon string } }
		}
	}
	if err := json.Unmarshal([]byte(payload), &event); err != nil || event.Data.Object.Promotion == nil || event.Data.Object.Promotion.Coupon != coupon {
		t.Fatalf("order.paid %s (%v)", payload, err)
	}
	// Used coupons are refused by name.
	o2 := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: `{"order":"` + o2["id"].(string) + `","coupon":"` + coupon + `"}`}).
		expectError(t, 400, "invalid_request_error", "coupon_not_applicable", "coupon")
	// A paused campaign's coupons wait; the order stays payable.
	if r := e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/pause", key: key}); r.Code != 200 || r.json(t)["status"] != "paused" {
		t.Fatalf("pause: %d %s", r.Code, r.Body.String())
	}
	other2 := offers[1].(map[string]any)["coupon"].(string)
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: `{"order":"` + o2["id"].(string) + `","coupon":"` + other2 + `"}`}).
		expectError(t, 409, "conflict_error", "campaign_not_active", "coupon")
	if r := e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/end", key: key}); r.Code != 200 || r.json(t)["status"] != "ended" {
		t.Fatalf("end: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + id + "/resume", key: key}).
		expectError(t, 409, "conflict_error", "campaign_not_active", "campaign")
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(o2["id"].(string))}); r.Code != 201 {
		t.Fatalf("the order without a coupon: %d %s", r.Code, r.Body.String())
	}
	list := e.do(request{method: "GET", path: "/v1/coupon_campaigns", key: key}).json(t)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["redeemed"] != 1.0 || list[0].(map[string]any)["amount_redeemed"] != 300.0 {
		t.Fatalf("campaigns %v", list)
	}
	if got := e.do(request{method: "GET", path: "/v1/coupon_campaigns/" + id, key: key}).json(t); got["status"] != "ended" || got["redeemed"] != 1.0 {
		t.Fatalf("campaign %v", got)
	}
	e.verifyLedger()
}
