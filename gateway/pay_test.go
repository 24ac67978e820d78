package gateway_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func payBody(orderID string) string { return `{"order":"` + orderID + `"}` }

func TestPayOrder(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 50000)
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY","description":"2 coffees"}`)
	id := o["id"].(string)

	preview := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + o["qr"].(map[string]any)["payload"].(string) + `"}`})
	if preview.Code != 200 {
		t.Fatalf("scan: %d %s", preview.Code, preview.Body.String())
	}
	p := preview.json(t)
	if p["order"] != id || p["merchant_name"] != "Blue Bottle" || p["amount"] != 1250.0 || p["currency"] != "CNY" || p["status"] != "pending" {
		t.Fatalf("preview %v", p)
	}

	r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay-1")})
	if r.Code != http.StatusCreated {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	pay := r.json(t)
	if !strings.HasPrefix(pay["id"].(string), "pay_") || pay["status"] != "succeeded" || pay["order"] != id || pay["amount"] != 1250.0 {
		t.Fatalf("payment %v", pay)
	}
	got := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t)
	if got["status"] != "paid" || got["amount_paid"] != 1250.0 || got["fee"] != 8.0 || got["paid_at"] == nil {
		t.Fatalf("order after payment %v", got)
	}
	// 0.6% of 12.50 is 7.5 fen, rounded half up to 8.
	if b := e.balance(walletID); b != 50000-1250 {
		t.Fatalf("wallet %d", b)
	}
	var pending, fees int64
	storagetest.Scan(t, e.db, &pending, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE owner = ? AND kind = 'merchant_pending'`, mchID)
	storagetest.Scan(t, e.db, &fees, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE kind = 'platform_fees'`)
	if pending != 1242 || fees != 8 {
		t.Fatalf("merchant pending %d, platform fees %d", pending, fees)
	}
	if n := e.countEvents("order.paid", id); n != 1 {
		t.Fatalf("%d order.paid events", n)
	}
	// The same key replays; another key is refused, and nothing moves.
	again := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay-1")})
	if again.Code != 201 || again.Header().Get("Idempotent-Replayed") != "true" || again.json(t)["id"] != pay["id"] {
		t.Fatalf("replay: %d %s", again.Code, again.Body.String())
	}
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id), headers: idem("pay-2")}).
		expectError(t, 409, "conflict_error", "order_not_payable", "order")
	if b := e.balance(walletID); b != 50000-1250 {
		t.Fatalf("wallet %d after retries", b)
	}
	e.verifyLedger()
}

func TestPayEMVCoOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 50000)
	o := e.createOrder(key, `{"amount":1999,"currency":"CNY","qr_format":"emvco"}`)
	payload := o["qr"].(map[string]any)["payload"].(string)
	if p := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + payload + `"}`}).json(t); p["order"] != o["id"] {
		t.Fatalf("preview %v", p)
	}
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(o["id"].(string))}); r.Code != 201 {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	if b := e.balance(walletID); b != 50000-1999 {
		t.Fatalf("wallet %d", b)
	}
}

func TestScanBadPayloads(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 0)
	emv := e.createOrder(key, `{"amount":1250,"currency":"CNY","qr_format":"emvco"}`)["qr"].(map[string]any)["payload"].(string)
	flipped := []byte(emv)
	i := strings.Index(emv, "5303156") + 3
	flipped[i] = '7' // currency 156 → 756: the CRC no longer matches
	const pix = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
	for _, tt := range []struct {
		name    string
		payload string
		status  int
		code    string
	}{
		{"empty", ``, 400, "parameter_missing"},
		{"bad crc", string(flipped), 400, "payload_invalid"},
		{"length past the end", emv[:len(emv)-10], 400, "payload_invalid"},
		{"another scheme", pix, 400, "payload_unrecognized"},
		{"another host", "https://evil.example/q/abc", 400, "payload_unrecognized"},
		{"unknown code", baseURL + "/q/00000000000000000000", 404, "payload_unknown"},
		{"text", "hello", 400, "payload_invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(request{method: "POST", path: "/wallet/v1/scan", key: token, body: `{"payload":"` + tt.payload + `"}`})
			typ := "invalid_request_error"
			if tt.status == 404 {
				typ = "not_found_error"
			}
			r.expectError(t, tt.status, typ, tt.code, "payload")
		})
	}
}

