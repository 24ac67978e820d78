package gateway_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var clientSecretRE = regexp.MustCompile(`^(ord_[0-9a-z]{26})_secret_[0-9a-z]{26}$`)

// TestClientSecretOpensOnlyItsOrder: the client secret opens its order's
// public view, QR images and status stream, and nothing else; every wrong
// use is the same 404, and it cannot list, cancel or refund.
func TestClientSecretOpensOnlyItsOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	a := e.createOrder(key, `{"amount":1250,"currency":"CNY","description":"2 coffees","reference":"A-1","metadata":{"table":"7"}}`)
	b := e.createOrder(key, `{"amount":900,"currency":"CNY"}`)
	id, secret := a["id"].(string), a["client_secret"].(string)
	if m := clientSecretRE.FindStringSubmatch(secret); m == nil || m[1] != id || b["client_secret"] == secret {
		t.Fatalf("client secrets %q and %q of %s", secret, b["client_secret"], id)
	}
	if a["source"] != "api" {
		t.Fatalf("source %v", a["source"])
	}
	// The merchant reads it back, in the order and in lists.
	if got := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t); got["client_secret"] != secret {
		t.Fatalf("merchant read %v", got["client_secret"])
	}
	listed := e.do(request{method: "GET", path: "/v1/orders?reference=A-1", key: key}).json(t)["data"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["client_secret"] != secret {
		t.Fatalf("list %v", listed)
	}

	q := "?client_secret=" + secret
	view := e.do(request{method: "GET", path: "/v1/orders/" + id + q + "&locale=zh"})
	if view.Code != 200 {
		t.Fatalf("view: %d %s", view.Code, view.Body.String())
	}
	v := view.json(t)
	display := v["display"].(map[string]any)
	if v["id"] != id || v["status"] != "pending" || v["amount"] != 1250.0 || v["merchant_name"] != "Blue Bottle" ||
		v["description"] != "2 coffees" || v["seconds_remaining"] != 900.0 || v["livemode"] != false ||
		display["amount"] != "¥12.50" || display["currency"] != "人民币 · CNY" || display["locale"] != "zh" {
		t.Fatalf("public view %v", v)
	}
	for _, hidden := range []string{"metadata", "reference", "fee", "client_secret", "checkout_url", "amount_refunded"} {
		if _, ok := v[hidden]; ok {
			t.Errorf("the public view shows %s", hidden)
		}
	}
	if en := e.do(request{method: "GET", path: "/v1/orders/" + id + q, headers: map[string]string{"Accept-Language": "en-US"}}).json(t); en["display"].(map[string]any)["currency"] != "Chinese yuan · CNY" {
		t.Fatalf("English view %v", en["display"])
	}
	for path, typ := range map[string]string{"/qr.png": "image/png", "/qr.svg": "image/svg+xml"} {
		r := e.do(request{method: "GET", path: "/v1/orders/" + id + path + q})
		if r.Code != 200 || r.Header().Get("Content-Type") != typ || r.Body.Len() == 0 {
			t.Fatalf("%s: %d %s", path, r.Code, r.Header().Get("Content-Type"))
		}
	}

	// Every wrong secret is the same 404, on every endpoint it opens.
	_, otherSecret := b["id"].(string), b["client_secret"].(string)
	wrong := secret[:len(secret)-1] + map[bool]string{true: "0", false: "1"}[!strings.HasSuffix(secret, "0")]
	var first string
	for _, path := range []string{"", "/qr.png", "/qr.svg", "/events"} {
		for name, url := range map[string]string{
			"another order's secret":           "/v1/orders/" + id + path + "?client_secret=" + otherSecret,
			"a wrong secret":                   "/v1/orders/" + id + path + "?client_secret=" + wrong,
			"a malformed secret":               "/v1/orders/" + id + path + "?client_secret=hello",
			"an empty secret":                  "/v1/orders/" + id + path + "?client_secret=",
			"an unknown order":                 "/v1/orders/ord_00000000000000000000000000" + path + "?client_secret=ord_00000000000000000000000000_secret_" + strings.Repeat("a", 26),
			"the secret's own order elsewhere": "/v1/orders/" + b["id"].(string) + path + q,
		} {
			r := e.do(request{method: "GET", path: url})
			r.expectError(t, 404, "not_found_error", "resource_missing", "client_secret")
			if first == "" {
				first = r.Body.String()
			}
			if r.Body.String() != first {
				t.Errorf("%s on %q: %s, want the same body as every refusal: %s", name, path, r.Body.String(), first)
			}
		}
	}
	// It is no key: it cannot list, cancel, refund or read the merchant.
	for _, r := range []request{
		{method: "GET", path: "/v1/orders" + q},
		{method: "POST", path: "/v1/orders/" + id + "/cancel" + q},
		{method: "POST", path: "/v1/refunds" + q, body: `{"order":"` + id + `"}`},
		{method: "GET", path: "/v1/merchant" + q},
		{method: "GET", path: "/v1/events" + q},
	} {
		e.do(r).expectError(t, 401, "authentication_error", "api_key_missing", "")
	}
	if got := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t); got["status"] != "pending" {
		t.Fatalf("the order is %v after a client secret tried to cancel it", got["status"])
	}

	// The stream says the status and ends once the order is over.
	canceled := e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key})
	if canceled.Code != 200 || canceled.json(t)["client_secret"] != secret {
		t.Fatalf("cancel: %d %s", canceled.Code, canceled.Body.String())
	}
	stream := e.do(request{method: "GET", path: "/v1/orders/" + id + "/events" + q})
	if stream.Code != 200 || stream.Header().Get("Content-Type") != "text/event-stream" ||
		stream.Body.String() != "event: status\ndata: {\"status\":\"canceled\"}\n\n" {
		t.Fatalf("stream: %d %q", stream.Code, stream.Body.String())
	}
	// The merchant may follow it with its key too; another merchant may not.
	if r := e.do(request{method: "GET", path: "/v1/orders/" + id + "/events", key: key}); !strings.Contains(r.Body.String(), "canceled") {
		t.Fatalf("merchant's stream: %d %s", r.Code, r.Body.String())
	}
	_, otherKey := e.merchant("Tea")
	e.do(request{method: "GET", path: "/v1/orders/" + id + "/events", key: otherKey}).expectError(t, 404, "not_found_error", "resource_missing", "id")

	// Events never carry it.
	var payload string
	e.scan(`SELECT payload FROM events WHERE type = 'order.canceled' AND order_id = ?`, &payload, id)
	if !strings.Contains(payload, id) || strings.Contains(payload, "client_secret") || strings.Contains(payload, secret) {
		t.Fatalf("order.canceled carries the client secret: %s", payload)
	}
}

