package settlement_test

import (
	"errors"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/settlement"
)

// settled gives m a settled sale of amount in CNY on the 10th, and moves
// the clock to 00:05 on the 11th; it returns what became available.
func (e *env) settled(m merchant.Principal, amount int64) int64 {
	e.t.Helper()
	w, _ := e.payer(amount, "CNY")
	e.at("2026-03-10", 12, 0)
	e.sale(m, w, amount, "CNY", "")
	e.at("2026-03-11", 0, 5)
	made, err := e.settlement.SettleDue(e.ctx, time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	var net int64
	for _, st := range made {
		if st.Currency == "CNY" && ownerOf(e, st.ID) == m.MerchantID {
			net += st.Net
		}
	}
	return net
}

// TestEveryBankOutcome sends an automatic payout to each of the simulated
// bank's account numbers and follows it: paid; refused at once as closed
// or unknown; paid and then returned. A failure brings the money back to
// available through a payout_failure line, marks the account errored and
// says why; a paid payout's money leaves through bank clearing.
func TestEveryBankOutcome(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		number, status, code string
		paidFirst            bool
	}{
		{settlement.SimulatedPays, settlement.PayoutPaid, "", false},
		{settlement.SimulatedClosed, settlement.PayoutFailed, "account_closed", false},
		{settlement.SimulatedNoAccount, settlement.PayoutFailed, "no_account", false},
		{settlement.SimulatedReturnedPaid, settlement.PayoutFailed, "could_not_process", true},
	}
	type run struct {
		m       merchant.Principal
		account settlement.BankAccount
		amount  int64
		payout  settlement.Payout
	}
	runs := make([]run, len(cases))
	for i, c := range cases {
		m := e.merchant("Shop " + c.number)
		amount := e.settled(m, int64(10000+i))
		runs[i] = run{m: m, account: e.bankAccount(m, "CNY", c.number), amount: amount}
	}
	payouts := e.payOut("")
	if len(payouts) != len(cases) {
		t.Fatalf("%d payouts", len(payouts))
	}
	for i := range runs {
		for _, po := range payouts {
			if po.BankAccount == runs[i].account.ID {
				runs[i].payout = po
			}
		}
		if runs[i].payout.Amount != runs[i].amount {
			t.Fatalf("payout %+v, want %d", runs[i].payout, runs[i].amount)
		}
	}

	e.advance(time.Second) // submitted: refused at once, or in transit
	for i, c := range cases {
		got := e.payout(runs[i].m, runs[i].payout.ID)
		want := settlement.PayoutInTransit
		if c.status == settlement.PayoutFailed && !c.paidFirst {
			want = settlement.PayoutFailed
		}
		if got.Status != want {
			t.Fatalf("%s after submission: %s, want %s", c.number, got.Status, want)
		}
	}
	e.advance(3 * time.Second) // paid
	for i, c := range cases {
		if c.paidFirst {
			if got := e.payout(runs[i].m, runs[i].payout.ID); got.Status != settlement.PayoutPaid {
				t.Fatalf("%s is %s before it comes back, want paid", c.number, got.Status)
			}
		}
	}
	e.verifyLedger()
	e.advance(3 * time.Second) // returned
	for i, c := range cases {
		m, got := runs[i].m, e.payout(runs[i].m, runs[i].payout.ID)
		if got.Status != c.status || (c.code != "" && (got.FailureCode == nil || *got.FailureCode != c.code || *got.FailureMessage == "")) {
			t.Fatalf("%s: payout %+v, want %s %s", c.number, got, c.status, c.code)
		}
		account, err := e.settlement.GetBankAccount(e.ctx, m, runs[i].account.ID)
		if err != nil {
			t.Fatal(err)
		}
		available, inTransit := e.balance(m, ledger.MerchantAvailable, "CNY"), e.balance(m, ledger.MerchantInTransit, "CNY")
		var paidEvents, failedEvents int64
		e.scan(&paidEvents, `SELECT COUNT(*) FROM events WHERE merchant_id = ? AND type = 'payout.paid'`, m.MerchantID)
		e.scan(&failedEvents, `SELECT COUNT(*) FROM events WHERE merchant_id = ? AND type = 'payout.failed'`, m.MerchantID)
		if inTransit != 0 {
			t.Fatalf("%s: %d still in transit", c.number, inTransit)
		}
		if c.status == settlement.PayoutPaid {
			if available != 0 || account.Status != settlement.AccountVerified || paidEvents != 1 || failedEvents != 0 {
				t.Fatalf("%s: available %d, account %s, events %d paid %d failed", c.number, available, account.Status, paidEvents, failedEvents)
			}
			continue
		}
		back := e.lines(m, settlement.BalanceTransactionFilter{Type: ledger.LinePayoutFailure})
		if available != runs[i].amount || account.Status != settlement.AccountErrored || failedEvents != 1 ||
			len(back) != 1 || back[0].Net != runs[i].amount || back[0].Source != got.ID || back[0].Status != settlement.LineAvailable {
			t.Fatalf("%s: available %d of %d, account %s, %d payout.failed, failure lines %+v", c.number, available, runs[i].amount,
				account.Status, failedEvents, back)
		}
		if want := map[bool]int64{true: 1, false: 0}[c.paidFirst]; paidEvents != want {
			t.Fatalf("%s: %d payout.paid events, want %d", c.number, paidEvents, want)
		}
	}
	e.verifyLedger()
}

