package gateway_test

import (
	"context"
	"fmt"
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

func TestIdempotencyKeyMustBeText(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	for _, k := range []string{"\xff\xfe", "k\x80", "a\x00b", "tab\there", strings.Repeat("键", 256)} {
		r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem(k)})
		r.expectError(t, 400, "invalid_request_error", "parameter_invalid", "Idempotency-Key")
	}
	// The limit counts characters, as documented, not bytes.
	if r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: orderBody, headers: idem(strings.Repeat("键", 255))}); r.Code != 201 {
		t.Fatalf("255-character key: %d %s", r.Code, r.Body.String())
	}
	if n := e.count("orders"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
}

// A request that fails changed nothing, so nothing is recorded for its key:
// the retry runs again, and succeeds once what stopped it is fixed.
func TestAFailedRequestLeavesNoRecordAndItsRetryRuns(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	walletID, token := e.payer("13800138000", 100)
	id := e.createOrder(key, orderBody)["id"].(string)
	keysBefore := e.count("idempotency_keys")
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay")}).
		expectError(t, 402, "invalid_request_error", "insufficient_funds", "")
	if n := e.count("idempotency_keys"); n != keysBefore {
		t.Fatalf("a failed payment recorded its key (%d keys, %d before)", n, keysBefore)
	}
	if _, err := e.wallets.TopUp(context.Background(), walletID, 5000, "CNY"); err != nil {
		t.Fatal(err)
	}
	r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay")})
	if r.Code != 201 || r.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry after the top-up: %d replayed=%q %s", r.Code, r.Header().Get("Idempotent-Replayed"), r.Body.String())
	}
	if b := e.balance(walletID); b != 100+5000-1250 {
		t.Fatalf("wallet %d", b)
	}
}

// The answer to a payment is the payer's for good: a retry with its key
// after the order is paid, or at the same time as the first try, gets the
// payment back, never "the order is paid".
func TestPaymentRetriesGetThePayment(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	walletID, token := e.payer("13800138000", 50000)
	id := e.createOrder(key, orderBody)["id"].(string)
	responses := e.doAtOnce(12, func(int) request {
		return request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay-once")}
	})
	first := ""
	for _, r := range responses {
		if r.Code != 201 {
			t.Fatalf("a duplicate got %d: %s", r.Code, r.Body.String())
		}
		if first == "" {
			first = r.Body.String()
		}
		if r.Body.String() != first {
			t.Fatalf("two answers to one key:\n%s\n%s", first, r.Body.String())
		}
	}
	later := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay-once")})
	if later.Code != 201 || later.Header().Get("Idempotent-Replayed") != "true" || later.Body.String() != first {
		t.Fatalf("later retry: %d replayed=%q %s", later.Code, later.Header().Get("Idempotent-Replayed"), later.Body.String())
	}
	if n := e.count("payments"); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
	if b := e.balance(walletID); b != 50000-1250 {
		t.Fatalf("wallet %d, want one debit", b)
	}
	e.verifyLedger()
}

func TestRefundRetriesMakeOneRefund(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	walletID, token := e.payer("13800138000", 50000)
	id := e.createOrder(key, orderBody)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	body := `{"order":"` + id + `","amount":300}`
	responses := e.doAtOnce(10, func(int) request {
		return request{method: "POST", path: "/v1/refunds", key: key, body: body, headers: idem("refund-once")}
	})
	for _, r := range responses {
		if r.Code != 201 || r.Body.String() != responses[0].Body.String() {
			t.Fatalf("duplicate refund: %d %s", r.Code, r.Body.String())
		}
	}
	if n := e.count("refunds"); n != 1 {
		t.Fatalf("%d refunds from one key, want 1", n)
	}
	if b := e.balance(walletID); b != 50000-1250+300 {
		t.Fatalf("wallet %d", b)
	}
	e.verifyLedger()
}

func TestKeyReusedWithABadBodyIsAReuse(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	e.createOrderWithKey(key, orderBody, "k1")
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":0,"currency":"CNY"}`, headers: idem("k1")}).
		expectError(t, 409, "conflict_error", "idempotency_key_reused", "Idempotency-Key")
}

func (e *env) createOrderWithKey(key, body, idemKey string) map[string]any {
	e.t.Helper()
	r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: body, headers: idem(idemKey)})
	if r.Code != 201 {
		e.t.Fatalf("create order: %d %s", r.Code, r.Body.String())
	}
	return r.json(e.t)
}

