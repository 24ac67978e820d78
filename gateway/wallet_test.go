package gateway_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/gateway"
)

func TestWalletRoutes(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	r := e.do(request{method: "POST", path: "/wallet/v1/accounts", body: `{"phone":"138 0013 8000","pin":"135790"}`})
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	created := r.json(t)
	account := created["account"].(map[string]any)
	if !strings.HasPrefix(account["id"].(string), "wal_") || strings.Contains(r.Body.String(), "13800138000") || strings.Contains(r.Body.String(), "135790") {
		t.Fatalf("account %s shows the phone or the PIN", r.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/accounts", body: `{"phone":"13800138000","pin":"246810"}`}).
		expectError(t, 409, "conflict_error", "phone_already_registered", "phone")
	// Signing up again with an Idempotency-Key replays the first answer.
	first := e.do(request{method: "POST", path: "/wallet/v1/accounts", body: `{"phone":"13600136000","pin":"135790"}`, headers: idem("signup")})
	again := e.do(request{method: "POST", path: "/wallet/v1/accounts", body: `{"phone":"13600136000","pin":"135790"}`, headers: idem("signup")})
	if first.Code != 201 || again.Code != 201 || again.Header().Get("Idempotent-Replayed") != "true" || again.Body.String() != first.Body.String() {
		t.Fatalf("signup retry: %d %d %s", first.Code, again.Code, again.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/accounts", body: `{"phone":"13900139000","pin":"123456"}`}).
		expectError(t, 400, "invalid_request_error", "pin_too_simple", "pin")
	e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13800138000","pin":"246810"}`}).
		expectError(t, 401, "authentication_error", "invalid_credentials", "")
	e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13700137000","pin":"246810"}`}).
		expectError(t, 401, "authentication_error", "invalid_credentials", "")
	session := e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13800138000","pin":"135790"}`})
	if session.Code != 201 {
		t.Fatalf("session: %d %s", session.Code, session.Body.String())
	}
	token := session.json(t)["token"].(string)

	// A merchant key is no wallet session, and the other way round.
	e.do(request{method: "GET", path: "/wallet/v1/balance", key: key}).expectError(t, 401, "authentication_error", "invalid_session", "")
	e.do(request{method: "GET", path: "/v1/orders", key: token}).expectError(t, 401, "authentication_error", "api_key_invalid", "")

	if r := e.do(request{method: "POST", path: "/wallet/v1/topups", key: token, body: `{"amount":30000,"currency":"CNY"}`}); r.Code != 201 || r.json(t)["object"] != "topup" {
		t.Fatalf("topup: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/topups", key: token, body: `{"amount":404,"currency":"CNY"}`}).
		expectError(t, 402, "invalid_request_error", "bank_declined", "")
	e.do(request{method: "POST", path: "/wallet/v1/topups", key: token, body: `{"currency":"CNY"}`}).
		expectError(t, 400, "invalid_request_error", "parameter_missing", "amount")
	e.do(request{method: "POST", path: "/wallet/v1/withdrawals", key: token, body: `{"amount":40000,"currency":"CNY"}`}).
		expectError(t, 402, "invalid_request_error", "insufficient_funds", "")
	if r := e.do(request{method: "POST", path: "/wallet/v1/withdrawals", key: token, body: `{"amount":10000,"currency":"CNY"}`}); r.Code != 201 {
		t.Fatalf("withdraw: %d %s", r.Code, r.Body.String())
	}
	balance := e.do(request{method: "GET", path: "/wallet/v1/balance", key: token}).json(t)["available"].([]any)
	if len(balance) != 1 || balance[0].(map[string]any)["amount"] != 20000.0 {
		t.Fatalf("balance %v", balance)
	}
	history := e.do(request{method: "GET", path: "/wallet/v1/transactions?limit=1", key: token}).json(t)
	if history["has_more"] != true || history["data"].([]any)[0].(map[string]any)["amount"] != -10000.0 {
		t.Fatalf("history %v", history)
	}

	// Report lost: payments stop until the PIN unfreezes the wallet.
	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/account/freeze", key: token}); r.Code != 200 || r.json(t)["frozen"] != true {
		t.Fatalf("freeze: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}).
		expectError(t, 403, "permission_error", "wallet_frozen", "")
	e.do(request{method: "POST", path: "/wallet/v1/account/unfreeze", key: token, body: `{"pin":"000001"}`}).
		expectError(t, 402, "invalid_request_error", "incorrect_pin", "pin")
	if r := e.do(request{method: "POST", path: "/wallet/v1/account/unfreeze", key: token, body: `{"pin":"135790"}`}); r.Code != 200 || r.json(t)["frozen"] != false {
		t.Fatalf("unfreeze: %d %s", r.Code, r.Body.String())
	}
	// A no-PIN limit of zero makes every payment ask for the PIN.
	if r := e.do(request{method: "POST", path: "/wallet/v1/account", key: token, body: `{"no_pin_limit":0,"pin":"135790"}`}); r.Code != 200 || r.json(t)["no_pin_limit"] != 0.0 {
		t.Fatalf("limit: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}).
		expectError(t, 402, "invalid_request_error", "pin_required", "pin")
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: `{"order":"` + id + `","pin":"135790"}`}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	if a := e.do(request{method: "GET", path: "/wallet/v1/account", key: token}).json(t); a["id"] != account["id"] {
		t.Fatalf("account %v", a)
	}
	e.verifyLedger()
}

// TestFailedSignInsAreLimitedPerAddress: one address that keeps failing to
// sign in or sign up is refused for the rest of the window, whatever
// X-Forwarded-For it claims; other addresses are not.
func TestFailedSignInsAreLimitedPerAddress(t *testing.T) {
	e := newEnv(t)
	e.payer("13800138000", 0)
	stranger, neighbour := "10.1.2.3:5555", "10.9.9.9:5555"
	for i := range gateway.DefaultSignInLimit {
		path, body := "/wallet/v1/sessions", fmt.Sprintf(`{"phone":"1390013%04d","pin":"135790"}`, i)
		if i%2 == 1 { // an existing phone: sign-up probes count too
			path, body = "/wallet/v1/accounts", `{"phone":"13800138000","pin":"135790"}`
		}
		r := e.do(request{method: "POST", path: path, body: body, remote: stranger,
			headers: map[string]string{"X-Forwarded-For": fmt.Sprintf("172.16.0.%d", i)}})
		if r.Code != 401 && r.Code != 409 {
			t.Fatalf("attempt %d: %d %s", i, r.Code, r.Body.String())
		}
	}
	refused := e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13800138000","pin":"135790"}`, remote: stranger})
	refused.expectError(t, 429, "rate_limit_error", "rate_limited", "")
	if s, err := strconv.Atoi(refused.Header().Get("Retry-After")); err != nil || s < 1 || s > 600 {
		t.Fatalf("Retry-After %q", refused.Header().Get("Retry-After"))
	}
	if r := e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13800138000","pin":"135790"}`, remote: neighbour}); r.Code != 201 {
		t.Fatalf("another address: %d %s", r.Code, r.Body.String())
	}
	e.clock.Advance(10 * time.Minute)
	if r := e.do(request{method: "POST", path: "/wallet/v1/sessions", body: `{"phone":"13800138000","pin":"135790"}`, remote: stranger}); r.Code != 201 {
		t.Fatalf("after the window: %d %s", r.Code, r.Body.String())
	}
	pruned, err := gateway.PruneRateLimits(context.Background(), e.db, e.clock.Now())
	if err != nil || pruned != 1 {
		t.Fatalf("pruned %d, %v; want the stranger's ended window", pruned, err)
	}
}
