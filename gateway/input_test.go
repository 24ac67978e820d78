package gateway_test

import (
	"net/http"
	"testing"
)

// TestTextNoIDCanHoldIsRefusedAtTheEdge sends bytes that are not UTF-8 and
// NUL characters everywhere a client can put text. PostgreSQL refuses both
// in a query, which used to surface as a 500; every one must be a 4xx
// error object, the same on both databases, and change nothing.
func TestTextNoIDCanHoldIsRefusedAtTheEdge(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	_, token := e.payer("13800138000", 50000)
	paid := e.createOrder(key, orderBody)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(paid)}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	before := e.dump()

	for _, tt := range []struct {
		req    request
		status int
		param  string
	}{
		{request{method: "GET", path: "/v1/orders/%ff", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/orders/%00", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/orders/%ff/qr.png", key: key}, 404, "id"},
		{request{method: "POST", path: "/v1/orders/%80/cancel", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/refunds/%00", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/events/%00", key: key}, 404, "id"},
		{request{method: "POST", path: "/v1/events/%ff/resend", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/webhook_endpoints/%ff", key: key}, 404, "id"},
		{request{method: "GET", path: "/v1/webhook_endpoints/%ff/deliveries", key: key}, 404, "id"},
		{request{method: "GET", path: "/pay/%ff"}, 404, "id"},
		{request{method: "GET", path: "/pay/%00/events"}, 404, "id"},
		{request{method: "GET", path: "/q/%ff"}, 404, "code"},
		{request{method: "GET", path: "/v1/orders?starting_after=%ff", key: key}, 400, "starting_after"},
		{request{method: "GET", path: "/v1/orders?reference=%00", key: key}, 400, "reference"},
		{request{method: "GET", path: "/v1/orders?status=%ff", key: key}, 400, "status"},
		{request{method: "GET", path: "/v1/refunds?order=%ff", key: key}, 400, "order"},
		{request{method: "GET", path: "/v1/events?order=%00", key: key}, 400, "order"},
		{request{method: "GET", path: "/wallet/v1/transactions?starting_after=%ff", key: token}, 400, "starting_after"},
		{request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"ord_\u0000","amount":1}`}, 400, "order"},
		{request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1,"currency":"CNY","metadata":{"k\u0000":"v"}}`}, 400, "metadata"},
		{request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1,"currency":"CNY","metadata":{"k\u0007":"v"}}`}, 400, "metadata"},
		{request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1,"currency":"CN\u0000"}`}, 400, "currency"},
		{request{method: "POST", path: "/wallet/v1/payments", key: token, body: `{"order":"ord_\u0000"}`}, 400, "order"},
		{request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + baseURL + `/q/%ff"}`}, 404, "payload"},
		{request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + baseURL + `/q/%00%00"}`}, 404, "payload"},
		{request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"1380013800\u0000","pin":"135790"}`}, 400, "phone"},
		{request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("\xff")}, 400, "Idempotency-Key"},
		{request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("\x80abc")}, 400, "Idempotency-Key"},
	} {
		t.Run(tt.req.method+" "+tt.req.path+" "+tt.req.body, func(t *testing.T) {
			r := e.do(tt.req)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Code, tt.status, r.Body.String())
			}
			if got := r.apiError(t); got.Param != tt.param || got.Message == "" {
				t.Fatalf("error %+v, want one naming %s", got, tt.param)
			}
		})
	}
	if after := e.dump(); after != before {
		t.Fatal("a refused request changed the database")
	}
	if r := e.do(request{method: "GET", path: "/v1/orders/" + paid, key: key}); r.Code != http.StatusOK ||
		r.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("good request: %d, nosniff=%q", r.Code, r.Header().Get("X-Content-Type-Options"))
	}
}