func TestPayBadInputMovesNothing(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	_, liveKey, _ := e.merchants.CreateKey(context.Background(), mchID, true)
	poorID, poor := e.payer("13800138001", 100)
	richID, rich := e.payer("13800138002", 100000)
	frozenID, frozen := e.payer("13800138003", 100000)
	if _, err := e.wallets.Freeze(context.Background(), frozenID); err != nil {
		t.Fatal(err)
	}
	small := e.createOrder(key, `{"amount":500,"currency":"CNY"}`)["id"].(string)
	large := e.createOrder(key, `{"amount":50000,"currency":"CNY"}`)["id"].(string) // above the 200.00 no-PIN limit
	canceled := e.createOrder(key, `{"amount":500,"currency":"CNY"}`)["id"].(string)
	e.do(request{method: "POST", path: "/v1/orders/" + canceled + "/cancel", key: key})
	live := e.createOrder(liveKey, `{"amount":500,"currency":"CNY"}`)["id"].(string)
	before := e.count("ledger_entries")

	for _, tt := range []struct {
		name   string
		token  string
		body   string
		status int
		typ    string
		code   string
		param  string
	}{
		{"no session", "", payBody(small), 401, "authentication_error", "invalid_session", ""},
		{"bad session", "eyJhbGciOiJub25lIn0.e30.", payBody(small), 401, "authentication_error", "invalid_session", ""},
		{"insufficient balance", poor, payBody(small), 402, "invalid_request_error", "insufficient_funds", ""},
		{"pin required", rich, payBody(large), 402, "invalid_request_error", "pin_required", "pin"},
		{"wrong pin", rich, `{"order":"` + large + `","pin":"246801"}`, 402, "invalid_request_error", "incorrect_pin", "pin"},
		{"frozen wallet", frozen, payBody(small), 403, "permission_error", "wallet_frozen", ""},
		{"unknown order", rich, payBody("ord_nope"), 404, "not_found_error", "resource_missing", "order"},
		{"no order", rich, `{}`, 400, "invalid_request_error", "parameter_missing", "order"},
		{"canceled order", rich, payBody(canceled), 409, "conflict_error", "order_not_payable", "order"},
		{"live order from a test wallet", rich, payBody(live), 409, "conflict_error", "order_not_payable", "order"},
		{"unknown coupon", rich, `{"order":"` + small + `","coupon":"cpn_x"}`, 404, "not_found_error", "resource_missing", "coupon"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.do(request{method: "POST", path: "/wallet/v1/payments", key: tt.token, body: tt.body}).
				expectError(t, tt.status, tt.typ, tt.code, tt.param)
		})
	}
	if after := e.count("ledger_entries"); after != before {
		t.Fatalf("bad payments wrote %d ledger entries", after-before)
	}
	if e.count("payments") != 0 || e.balance(poorID) != 100 || e.balance(richID) != 100000 {
		t.Fatal("money moved")
	}
	// With the right PIN the large one goes through.
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: rich, body: `{"order":"` + large + `","pin":"135790"}`}); r.Code != 201 {
		t.Fatalf("pay with pin: %d %s", r.Code, r.Body.String())
	}
	e.verifyLedger()
}