// TestAnErroredAccountPausesAutomaticPayouts: after a payout fails, the
// merchant's available money waits, day after day, until it adds a bank
// account; then the day's automatic payout takes all of it, the returned
// money included, to the new account.
func TestAnErroredAccountPausesAutomaticPayouts(t *testing.T) {
	e := newEnv(t)
	m := e.merchant("Blue Bottle")
	amount := e.settled(m, 20000)
	e.bankAccount(m, "CNY", settlement.SimulatedClosed)
	first := e.payOut("")
	if len(first) != 1 {
		t.Fatalf("%d payouts", len(first))
	}
	e.advance(time.Second)
	if got := e.payout(m, first[0].ID); got.Status != settlement.PayoutFailed {
		t.Fatalf("payout %+v", got)
	}
	e.at("2026-03-12", 0, 5)
	if made := e.payOut(""); len(made) != 0 {
		t.Fatalf("an automatic payout to an errored account: %+v", made)
	}
	// A manual payout finds no usable account, nor goes to the errored one.
	_, err := e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: ptr[int64](100), Currency: "CNY"})
	if !errors.Is(err, settlement.ErrNoBankAccount) {
		t.Fatalf("manual payout with no usable account: %v", err)
	}
	_, err = e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: ptr[int64](100), Currency: "CNY", BankAccount: &first[0].BankAccount})
	if !errors.Is(err, settlement.ErrBankAccountErrored) {
		t.Fatalf("manual payout to the errored account: %v", err)
	}
	e.at("2026-03-13", 0, 5)
	if made := e.payOut(""); len(made) != 0 {
		t.Fatalf("an automatic payout to an errored account on the 13th: %+v", made)
	}
	replacement := e.bankAccount(m, "CNY", settlement.SimulatedPays)
	made := e.payOut("")
	if len(made) != 1 || made[0].Amount != amount || made[0].BankAccount != replacement.ID || *made[0].Date != "2026-03-13" {
		t.Fatalf("after the new account: %+v, want %d to %s", made, amount, replacement.ID)
	}
	carried := e.lines(m, settlement.BalanceTransactionFilter{Payout: made[0].ID})
	types := map[string]int{}
	for _, l := range carried {
		types[l.Type]++
	}
	if sum(carried) != 0 || types[ledger.LinePayoutFailure] != 1 || types[ledger.LinePayout] != 1 {
		t.Fatalf("the new payout carries %v, netting %d", types, sum(carried))
	}
	e.advance(time.Second)
	e.advance(3 * time.Second)
	if got := e.payout(m, made[0].ID); got.Status != settlement.PayoutPaid {
		t.Fatalf("payout %+v", got)
	}
	e.verifyLedger()
}

