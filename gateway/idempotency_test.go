package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/gateway"
)

const orderBody = `{"amount":1250,"currency":"CNY","description":"2 coffees"}`

func idem(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

func TestIdempotentReplay(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	first := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("k1")})
	if first.Code != http.StatusCreated || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d replayed=%q", first.Code, first.Header().Get("Idempotent-Replayed"))
	}
	again := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("k1")})
	if again.Code != http.StatusCreated || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d replayed=%q", again.Code, again.Header().Get("Idempotent-Replayed"))
	}
	if again.Body.String() != first.Body.String() {
		t.Fatalf("replay body differs:\n%s\n%s", first.Body.String(), again.Body.String())
	}
	if n := e.count("orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
	// Another key is another request.
	if r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("k2")}); r.Code != 201 {
		t.Fatalf("second key: %d", r.Code)
	}
	if n := e.count("orders"); n != 2 {
		t.Fatalf("%d orders, want 2", n)
	}
}

func TestIdempotencyKeyReusedWithAnotherBody(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("k1")})
	r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1,"currency":"CNY"}`, headers: idem("k1")})
	r.expectError(t, 409, "conflict_error", "idempotency_key_reused", "Idempotency-Key")
	// Same body on another path is another request too.
	first := e.do(request{method: "GET", path: "/v1/orders", key: key}).json(t)["data"].([]any)[0].(map[string]any)
	r = e.do(request{method: "POST", path: "/v1/orders/" + first["id"].(string) + "/cancel", key: key, body: orderBody, headers: idem("k1")})
	r.expectError(t, 409, "conflict_error", "idempotency_key_reused", "Idempotency-Key")
	if n := e.count("orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

func TestIdempotencyKeysAreScopedToMerchantAndMode(t *testing.T) {
	e := newEnv(t)
	mchID, a := e.merchant("Coffee")
	_, b := e.merchant("Tea")
	_, live, _ := e.merchants.CreateKey(context.Background(), mchID, true)
	for _, k := range []string{a, b, live} {
		if r := e.do(request{method: "POST", path: "/v1/orders", key: k, body: orderBody, headers: idem("same")}); r.Code != 201 || r.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("%d replayed=%q", r.Code, r.Header().Get("Idempotent-Replayed"))
		}
	}
	if n := e.count("orders"); n != 3 {
		t.Fatalf("%d orders, want 3", n)
	}
}

func TestIdempotencyKeyValidation(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	for _, k := range []string{"", strings.Repeat("k", 256)} {
		r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem(k)})
		r.expectError(t, 400, "invalid_request_error", "parameter_invalid", "Idempotency-Key")
	}
	if r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem(strings.Repeat("k", 255))}); r.Code != 201 {
		t.Fatalf("255-char key: %d", r.Code)
	}
	if n := e.count("orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

func TestIdempotencyConcurrentRequestsMakeOneEffect(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	const n = 20
	responses := e.doAtOnce(n, func(int) request {
		return request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("burst")}
	})
	originals, replays, inUse := 0, 0, 0
	var id string
	for _, r := range responses {
		switch {
		case r.Code == 201 && r.Header().Get("Idempotent-Replayed") == "":
			originals++
			id = r.json(t)["id"].(string)
		case r.Code == 201:
			replays++
		case r.Code == 409 && r.apiError(t).Code == "idempotency_key_in_use":
			inUse++
		default:
			t.Fatalf("unexpected response %d: %s", r.Code, r.Body.String())
		}
	}
	if originals != 1 || originals+replays+inUse != n {
		t.Fatalf("originals=%d replays=%d in_use=%d", originals, replays, inUse)
	}
	for _, r := range responses {
		if r.Code == 201 && r.json(t)["id"] != id {
			t.Fatal("a replay returned another order")
		}
	}
	if c := e.count("orders"); c != 1 {
		t.Fatalf("%d orders from one key, want 1", c)
	}
}

func TestIdempotencyKeyInUseAndCrashedHolder(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Coffee")
	hash := requestHash(t, e, key, orderBody)
	// A request that is still running holds its key.
	now := e.clock.Now()
	e.db.Exec(`INSERT INTO idempotency_keys (scope, idem_key, request_hash, locked_until, created_at) VALUES (?, 'held', ?, ?, ?)`,
		mchID+"/test", hash, now.Add(30*time.Second), now)
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("held")}).
		expectError(t, 409, "conflict_error", "idempotency_key_in_use", "Idempotency-Key")
	if n := e.count("orders"); n != 0 {
		t.Fatalf("%d orders while the key was held", n)
	}
	// Once its lease runs out, the holder is taken for crashed and a retry runs.
	e.clock.Advance(2 * time.Minute)
	r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("held")})
	if r.Code != 201 || r.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry after lease: %d %s", r.Code, r.Body.String())
	}
	if n := e.count("orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

// requestHash finds the hash the gateway stores for a body by making the
// request once under a throwaway key.
func requestHash(t *testing.T, e *env, key, body string) string {
	t.Helper()
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":`, headers: idem("probe")})
	var hash string
	e.db.Raw(`SELECT request_hash FROM idempotency_keys WHERE idem_key = 'probe'`).Scan(&hash)
	e.db.Exec(`DELETE FROM idempotency_keys WHERE idem_key = 'probe'`)
	if hash == "" {
		t.Fatal("no hash stored")
	}
	// The probe's body differs; recompute the same way for the real one.
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: body, headers: idem("probe")})
	e.db.Raw(`SELECT request_hash FROM idempotency_keys WHERE idem_key = 'probe'`).Scan(&hash)
	e.db.Exec(`DELETE FROM idempotency_keys WHERE idem_key = 'probe'`)
	e.db.Exec(`DELETE FROM orders`)
	return hash
}

func TestIdempotencyKeysExpireAfter24Hours(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("day")})
	e.clock.Advance(23 * time.Hour)
	if r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("day")}); r.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatal("key forgotten within 24 h")
	}
	e.clock.Advance(2 * time.Hour)
	if r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("day")}); r.Code != 201 || r.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("expired key still replays: %d", r.Code)
	}
	if n := e.count("orders"); n != 2 {
		t.Fatalf("%d orders, want 2", n)
	}
	// Pruning removes keys past their day and keeps the rest.
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("fresh")})
	e.clock.Advance(24*time.Hour + time.Minute)
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem("newest")})
	pruned, err := gateway.PruneIdempotencyKeys(context.Background(), e.db, e.clock.Now())
	if err != nil || pruned != 2 {
		t.Fatalf("pruned %d (%v), want 2", pruned, err)
	}
	if n := e.count("idempotency_keys"); n != 1 {
		t.Fatalf("%d keys left, want 1", n)
	}
}

func TestIdempotentValidationErrorsReplay(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	bad := `{"amount":0,"currency":"CNY"}`
	first := e.do(request{method: "POST", path: "/v1/orders", key: key, body: bad, headers: idem("bad")})
	first.expectError(t, 400, "invalid_request_error", "parameter_invalid", "amount")
	again := e.do(request{method: "POST", path: "/v1/orders", key: key, body: bad, headers: idem("bad")})
	again.expectError(t, 400, "invalid_request_error", "parameter_invalid", "amount")
	if again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatal("a 4xx answer is not replayed")
	}
}