// TestCORSOnTheBrowserEndpointsOnly: pages of any origin may read what a
// client secret opens, errors included, and preflight it; no credentials,
// no Authorization header, and no other endpoint answers them.
func TestCORSOnTheBrowserEndpointsOnly(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)
	id, secret := o["id"].(string), o["client_secret"].(string)
	origin := map[string]string{"Origin": "https://shop.example"}
	for _, path := range []string{"/v1/orders/" + id, "/v1/orders/" + id + "/qr.png", "/v1/orders/" + id + "/qr.svg", "/v1/orders/" + id + "/events"} {
		pre := e.do(request{method: "OPTIONS", path: path + "?client_secret=" + secret, headers: map[string]string{
			"Origin": "https://shop.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "last-event-id"}})
		h := pre.Header()
		if pre.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Last-Event-ID") ||
			strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") ||
			h.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("preflight of %s: %d %v", path, pre.Code, h)
		}
		bad := e.do(request{method: "GET", path: path + "?client_secret=nope", headers: origin})
		if bad.Code != 404 || bad.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("a refusal of %s is unreadable from a page: %d %v", path, bad.Code, bad.Header())
		}
	}
	if r := e.do(request{method: "GET", path: "/v1/orders/" + id + "?client_secret=" + secret, headers: origin}); r.Code != 200 ||
		r.Header().Get("Access-Control-Allow-Origin") != "*" || r.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("view: %d %v", r.Code, r.Header())
	}
	// Nothing else.
	for _, r := range []request{
		{method: "GET", path: "/v1/orders", key: key, headers: origin},
		{method: "OPTIONS", path: "/v1/orders", headers: origin},
		{method: "OPTIONS", path: "/v1/orders/" + id + "/cancel", headers: origin},
		{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: origin},
		{method: "GET", path: "/v1/merchant", key: key, headers: origin},
		{method: "GET", path: "/pay/" + id, headers: origin},
		{method: "GET", path: "/js/v1/scanpay.js", headers: origin},
	} {
		if got := e.do(r).Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s %s allows origin %q", r.method, r.path, got)
		}
	}
}
