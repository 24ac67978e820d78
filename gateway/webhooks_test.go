package gateway_test

import (
	"context"
	"strings"
	"testing"
)

// publicHook is a URL on a public address, so no DNS lookup is needed.
const publicHook = "https://93.184.216.34/hooks/scanpay"

func TestWebhookEndpoints(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	r := e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key,
		body: `{"url":"` + publicHook + `","enabled_events":["order.paid","refund.succeeded"],"description":"books"}`})
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	created := r.json(t)
	id, secret := created["id"].(string), created["secret"].(string)
	if !strings.HasPrefix(id, "we_") || !strings.HasPrefix(secret, "whsec_") || created["status"] != "enabled" ||
		len(created["enabled_events"].([]any)) != 2 || created["object"] != "webhook_endpoint" {
		t.Fatalf("endpoint %v", created)
	}
	got := e.do(request{method: "GET", path: "/v1/webhook_endpoints/" + id, key: key})
	if got.Code != 200 || strings.Contains(got.Body.String(), "whsec_") {
		t.Fatalf("get shows the secret or fails: %d %s", got.Code, got.Body.String())
	}
	if l := e.do(request{method: "GET", path: "/v1/webhook_endpoints", key: key}).json(t)["data"].([]any); len(l) != 1 {
		t.Fatalf("list has %d", len(l))
	}
	e.do(request{method: "GET", path: "/v1/webhook_endpoints/" + id, key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	e.do(request{method: "GET", path: "/v1/webhook_endpoints/" + id + "/deliveries", key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	if d := e.do(request{method: "GET", path: "/v1/webhook_endpoints/" + id + "/deliveries", key: key}); d.Code != 200 || d.json(t)["object"] != "list" {
		t.Fatalf("deliveries: %d %s", d.Code, d.Body.String())
	}

	rotated := e.do(request{method: "POST", path: "/v1/webhook_endpoints/" + id + "/rotate_secret", key: key}).json(t)
	if s, _ := rotated["secret"].(string); !strings.HasPrefix(s, "whsec_") || s == secret {
		t.Fatalf("rotation gave %v", rotated["secret"])
	}
	if d := e.do(request{method: "DELETE", path: "/v1/webhook_endpoints/" + id, key: key}); d.Code != 200 || d.json(t)["deleted"] != true {
		t.Fatalf("delete: %d %s", d.Code, d.Body.String())
	}
	e.do(request{method: "GET", path: "/v1/webhook_endpoints/" + id, key: key}).expectError(t, 404, "not_found_error", "resource_missing", "id")
}

func TestWebhookEndpointBadInput(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	_, live, _ := e.merchants.CreateKey(context.Background(), mchID, true)
	for _, tt := range []struct {
		name, key, body, param string
	}{
		{"no url", key, `{"enabled_events":["*"]}`, "url"},
		{"not a url", key, `{"url":"hooks","enabled_events":["*"]}`, "url"},
		{"ftp", key, `{"url":"ftp://93.184.216.34/x","enabled_events":["*"]}`, "url"},
		{"http in live mode", live, `{"url":"http://93.184.216.34/x","enabled_events":["*"]}`, "url"},
		{"loopback", key, `{"url":"http://127.0.0.1:9000/x","enabled_events":["*"]}`, "url"},
		{"private", key, `{"url":"https://10.0.0.5/x","enabled_events":["*"]}`, "url"},
		{"metadata service", key, `{"url":"http://169.254.169.254/latest","enabled_events":["*"]}`, "url"},
		{"localhost", key, `{"url":"http://localhost/x","enabled_events":["*"]}`, "url"},
		{"no events", key, `{"url":"` + publicHook + `"}`, "enabled_events"},
		{"empty events", key, `{"url":"` + publicHook + `","enabled_events":[]}`, "enabled_events"},
		{"unknown event", key, `{"url":"` + publicHook + `","enabled_events":["order.lost"]}`, "enabled_events"},
		{"star and more", key, `{"url":"` + publicHook + `","enabled_events":["*","order.paid"]}`, "enabled_events"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: tt.key, body: tt.body})
			if r.Code != 400 || r.apiError(t).Param != tt.param || r.apiError(t).Type != "invalid_request_error" {
				t.Fatalf("%d %s", r.Code, r.Body.String())
			}
		})
	}
	if n := e.count("webhook_endpoints"); n != 0 {
		t.Fatalf("%d endpoints stored by bad input", n)
	}
	// http is fine in test mode.
	if r := e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, body: `{"url":"http://93.184.216.34/x","enabled_events":["*"]}`}); r.Code != 201 {
		t.Fatalf("http in test mode: %d %s", r.Code, r.Body.String())
	}
}

func TestEventLog(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, body: `{"url":"` + publicHook + `","enabled_events":["order.canceled"]}`})
	e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, body: `{"url":"` + publicHook + `","enabled_events":["*"]}`})
	e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, body: `{"url":"` + publicHook + `","enabled_events":["order.paid"]}`})
	a := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	b := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	e.do(request{method: "POST", path: "/v1/orders/" + a + "/cancel", key: key})
	e.do(request{method: "POST", path: "/v1/orders/" + b + "/cancel", key: key})

	list := e.do(request{method: "GET", path: "/v1/events?type=order.canceled", key: key}).json(t)["data"].([]any)
	if len(list) != 2 {
		t.Fatalf("%d events", len(list))
	}
	byOrder := e.do(request{method: "GET", path: "/v1/events?order=" + a, key: key}).json(t)["data"].([]any)
	if len(byOrder) != 1 {
		t.Fatalf("%d events for order %s", len(byOrder), a)
	}
	ev := byOrder[0].(map[string]any)
	obj := ev["data"].(map[string]any)["object"].(map[string]any)
	if ev["type"] != "order.canceled" || ev["object"] != "event" || obj["id"] != a || obj["status"] != "canceled" {
		t.Fatalf("event %v", ev)
	}
	id := ev["id"].(string)
	if g := e.do(request{method: "GET", path: "/v1/events/" + id, key: key}); g.Code != 200 || g.json(t)["id"] != id {
		t.Fatalf("get event: %d", g.Code)
	}
	e.do(request{method: "GET", path: "/v1/events/" + id, key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	if l := e.do(request{method: "GET", path: "/v1/events", key: other}).json(t)["data"].([]any); len(l) != 0 {
		t.Fatal("another merchant sees the events")
	}
	// Resend queues it again for the two endpoints subscribed to it.
	r := e.do(request{method: "POST", path: "/v1/events/" + id + "/resend", key: key})
	if r.Code != 200 || r.json(t)["deliveries_queued"] != 2.0 {
		t.Fatalf("resend: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/v1/events/evt_nope/resend", key: key}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	e.do(request{method: "GET", path: "/v1/events?type=order.lost", key: key}).expectError(t, 400, "invalid_request_error", "parameter_invalid", "type")
}
