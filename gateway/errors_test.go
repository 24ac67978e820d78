package gateway_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/merchant"
)

func TestBadRequestsAreClearAndStoreNothing(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	big := `{"amount":100,"currency":"CNY","description":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		param  string
	}{
		{"malformed", `{"amount":`, 400, "invalid_json", ""},
		{"not json", `amount=100`, 400, "invalid_json", ""},
		{"array", `[1,2]`, 400, "invalid_json", ""},
		{"two values", `{"amount":100,"currency":"CNY"} {}`, 400, "invalid_json", ""},
		{"string amount", `{"amount":"100","currency":"CNY"}`, 400, "parameter_invalid", "amount"},
		{"fractional amount", `{"amount":12.5,"currency":"CNY"}`, 400, "parameter_invalid", "amount"},
		{"overflowing amount", `{"amount":99999999999999999999,"currency":"CNY"}`, 400, "parameter_invalid", "amount"},
		{"number currency", `{"amount":100,"currency":156}`, 400, "parameter_invalid", "currency"},
		{"metadata not strings", `{"amount":100,"currency":"CNY","metadata":{"a":1}}`, 400, "parameter_invalid", "metadata"},
		{"unknown field", `{"amount":100,"currency":"CNY","status":"paid"}`, 400, "parameter_unknown", "status"},
		{"too large", big, 413, "body_too_large", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: tt.body})
			r.expectError(t, tt.status, "invalid_request_error", tt.code, tt.param)
		})
	}
	if n := e.count("orders"); n != 0 {
		t.Fatalf("%d orders stored by bad requests", n)
	}
}

func TestBodyLimitWithoutContentLength(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	body := `{"amount":100,"currency":"CNY","description":"` + strings.Repeat("x", 2<<20) + `"}`
	req := httptest.NewRequest("POST", "/v1/orders", struct{ *strings.Reader }{strings.NewReader(body)})
	req.ContentLength = -1 // chunked: the limit must hold while reading
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	response{rec}.expectError(t, 413, "invalid_request_error", "body_too_large", "")
}

func TestUnknownRouteIsAnErrorObject(t *testing.T) {
	e := newEnv(t)
	e.do(request{method: "GET", path: "/v2/nothing"}).expectError(t, 404, "not_found_error", "route_not_found", "")
}

func TestPanicBecomesOpaque500(t *testing.T) {
	// A gateway missing its checkout service panics on order routes; the
	// client must see a plain api_error and the log the real cause.
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	logs := &bytes.Buffer{}
	broken, err := gateway.New(gateway.Config{BaseURL: baseURL, SecretKey: testGatewayKey}, gateway.Deps{
		DB: e.db, Log: slog.New(slog.NewTextHandler(logs, nil)), Now: e.clock.Now,
		Merchants: merchant.NewService(e.db, e.clock.Now),
	})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/orders", strings.NewReader(`{"amount":100,"currency":"CNY"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Idempotency-Key", "panic-1")
	rec := httptest.NewRecorder()
	broken.ServeHTTP(rec, req)
	r := response{rec}
	r.expectError(t, http.StatusInternalServerError, "api_error", "internal_error", "")
	for _, leak := range []string{"nil pointer", "runtime error", "goroutine", ".go:"} {
		if strings.Contains(r.Body.String(), leak) {
			t.Fatalf("500 body leaks %q: %s", leak, r.Body.String())
		}
	}
	if !strings.Contains(logs.String(), "panic") || !strings.Contains(logs.String(), r.Header().Get("Request-Id")) {
		t.Fatalf("panic not logged with its request id:\n%s", logs.String())
	}
	// The idempotency key of a request that crashed is released, so a
	// retry runs for real rather than replaying a 500.
	if n := e.count("idempotency_keys"); n != 0 {
		t.Fatalf("%d idempotency keys left after a panic", n)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	if r := e.do(request{method: "GET", path: "/healthz"}); r.Code != 200 {
		t.Fatalf("healthz %d", r.Code)
	}
	if r := e.do(request{method: "GET", path: "/readyz"}); r.Code != 200 {
		t.Fatalf("readyz %d", r.Code)
	}
	e.server.Drain()
	e.do(request{method: "GET", path: "/readyz"}).expectError(t, 503, "api_error", "not_ready", "")
}

func TestReadinessFailsWithoutDatabase(t *testing.T) {
	e := newEnv(t)
	sqlDB, _ := e.db.DB()
	sqlDB.Close()
	e.do(request{method: "GET", path: "/readyz"}).expectError(t, 503, "api_error", "not_ready", "")
}

func TestEveryResponseHasRequestID(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	seen := map[string]bool{}
	for _, r := range []request{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/v1/merchant"},
		{method: "GET", path: "/v1/merchant", key: key},
		{method: "GET", path: "/nope"},
	} {
		id := e.do(r).Header().Get("Request-Id")
		if !strings.HasPrefix(id, "req_") || seen[id] {
			t.Fatalf("%s %s: Request-Id %q", r.method, r.path, id)
		}
		seen[id] = true
	}
}
