package gateway_test

import (
	"net/http"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestPayIsOneShortTransaction pins the cost of a payment: one
// transaction of at most 8 statements (the freeze check, the order's
// compare-and-set, the payment row, two for the ledger, two for the
// outbox), plus three reads before it (the order, the wallet, the
// merchant).
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
	t.Logf("payment: %d statements in its transaction, %d before it", inTx, outside)
	if inTx == 0 || inTx > 8 {
		t.Fatalf("%d statements in the payment transaction, want 1..8", inTx)
	}
	if outside > 3 {
		t.Fatalf("%d statements outside the transaction", outside)
	}
}
