package gateway_test

import (
	"net/http"
	"testing"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestPayIsOneShortTransaction pins the cost of a payment: the order's
// read, then one transaction. On PostgreSQL that transaction is one
// statement sent alone, with no BEGIN or COMMIT (the order's
// compare-and-set, the payment row, the ledger and the outbox); on SQLite
// it is at most 8 statements.
func TestPayIsOneShortTransaction(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 100000)
	id := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)
	counter := storagetest.CountStatements(t, e.db)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}); r.Code != http.StatusCreated {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	inTx, outside := counter.InTx.Load(), counter.Outside.Load()
	t.Logf("payment: %d statements in a transaction, %d outside", inTx, outside)
	if storage.DialectOf(e.db) == storage.Postgres {
		if inTx != 0 || outside != 2 {
			t.Fatalf("%d statements in a transaction and %d outside, want 0 and 2", inTx, outside)
		}
		return
	}
	if inTx == 0 || inTx > 8 || outside > 1 {
		t.Fatalf("%d statements in the payment transaction and %d outside, want 1..8 and at most 1", inTx, outside)
	}
}

// TestACouponCostsOneRoundTripMore pins what a coupon adds to a payment:
// its read with its campaign, before the payment's one statement, which
// takes the coupon's and campaign's compare-and-sets and its event with
// the other writes. On PostgreSQL that is one round trip; SQLite, which
// has no round trips, runs five statements more.
func TestACouponCostsOneRoundTripMore(t *testing.T) {
	db, trips := storagetest.OpenCounted(t)
	statements := storagetest.CountStatements(t, db)
	e := newEnvWith(t, envOptions{db: db})
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 1_000_000)
	campaign := e.do(request{method: "POST", path: "/v1/coupon_campaigns", key: key,
		body: `{"name":"Ten off","currency":"CNY","amount_off":100,"max_per_wallet":100}`}).json(t)["id"].(string)
	cost := func(withCoupon bool) (roundTrips, stmts int64) {
		t.Helper()
		var coupon string
		if withCoupon {
			coupon = e.do(request{method: "POST", path: "/v1/coupon_campaigns/" + campaign + "/coupons", key: key,
				body: `{"phone":"13800138000"}`}).json(t)["id"].(string)
		}
		id := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)
		body := `{"order":"` + id + `"}`
		if withCoupon {
			body = `{"order":"` + id + `","coupon":"` + coupon + `"}`
		}
		statements.Reset()
		if trips != nil {
			trips.Reset()
		}
		r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: body, headers: idem("pay-" + id)})
		if r.Code != 201 {
			t.Fatalf("pay: %d %s", r.Code, r.Body.String())
		}
		if paid, want := r.json(t)["amount_paid"], map[bool]float64{false: 1250, true: 1150}[withCoupon]; paid != want {
			t.Fatalf("paid %v, want %v", paid, want)
		}
		if trips != nil {
			roundTrips = trips.Total()
		}
		return roundTrips, statements.Total()
	}
	cost(false) // warm up
	cost(true)
	plainTrips, plainStmts := cost(false)
	couponTrips, couponStmts := cost(true)
	if trips != nil && couponTrips-plainTrips > 1 {
		t.Errorf("a coupon adds %d round trips (%d against %d), want at most 1", couponTrips-plainTrips, couponTrips, plainTrips)
	}
	if trips == nil && couponStmts-plainStmts > 5 {
		t.Errorf("a coupon adds %d statements on SQLite (%d against %d), want at most 5", couponStmts-plainStmts, couponStmts, plainStmts)
	}
}
