package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
)

// TestMetricsAreScraped pays, fails to pay, refunds and delivers a webhook,
// then scrapes /metrics as Prometheus would and finds each counted.
func TestMetricsAreScraped(t *testing.T) {
	e := newEnvWith(t, envOptions{allowPrivate: true})
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 2000)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer rcv.Close()
	e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, body: `{"url":"` + rcv.URL + `","enabled_events":["*"]}`})
	paid := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(paid)}); r.Code != 201 {
		t.Fatalf("pay: %d", r.Code)
	}
	tooDear := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(tooDear)})
	e.do(request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + paid + `","amount":100}`})
	e.do(request{method: "GET", path: "/v1/orders/" + paid, key: key})
	e.do(request{method: "GET", path: "/no/such/route"})
	// Make the webhook late for a moment, then deliver it.
	e.clock.Advance(3e9)
	lateBefore := metric(t, e, `scanpay_outbox_lag_seconds`)
	if _, err := e.dispatcher.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for series, want := range map[string]float64{
		`scanpay_money_movements_total{kind="payment",outcome="succeeded"}`:             1,
		`scanpay_money_movements_total{kind="payment",outcome="insufficient_funds"}`:    1,
		`scanpay_money_movements_total{kind="refund",outcome="succeeded"}`:              1,
		`scanpay_http_requests_total{method="GET",route="/v1/orders/:id",status="200"}`: 1,
		`scanpay_http_requests_total{method="GET",route="unmatched",status="404"}`:      1,
		`scanpay_webhook_attempts_total{outcome="delivered"}`:                           2, // order.paid and refund.succeeded
		`scanpay_outbox_lag_seconds`:                                                    0,
	} {
		if got := metric(t, e, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if lateBefore < 3 {
		t.Errorf("outbox lag %v before delivery, want at least 3 s", lateBefore)
	}
	if metric(t, e, `scanpay_http_request_duration_seconds_count{method="POST",route="/wallet/v1/payments"}`) != 2 {
		t.Error("payments' latency not observed")
	}
	if metric(t, e, `go_sql_max_open_connections{db_name="scanpay"}`) < 1 {
		t.Error("no database pool metrics")
	}
}

// metric scrapes /metrics and returns one series' value.
func metric(t *testing.T, e *env, series string) float64 {
	t.Helper()
	r := e.do(request{method: "GET", path: "/metrics"})
	if r.Code != 200 {
		t.Fatalf("/metrics: %d", r.Code)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(r.Body.String())
	if m == nil {
		t.Fatalf("no %s in:\n%s", series, r.Body.String())
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
