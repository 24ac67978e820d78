package gateway_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// statementCounter counts the SQL statements a database handle runs,
// telling those inside a transaction from those outside.
type statementCounter struct {
	inTx, outside atomic.Int64
}

func countStatements(tb testing.TB, db *gorm.DB) *statementCounter {
	tb.Helper()
	c := &statementCounter{}
	count := func(d *gorm.DB) {
		if _, ok := d.Statement.ConnPool.(gorm.TxCommitter); ok {
			c.inTx.Add(1)
		} else {
			c.outside.Add(1)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("test:count", count),
		cb.Query().After("gorm:query").Register("test:count", count),
		cb.Update().After("gorm:update").Register("test:count", count),
		cb.Delete().After("gorm:delete").Register("test:count", count),
		cb.Row().After("gorm:row").Register("test:count", count),
		cb.Raw().After("gorm:raw").Register("test:count", count),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

func (c *statementCounter) reset() { c.inTx.Store(0); c.outside.Store(0) }

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
	counter := countStatements(t, e.db)
	if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(id)}); r.Code != http.StatusCreated {
		t.Fatalf("pay: %d %s", r.Code, r.Body.String())
	}
	inTx, outside := counter.inTx.Load(), counter.outside.Load()
	t.Logf("payment: %d statements in its transaction, %d before it", inTx, outside)
	if inTx == 0 || inTx > 8 {
		t.Fatalf("%d statements in the payment transaction, want 1..8", inTx)
	}
	if outside > 3 {
		t.Fatalf("%d statements outside the transaction", outside)
	}
}