// TestEveryPOSTRecordsItsKey holds every POST route the gateway serves to
// the one mechanism: with an Idempotency-Key, its effect commits with the
// record of the key, and a retry gets the same status and the same bytes.
// A route added without going through storage.Transact fails here.
func TestEveryPOSTRecordsItsKey(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	_, token := e.payer("13800138000", 50000)
	paid := e.createOrder(key, orderBody)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(paid)}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	endpoint := e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key,
		body: `{"url":"` + publicHook + `","enabled_events":["*"]}`}).json(t)["id"].(string)
	event := e.do(request{method: "GET", path: "/v1/events", key: key}).json(t)["data"].([]any)[0].(map[string]any)["id"].(string)

	campaign := func() string {
		r := e.do(request{method: "POST", path: "/v1/coupon_campaigns", key: key,
			body: `{"name":"Ten off","currency":"CNY","amount_off":100,"claimable":true,"max_per_wallet":100}`})
		if r.Code != 201 {
			t.Fatalf("campaign: %d %s", r.Code, r.Body.String())
		}
		return r.json(t)["id"].(string)
	}
	claimable := campaign()
	cashbackCampaign := func() string {
		r := e.do(request{method: "POST", path: "/v1/cashback_campaigns", key: key,
			body: `{"name":"Back","currency":"CNY","rate_bps":100,"budget_amount":10000}`})
		if r.Code != 201 {
			t.Fatalf("cashback campaign: %d %s", r.Code, r.Body.String())
		}
		return r.json(t)["id"].(string)
	}

	// No effect to repeat: these answer afresh every time.
	noEffect := map[string]bool{"/wallet/v1/sessions": true, "/wallet/v1/scan": true}
	cases := map[string]func() request{
		"/v1/orders": func() request {
			return request{path: "/v1/orders", key: key, body: orderBody}
		},
		"/v1/orders/:id/cancel": func() request {
			return request{path: "/v1/orders/" + e.createOrder(key, orderBody)["id"].(string) + "/cancel", key: key}
		},
		"/v1/refunds": func() request {
			return request{path: "/v1/refunds", key: key, body: `{"order":"` + paid + `","amount":10}`}
		},
		"/v1/webhook_endpoints": func() request {
			return request{path: "/v1/webhook_endpoints", key: key, body: `{"url":"` + publicHook + `/more","enabled_events":["order.paid"]}`}
		},
		"/v1/webhook_endpoints/:id/rotate_secret": func() request {
			return request{path: "/v1/webhook_endpoints/" + endpoint + "/rotate_secret", key: key}
		},
		"/v1/events/:id/resend": func() request {
			return request{path: "/v1/events/" + event + "/resend", key: key}
		},
		"/wallet/v1/accounts": func() request {
			return request{path: "/wallet/v1/accounts", body: `{"phone":"13900139000","pin":"135790"}`}
		},
		"/wallet/v1/account": func() request {
			return request{path: "/wallet/v1/account", key: token, body: `{"no_pin_limit":10000,"pin":"135790"}`}
		},
		"/wallet/v1/account/freeze": func() request {
			return request{path: "/wallet/v1/account/freeze", key: token}
		},
		"/wallet/v1/account/unfreeze": func() request {
			return request{path: "/wallet/v1/account/unfreeze", key: token, body: `{"pin":"135790"}`}
		},
		"/wallet/v1/topups": func() request {
			return request{path: "/wallet/v1/topups", key: token, body: `{"amount":1000,"currency":"CNY"}`}
		},
		"/wallet/v1/withdrawals": func() request {
			return request{path: "/wallet/v1/withdrawals", key: token, body: `{"amount":500,"currency":"CNY"}`}
		},
		"/v1/coupon_campaigns": func() request {
			return request{path: "/v1/coupon_campaigns", key: key, body: `{"name":"Five off","currency":"CNY","percent_off_bps":500}`}
		},
		"/v1/coupon_campaigns/:id/pause": func() request {
			return request{path: "/v1/coupon_campaigns/" + campaign() + "/pause", key: key}
		},
		"/v1/coupon_campaigns/:id/resume": func() request {
			return request{path: "/v1/coupon_campaigns/" + campaign() + "/resume", key: key}
		},
		"/v1/coupon_campaigns/:id/end": func() request {
			return request{path: "/v1/coupon_campaigns/" + campaign() + "/end", key: key}
		},
		"/v1/coupon_campaigns/:id/coupons": func() request {
			return request{path: "/v1/coupon_campaigns/" + claimable + "/coupons", key: key, body: `{"phone":"13800138000"}`}
		},
		"/wallet/v1/coupons": func() request {
			return request{path: "/wallet/v1/coupons", key: token, body: `{"campaign":"` + claimable + `"}`}
		},
		"/v1/cashback_campaigns": func() request {
			return request{path: "/v1/cashback_campaigns", key: key, body: `{"name":"Back","currency":"CNY","rate_bps":100,"budget_amount":10000}`}
		},
		"/v1/cashback_campaigns/:id/pause": func() request {
			return request{path: "/v1/cashback_campaigns/" + cashbackCampaign() + "/pause", key: key}
		},
		"/v1/cashback_campaigns/:id/resume": func() request {
			return request{path: "/v1/cashback_campaigns/" + cashbackCampaign() + "/resume", key: key}
		},
		"/v1/cashback_campaigns/:id/end": func() request {
			return request{path: "/v1/cashback_campaigns/" + cashbackCampaign() + "/end", key: key}
		},
		"/v1/merchant": func() request {
			return request{path: "/v1/merchant", key: key, body: `{"settlement_delay_days":2}`}
		},
		"/v1/bank_accounts": func() request {
			return request{path: "/v1/bank_accounts", key: key, body: `{"account_holder":"Coffee Ltd","account_number":"000123456789","currency":"CNY"}`}
		},
		"/v1/payouts": func() request {
			e.settleAll()
			e.do(request{method: "POST", path: "/v1/bank_accounts", key: key,
				body: `{"account_holder":"Coffee Ltd","account_number":"000123456789","currency":"CNY"}`})
			return request{path: "/v1/payouts", key: key, body: `{"amount":100,"currency":"CNY"}`}
		},
		"/wallet/v1/payments": func() request {
			return request{path: "/wallet/v1/payments", key: token, body: payBody(e.createOrder(key, orderBody)["id"].(string))}
		},
	}
	covered := 0
	for _, route := range e.server.Routes() {
		if route.Method != "POST" || noEffect[route.Path] {
			continue
		}
		build, ok := cases[route.Path]
		if !ok {
			t.Errorf("POST %s has no case here: add one", route.Path)
			continue
		}
		covered++
		t.Run(route.Path, func(t *testing.T) {
			req := build()
			req.method = "POST"
			req.headers = idem("every-" + route.Path)
			keys := e.count("idempotency_keys")
			first := e.do(req)
			if first.Code >= 300 {
				t.Fatalf("first: %d %s", first.Code, first.Body.String())
			}
			if n := e.count("idempotency_keys"); n != keys+1 {
				t.Fatalf("%d keys recorded, want %d", n, keys+1)
			}
			again := e.do(req)
			if again.Code != first.Code || again.Header().Get("Idempotent-Replayed") != "true" || again.Body.String() != first.Body.String() {
				t.Fatalf("retry: %d replayed=%q\n%s\nfirst: %d\n%s", again.Code, again.Header().Get("Idempotent-Replayed"),
					again.Body.String(), first.Code, first.Body.String())
			}
		})
	}
	if covered != len(cases) {
		t.Errorf("%d cases, %d POST routes: a case names a route that is gone", len(cases), covered)
	}
	if strings.Contains(e.logs.String(), "idempotency") {
		t.Fatalf("the gateway logged an idempotency fault:\n%s", e.logs.String())
	}
}

