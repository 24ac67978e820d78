package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestMerchantAuthentication(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Coffee")
	_, otherKey := e.merchant("Tea")
	revoked, revokedSecret, err := e.merchants.CreateKey(context.Background(), mchID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.merchants.RevokeKey(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}

	tampered := key[:len(key)-1] + map[bool]string{true: "0", false: "1"}[!strings.HasSuffix(key, "0")]
	tests := []struct {
		name   string
		header string
		status int
		code   string
	}{
		{"no header", "", 401, "api_key_missing"},
		{"empty bearer", "Bearer ", 401, "api_key_missing"},
		{"basic scheme", "Basic dXNlcjpwYXNz", 401, "api_key_invalid"},
		{"not a key", "Bearer hello", 401, "api_key_invalid"},
		{"unknown mode", "Bearer sk_prod_" + key[len("sk_test_"):], 401, "api_key_invalid"},
		{"too short", "Bearer " + key[:len(key)-2], 401, "api_key_invalid"},
		{"bad alphabet", "Bearer " + key[:len(key)-1] + "U", 401, "api_key_invalid"},
		{"tampered", "Bearer " + tampered, 401, "api_key_invalid"},
		{"live prefix on a test key", "Bearer sk_live_" + key[len("sk_test_"):], 401, "api_key_invalid"},
		{"unknown", "Bearer sk_test_" + strings.Repeat("a", 52), 401, "api_key_invalid"},
		{"revoked", "Bearer " + revokedSecret, 401, "api_key_revoked"},
		{"valid", "Bearer " + key, 200, ""},
		{"valid, lower-case scheme", "bearer " + key, 200, ""},
		{"another merchant", "Bearer " + otherKey, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/v1/merchant", headers: map[string]string{"Authorization": tt.header}})
			if tt.status == 200 {
				if r.Code != 200 {
					t.Fatalf("status %d: %s", r.Code, r.Body.String())
				}
				return
			}
			r.expectError(t, tt.status, "authentication_error", tt.code, "")
		})
	}
	// The secret never appears in the logs, whatever happened to it.
	if strings.Contains(e.logs.String(), key[len("sk_test_"):]) {
		t.Fatal("a secret key reached the logs")
	}
}

func TestKeyIsStoredOnlyAsHash(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	var stored []string
	storagetest.Scan(t, e.db, &stored, `SELECT lookup || ' ' || hash || ' ' || last4 FROM api_keys`)
	if len(stored) != 1 {
		t.Fatalf("%d keys stored", len(stored))
	}
	if strings.Contains(stored[0], key[len("sk_test_"):]) {
		t.Fatal("the whole secret is stored")
	}
}

func TestTestAndLiveDataAreDisjoint(t *testing.T) {
	e := newEnv(t)
	mchID, testKey := e.merchant("Coffee")
	_, liveKey, err := e.merchants.CreateKey(context.Background(), mchID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(liveKey, "sk_live_") {
		t.Fatalf("live key %q", liveKey)
	}
	r := e.do(request{method: "POST", path: "/v1/orders", key: testKey, body: `{"amount":100,"currency":"CNY"}`})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	order := r.json(t)
	if order["livemode"] != false {
		t.Fatalf("test key made livemode=%v", order["livemode"])
	}
	id := order["id"].(string)
	e.do(request{method: "GET", path: "/v1/orders/" + id, key: liveKey}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	list := e.do(request{method: "GET", path: "/v1/orders", key: liveKey}).json(t)
	if n := len(list["data"].([]any)); n != 0 {
		t.Fatalf("live list shows %d test orders", n)
	}
	r = e.do(request{method: "POST", path: "/v1/orders", key: liveKey, body: `{"amount":100,"currency":"CNY"}`})
	if r.Code != http.StatusCreated || r.json(t)["livemode"] != true {
		t.Fatalf("live create: %d %s", r.Code, r.Body.String())
	}
}