func TestRefunds(t *testing.T) {
	e := newEnv(t)
	mchID, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	walletID, token := e.payer("13800138000", 20000)
	id := e.createOrder(key, `{"amount":10000,"currency":"CNY"}`)["id"].(string)
	unpaid := e.createOrder(key, `{"amount":10000,"currency":"CNY"}`)["id"].(string)
	e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)})

	r := e.do(request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + id + `","amount":3000,"reason":"one cup was cold"}`})
	if r.Code != 201 {
		t.Fatalf("refund: %d %s", r.Code, r.Body.String())
	}
	re := r.json(t)
	if !strings.HasPrefix(re["id"].(string), "re_") || re["amount"] != 3000.0 || re["status"] != "succeeded" || re["order"] != id {
		t.Fatalf("refund %v", re)
	}
	if o := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t); o["status"] != "partially_refunded" || o["amount_refunded"] != 3000.0 {
		t.Fatalf("order %v", o)
	}
	// Bad refunds move nothing.
	for _, tt := range []struct {
		name, key, body, typ, code, param string
		status                            int
	}{
		{"too much", key, `{"order":"` + id + `","amount":7001}`, "invalid_request_error", "refund_exceeds_payment", "amount", 400},
		{"zero", key, `{"order":"` + id + `","amount":0}`, "invalid_request_error", "parameter_invalid", "amount", 400},
		{"unpaid order", key, `{"order":"` + unpaid + `"}`, "conflict_error", "order_not_refundable", "order", 409},
		{"another merchant's order", other, `{"order":"` + id + `"}`, "not_found_error", "resource_missing", "order", 404},
		{"no order", key, `{}`, "invalid_request_error", "parameter_missing", "order", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.do(request{method: "POST", path: "/v1/refunds", key: tt.key, body: tt.body}).expectError(t, tt.status, tt.typ, tt.code, tt.param)
		})
	}
	// Without an amount, the rest is refunded.
	rest := e.do(request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + id + `"}`}).json(t)
	if rest["amount"] != 7000.0 {
		t.Fatalf("rest %v", rest)
	}
	if o := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t); o["status"] != "refunded" || o["amount_refunded"] != 10000.0 {
		t.Fatalf("order %v", o)
	}
	e.do(request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + id + `","amount":1}`}).
		expectError(t, 400, "invalid_request_error", "refund_exceeds_payment", "amount")
	// All money and all of the fee went back.
	var pending, fees int64
	storagetest.Scan(t, e.db, &pending, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE owner = ? AND kind = 'merchant_pending'`, mchID)
	storagetest.Scan(t, e.db, &fees, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE kind = 'platform_fees'`)
	if e.balance(walletID) != 20000 || pending != 0 || fees != 0 {
		t.Fatalf("wallet %d, pending %d, fees %d", e.balance(walletID), pending, fees)
	}
	list := e.do(request{method: "GET", path: "/v1/refunds?order=" + id, key: key}).json(t)["data"].([]any)
	if len(list) != 2 || e.countEvents("refund.succeeded", id) != 2 {
		t.Fatalf("%d refunds listed, %d events", len(list), e.countEvents("refund.succeeded", id))
	}
	if g := e.do(request{method: "GET", path: "/v1/refunds/" + re["id"].(string), key: key}); g.Code != 200 {
		t.Fatalf("get refund %d", g.Code)
	}
	e.do(request{method: "GET", path: "/v1/refunds/" + re["id"].(string), key: other}).expectError(t, 404, "not_found_error", "resource_missing", "id")
	e.verifyLedger()
}

func TestConcurrentPaymentsOfOneOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	id := e.createOrder(key, `{"amount":1000,"currency":"CNY"}`)["id"].(string)
	const n = 20
	wallets, tokens := make([]string, n), make([]string, n)
	for i := range n {
		wallets[i], tokens[i] = e.payer(fmt.Sprintf("1390000%04d", i), 5000)
	}
	codes := e.doAtOnce(n, func(i int) request {
		return request{method: "POST", path: "/wallet/v1/payments", key: tokens[i], body: payBody(id), headers: idem(fmt.Sprint("k", i))}
	})
	ok, debited := 0, 0
	for i, r := range codes {
		switch {
		case r.Code == 201:
			ok++
		case r.Code == 409 && r.apiError(t).Code == "order_not_payable":
		default:
			t.Fatalf("payment %d: %d %s", i, r.Code, r.Body.String())
		}
		if e.balance(wallets[i]) != 5000 {
			debited++
		}
	}
	if ok != 1 || debited != 1 || e.count("payments") != 1 {
		t.Fatalf("%d payments succeeded, %d wallets debited, %d rows", ok, debited, e.count("payments"))
	}
	e.verifyLedger()
}

func TestConcurrentRefunds(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 10000)
	id := e.createOrder(key, `{"amount":10000,"currency":"CNY"}`)["id"].(string)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}); r.Code != 201 {
		t.Fatal(r.Body.String())
	}
	results := e.doAtOnce(10, func(i int) request {
		return request{method: "POST", path: "/v1/refunds", key: key, body: `{"order":"` + id + `","amount":2000}`, headers: idem(fmt.Sprint("r", i))}
	})
	ok := 0
	for _, r := range results {
		switch {
		case r.Code == 201:
			ok++
		case r.Code == 400 && r.apiError(t).Code == "refund_exceeds_payment":
		default:
			t.Fatalf("refund: %d %s", r.Code, r.Body.String())
		}
	}
	if ok != 5 || e.count("refunds") != 5 {
		t.Fatalf("%d refunds succeeded, want 5", ok)
	}
	if o := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t); o["status"] != "refunded" || o["amount_refunded"] != 10000.0 {
		t.Fatalf("order %v", o)
	}
	e.verifyLedger()
}

