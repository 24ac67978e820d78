package settlement_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestLedgerChecksFindTampering breaks each invariant the settlement
// checks hold, one at a time on a settled and paid-out ledger, and expects
// ledger.Verify to name it; put back, the ledger verifies again.
func TestLedgerChecksFindTampering(t *testing.T) {
	e := newEnv(t)
	m := e.merchant("Blue Bottle")
	e.settled(m, 10000)
	e.bankAccount(m, "CNY", settlement.SimulatedPays)
	paid := e.payOut("")
	e.advance(time.Second)
	e.advance(3 * time.Second)
	w, _ := e.payer(100000, "CNY")
	e.sale(m, w, 5000, "CNY", "")
	e.verifyLedger()
	var stl, line string
	e.scan(&stl, `SELECT id FROM settlements`)
	e.scan(&line, `SELECT id FROM balance_transactions WHERE settlement_id = ?`, stl)
	for _, c := range []struct {
		name, tamper, undo, want string
	}{
		{"a settlement's totals", `UPDATE settlements SET gross = gross + 1, net = net + 1`,
			`UPDATE settlements SET gross = gross - 1, net = net - 1`, "settlement " + stl},
		{"a line taken out of its settlement", `UPDATE balance_transactions SET settlement_id = NULL WHERE id = '` + line + `'`,
			`UPDATE balance_transactions SET settlement_id = '` + stl + `' WHERE id = '` + line + `'`, "settlement " + stl},
		{"a paid payout said in transit", `UPDATE payouts SET status = 'in_transit'`, `UPDATE payouts SET status = 'paid'`,
			"payout " + paid[0].ID},
		{"a payout's carried lines", `UPDATE balance_transactions SET payout_id = NULL WHERE type = 'payout'`,
			`UPDATE balance_transactions SET payout_id = '` + paid[0].ID + `' WHERE type = 'payout'`, "payout " + paid[0].ID},
	} {
		t.Run(c.name, func(t *testing.T) {
			storagetest.Exec(t, e.db, c.tamper)
			r, err := ledger.Verify(e.ctx, e.db, append(checkout.LedgerChecks(), settlement.LedgerChecks()...)...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one naming %s", r.Problems, c.want)
			}
			storagetest.Exec(t, e.db, c.undo)
			e.verifyLedger()
		})
	}
}