// TestNoSecretIsStoredInClear dumps every table after the calls whose
// answers hold secrets and finds none of them.
func TestNoSecretIsStoredInClear(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	created := e.do(request{method: "POST", path: "/v1/webhook_endpoints", key: key, headers: idem("ep"),
		body: `{"url":"` + publicHook + `","enabled_events":["*"]}`}).json(t)
	rotated := e.do(request{method: "POST", path: "/v1/webhook_endpoints/" + created["id"].(string) + "/rotate_secret",
		key: key, headers: idem("rot")}).json(t)
	signUp := e.do(request{method: "POST", path: "/wallet/v1/accounts", headers: idem("signup"),
		body: `{"phone":"13800138000","pin":"135790"}`}).json(t)
	// An order's client secret, from its creation and its cancel, both
	// recorded under keys, and its order.canceled event.
	order := e.createOrderWithKey(key, orderBody, "order")
	e.do(request{method: "POST", path: "/v1/orders/" + order["id"].(string) + "/cancel", key: key, headers: idem("cancel")})
	clientSecret := order["client_secret"].(string)
	secrets := []string{key, created["secret"].(string), rotated["secret"].(string), signUp["token"].(string),
		clientSecret, clientSecret[strings.LastIndex(clientSecret, "_")+1:]}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a call gave no secret")
		}
	}
	dump := e.dump()
	for _, s := range append(secrets, "whsec_", "sk_test_", "135790") {
		if strings.Contains(dump, s) {
			t.Errorf("the database holds %q in clear", s)
		}
	}
	// The answers still replay whole.
	again := e.do(request{method: "POST", path: "/wallet/v1/accounts", headers: idem("signup"), body: `{"phone":"13800138000","pin":"135790"}`})
	if again.Header().Get("Idempotent-Replayed") != "true" || again.json(t)["token"] != signUp["token"] {
		t.Fatalf("sealed answer did not replay: %s", again.Body.String())
	}
}

// dump returns every row of every table as text.
func (e *env) dump() string {
	e.t.Helper()
	var tables []string
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	if e.db.Dialector.Name() != "postgres" {
		q = `SELECT name FROM sqlite_master WHERE type = 'table'`
	}
	if err := e.db.Raw(q).Scan(&tables).Error; err != nil {
		e.t.Fatal(err)
	}
	if len(tables) < 10 {
		e.t.Fatalf("found only tables %v", tables)
	}
	var b strings.Builder
	for _, table := range tables {
		var rows []map[string]any
		if err := e.db.Table(table).Find(&rows).Error; err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rows {
			fmt.Fprintln(&b, table, r)
		}
	}
	return b.String()
}