func TestOneWalletPayingManyOrdersAtOnce(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 10000)
	const n = 50
	ids := make([]string, n)
	for i := range n {
		ids[i] = e.createOrder(key, `{"amount":700,"currency":"CNY"}`)["id"].(string)
	}
	results := e.doAtOnce(n, func(i int) request {
		return request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(ids[i])}
	})
	ok := 0
	for _, r := range results {
		switch {
		case r.Code == 201:
			ok++
		case r.Code == 402 && r.apiError(t).Code == "insufficient_funds":
		default:
			t.Fatalf("payment: %d %s", r.Code, r.Body.String())
		}
	}
	if ok != 10000/700 || e.balance(walletID) != 10000-int64(ok)*700 {
		t.Fatalf("%d payments, balance %d", ok, e.balance(walletID))
	}
	// The declined orders are still pending and payable.
	var pending int64
	storagetest.Scan(t, e.db, &pending, `SELECT COUNT(*) FROM orders WHERE status = 'pending'`)
	if pending != n-int64(ok) {
		t.Fatalf("%d orders pending, want %d", pending, n-ok)
	}
	e.verifyLedger()
}

// TestPaymentRacingExpiry runs a payment and the expiry sweeper against
// the same order at its expiry, from two gateway "processes" whose clocks
// straddle the deadline: each order ends paid or expired, never both, and
// an expired order moves no money. Which one starts first varies, and the
// test keeps racing until both outcomes have happened often, so that both
// paths are checked; it fails if one never comes.
func TestPaymentRacingExpiry(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	walletID, token := e.payer("13800138000", 1_000_000)
	sweeperClock := clocktest.New()
	sweeper := checkout.NewService(e.db, sweeperClock.Now, checkout.Config{BaseURL: baseURL}, e.merchants, e.wallets)

	const minRounds, maxRounds, enough = 100, 1000, 20
	var ids []string
	base := e.clock.Now()
	outcomes := map[int]int{}
	for i := 0; i < maxRounds && (i < minRounds || outcomes[201] < enough || outcomes[409] < enough); i++ {
		e.clock.Set(base)
		id := e.createOrder(key, `{"amount":100,"currency":"CNY","expires_in":60}`)["id"].(string)
		ids = append(ids, id)
		e.clock.Set(base.Add(60*time.Second - 500*time.Microsecond)) // the payer is just before the deadline
		sweeperClock.Set(base.Add(61 * time.Second))                 // the sweeper just after
		// A head start of up to 3 ms for one side or the other.
		headStart := time.Duration(rand.IntN(6000)-3000) * time.Microsecond
		var wg sync.WaitGroup
		var pay response
		wg.Go(func() {
			time.Sleep(max(0, -headStart))
			pay = e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)})
		})
		wg.Go(func() {
			time.Sleep(max(0, headStart))
			if _, err := sweeper.ExpireDue(context.Background(), 10); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if pay.Code != 201 && (pay.Code != 409 || pay.apiError(t).Code != "order_not_payable") {
			t.Fatalf("round %d: %d %s", i, pay.Code, pay.Body.String())
		}
		outcomes[pay.Code]++
	}
	if outcomes[201] < enough || outcomes[409] < enough {
		t.Fatalf("after %d rounds, %d payments and %d refusals: the race never went both ways enough", len(ids), outcomes[201], outcomes[409])
	}
	paid, expired := 0, 0
	for _, id := range ids {
		var status string
		var payments int64
		storagetest.Scan(t, e.db, &status, `SELECT status FROM orders WHERE id = ?`, id)
		storagetest.Scan(t, e.db, &payments, `SELECT COUNT(*) FROM payments WHERE order_id = ?`, id)
		paidEvents, expiredEvents := e.countEvents("order.paid", id), e.countEvents("order.expired", id)
		switch {
		case status == "paid" && payments == 1 && paidEvents == 1 && expiredEvents == 0:
			paid++
		case status == "expired" && payments == 0 && paidEvents == 0 && expiredEvents == 1:
			expired++
		default:
			t.Fatalf("order %s: status %s, %d payments, %d paid / %d expired events", id, status, payments, paidEvents, expiredEvents)
		}
	}
	if b := e.balance(walletID); b != 1_000_000-int64(paid)*100 {
		t.Fatalf("wallet %d after %d payments", b, paid)
	}
	if paid != outcomes[201] || expired != outcomes[409] {
		t.Fatalf("%d paid and %d expired orders, but %d payments and %d refusals answered", paid, expired, outcomes[201], outcomes[409])
	}
	e.verifyLedger()
}