// TestManualPayouts: a payout of part of the available money goes to the
// newest usable account, and the next automatic payout carries it; a
// payout above what is available, of an unknown currency, to another
// currency's account or to another merchant's moves nothing.
func TestManualPayouts(t *testing.T) {
	e := newEnv(t)
	m := e.merchant("Blue Bottle")
	e.settings(m, merchant.SettingsParams{PayoutSchedule: ptr(merchant.PayoutManual)})
	amount := e.settled(m, 30000)
	old := e.bankAccount(m, "CNY", settlement.SimulatedPays)
	newest := e.bankAccount(m, "CNY", settlement.SimulatedPays)
	usd := e.bankAccount(m, "USD", settlement.SimulatedPays)
	other := e.merchant("Tea House")
	theirs := e.bankAccount(other, "CNY", settlement.SimulatedPays)
	if made := e.payOut(""); len(made) != 0 {
		t.Fatalf("an automatic payout on the manual schedule: %+v", made)
	}

	lines := e.count(`SELECT COUNT(*) FROM balance_transactions`)
	for _, bad := range []struct {
		params      settlement.PayoutParams
		code, param string
	}{
		{settlement.PayoutParams{Amount: ptr(amount + 1), Currency: "CNY"}, "balance_insufficient", "amount"},
		{settlement.PayoutParams{Amount: ptr[int64](0), Currency: "CNY"}, "parameter_invalid", "amount"},
		{settlement.PayoutParams{Currency: "CNY"}, "parameter_missing", "amount"},
		{settlement.PayoutParams{Amount: ptr[int64](100), Currency: "XYZ"}, "parameter_invalid", "currency"},
		{settlement.PayoutParams{Amount: ptr[int64](100), Currency: "cny"}, "parameter_invalid", "currency"},
		{settlement.PayoutParams{Amount: ptr[int64](100), Currency: "CNY", BankAccount: &usd.ID}, "parameter_invalid", "bank_account"},
		{settlement.PayoutParams{Amount: ptr[int64](100), Currency: "CNY", BankAccount: &theirs.ID}, "resource_missing", "bank_account"},
		{settlement.PayoutParams{Amount: ptr[int64](100), Currency: "USD"}, "balance_insufficient", "amount"},
	} {
		_, err := e.settlement.CreatePayout(e.ctx, m, bad.params)
		if e, ok := scanpay.ErrorOf(err); !ok || e.Code != bad.code || e.Param != bad.param {
			t.Fatalf("%+v: %v, want %s naming %s", bad.params, err, bad.code, bad.param)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM payouts`); n != 0 {
		t.Fatalf("%d payouts after refusals", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM balance_transactions`); n != lines {
		t.Fatal("a refused payout wrote balance transactions")
	}
	if got := e.balance(m, ledger.MerchantAvailable, "CNY"); got != amount {
		t.Fatalf("available %d after refusals, want %d", got, amount)
	}

	po, err := e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: ptr[int64](1000), Currency: "CNY"})
	if err != nil || po.BankAccount != newest.ID || po.Automatic || po.Status != settlement.PayoutPending || po.Date != nil {
		t.Fatalf("payout %+v (%v), want to %s", po, err, newest.ID)
	}
	toOld, err := e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: ptr[int64](500), Currency: "CNY", BankAccount: &old.ID})
	if err != nil || toOld.BankAccount != old.ID {
		t.Fatalf("payout to a named account %+v (%v)", toOld, err)
	}
	if got := e.balance(m, ledger.MerchantAvailable, "CNY"); got != amount-1500 {
		t.Fatalf("available %d", got)
	}
	if got := e.lines(m, settlement.BalanceTransactionFilter{Payout: po.ID}); len(got) != 1 || got[0].Net != -1000 || got[0].AvailableOn != "2026-03-11" {
		t.Fatalf("the payout's own line: %+v", got)
	}
	// On the daily schedule, the next automatic payout takes the rest,
	// and carries the manual payouts' lines with the settled ones.
	e.settings(m, merchant.SettingsParams{PayoutSchedule: ptr(merchant.PayoutDaily)})
	made := e.payOut("")
	if len(made) != 1 || made[0].Amount != amount-1500 {
		t.Fatalf("automatic payout %+v, want %d", made, amount-1500)
	}
	if carried := e.lines(m, settlement.BalanceTransactionFilter{Payout: made[0].ID}); sum(carried) != 0 || len(carried) != 4 {
		t.Fatalf("the automatic payout carries %d lines netting %d", len(carried), sum(carried))
	}
	e.verifyLedger()
}

// TestAPayoutLeavesWhatUnsettledRefundsNeed: refunds of settled sales on a
// day not yet settled will take money back out of available; a payout
// may not leave too little for them, so the negative day still settles.
func TestAPayoutLeavesWhatUnsettledRefundsNeed(t *testing.T) {
	e := newEnv(t)
	m := e.merchant("Blue Bottle")
	e.settings(m, merchant.SettingsParams{PayoutSchedule: ptr(merchant.PayoutManual), SettlementDelayDays: ptr(2)})
	e.bankAccount(m, "CNY", settlement.SimulatedPays)
	w, _ := e.payer(1_000_000, "CNY")
	e.at("2026-03-10", 12, 0)
	first := e.sale(m, w, 10000, "CNY", "")
	e.at("2026-03-12", 0, 5)
	e.settle("")
	available := e.balance(m, ledger.MerchantAvailable, "CNY")
	e.at("2026-03-12", 10, 0)
	e.refund(m, first.Order, 6000)
	held := -e.balance(m, ledger.MerchantPending, "CNY")
	e.at("2026-03-13", 10, 0)
	e.sale(m, w, 20000, "CNY", "")
	_, err := e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: &available, Currency: "CNY"})
	if !errors.Is(err, settlement.ErrPayoutExceedsAvailable) {
		t.Fatalf("paying out all %d with %d of refunds unsettled: %v", available, held, err)
	}
	payable := available - held
	if _, err := e.settlement.CreatePayout(e.ctx, m, settlement.PayoutParams{Amount: &payable, Currency: "CNY"}); err != nil {
		t.Fatalf("paying out %d: %v", payable, err)
	}
	e.at("2026-03-14", 0, 5)
	made := e.settle("")
	if len(made) != 1 || !made[0].Negative || made[0].Date != "2026-03-12" {
		t.Fatalf("the refund's day: %+v", made)
	}
	if got := e.balance(m, ledger.MerchantAvailable, "CNY"); got != 0 {
		t.Fatalf("available %d after the negative day", got)
	}
	e.at("2026-03-15", 0, 5)
	if made := e.settle(""); len(made) != 1 || made[0].Date != "2026-03-13" {
		t.Fatalf("the next day: %+v", made)
	}
	e.verifyLedger()
}
