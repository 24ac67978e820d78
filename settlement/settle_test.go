package settlement_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/csv"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage"
)

// TestADayTiesOutToTheCent runs a day of trade through checkout (payments
// with platform and merchant coupons, merchant and platform cashback,
// partial and full refunds) for two merchants in two currencies, then
// settles it: each settlement is its balance transactions, to the cent and
// by type; its report says the same, comes back byte for byte, and
// verifies with the gateway's public key and with nothing else; the
// automatic payout is what became available and is carried by exactly
// those lines; and the ledger, settlements and payouts included, holds.
func TestADayTiesOutToTheCent(t *testing.T) {
	e := newEnv(t)
	e.at("2026-03-10", 0, 0)
	a, b := e.merchant("Blue Bottle"), e.merchant("Tea House")
	currencies := []string{"CNY", "USD"}
	platformCoupons := map[string]string{}
	for _, c := range currencies {
		camp, err := e.checkout.CreatePlatformCampaign(e.ctx, false, checkout.CampaignParams{Name: "Spring " + c, Currency: c,
			AmountOff: ptr[int64](150), MaxPerWallet: ptr(100), Claimable: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		platformCoupons[c] = camp.ID
	}
	ownCoupons, err := e.checkout.CreateCampaign(e.ctx, b, checkout.CampaignParams{Name: "Tea off", Currency: "CNY",
		AmountOff: ptr[int64](200), MaxPerWallet: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	for _, cb := range []struct {
		p        merchant.Principal
		currency string
		rate     int
	}{{a, "CNY", 500}, {b, "USD", 300}} {
		_, err := e.checkout.CreateCashbackCampaign(e.ctx, cb.p, checkout.CashbackCampaignParams{Name: "Back", Currency: cb.currency,
			RateBPS: ptr(cb.rate), BudgetAmount: ptr[int64](1_000_000)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.checkout.CreatePlatformCashbackCampaign(e.ctx, false, checkout.CashbackCampaignParams{Name: "Scanpay back",
		Currency: "CNY", RateBPS: ptr(100), BudgetAmount: ptr[int64](1_000_000)}); err != nil {
		t.Fatal(err)
	}
	type payer struct{ id, phone string }
	var payers []payer
	for range 6 {
		id, phone := e.payer(5_000_000, currencies...)
		payers = append(payers, payer{id, phone})
	}

	// The day: a sale every 20 minutes from 00:20 to 16:00, a third of
	// them with a platform coupon, some with the tea house's own; a third
	// of a sale refunded now and then, and sales refunded in full later.
	var orders []string
	owner := map[string]merchant.Principal{}
	for i := range 48 {
		e.at("2026-03-10", 0, 20*(i+1))
		m, cur, w := []merchant.Principal{a, b}[i%2], currencies[(i/2)%2], payers[i%len(payers)]
		var coupon string
		switch {
		case m == b && cur == "CNY" && i%5 == 0:
			c, err := e.checkout.SendCoupon(e.ctx, b, ownCoupons.ID, w.phone)
			if err != nil {
				t.Fatal(err)
			}
			coupon = c.ID
		case i%3 == 0:
			c, err := e.checkout.ClaimCoupon(e.ctx, w.id, false, platformCoupons[cur])
			if err != nil {
				t.Fatal(err)
			}
			coupon = c.ID
		}
		amount := 2000 + int64(i)*173
		pay := e.sale(m, w.id, amount, cur, coupon)
		orders = append(orders, pay.Order)
		owner[pay.Order] = m
		if i%4 == 3 {
			e.refund(m, pay.Order, amount/3)
		}
		if i%7 == 6 {
			earlier := orders[i-2]
			if _, err := e.checkout.CreateRefund(e.ctx, owner[earlier], checkout.RefundParams{Order: earlier}); err != nil {
				t.Fatal(err)
			}
		}
	}
	type key struct {
		p        merchant.Principal
		currency string
	}
	pendingAtClose := map[key]int64{}
	for _, m := range []merchant.Principal{a, b} {
		for _, c := range currencies {
			pendingAtClose[key{m, c}] = e.balance(m, ledger.MerchantPending, c)
			if pendingAtClose[key{m, c}] <= 0 {
				t.Fatalf("%s %s took %d in the day", m.MerchantID, c, pendingAtClose[key{m, c}])
			}
		}
	}
	// A sale after midnight belongs to the next day.
	e.at("2026-03-11", 0, 2)
	late := e.sale(a, payers[0].id, 999, "CNY", "")
	e.at("2026-03-11", 0, 5)
	for _, m := range []merchant.Principal{a, b} {
		for _, c := range currencies {
			e.bankAccount(m, c, settlement.SimulatedPays)
		}
	}

	settled := e.settle("")
	if len(settled) != 4 {
		t.Fatalf("%d settlements, want one per merchant and currency", len(settled))
	}
	keys, err := e.settlement.SigningKeys(e.ctx)
	if err != nil || len(keys) != 1 || keys[0].Algorithm != "ed25519" {
		t.Fatalf("signing keys %+v (%v)", keys, err)
	}
	public, err := settlement.ParsePublicKey(keys[0].PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range settled {
		m := merchant.Principal{MerchantID: ownerOf(e, st.ID)}
		if st.Date != "2026-03-10" || st.AvailableOn != "2026-03-11" || st.Timezone != "Asia/Shanghai" || st.Negative {
			t.Fatalf("settlement %+v", st)
		}
		if st.Net != pendingAtClose[key{m, st.Currency}] {
			t.Fatalf("%s %s: settled %d, but %d was pending at the day's close", m.MerchantID, st.Currency, st.Net, pendingAtClose[key{m, st.Currency}])
		}
		lines := e.lines(m, settlement.BalanceTransactionFilter{Settlement: st.ID})
		byType := map[string]int64{}
		var fees int64
		for _, l := range lines {
			if l.Status != settlement.LineAvailable || l.AvailableOn != "2026-03-11" || *l.Settlement != st.ID || l.Currency != st.Currency {
				t.Fatalf("line %+v of %s", l, st.ID)
			}
			byType[l.Type] += l.Gross
			fees += l.Fee
		}
		if int64(len(lines)) != st.Count || sum(lines) != st.Net || fees != st.Fees || byType["payment"] != st.Gross ||
			byType["refund"] != st.Refunds || byType["coupon_funding"] != st.Discounts || byType["cashback_funding"] != st.Cashback {
			t.Fatalf("settlement %+v, but its %d lines net %d with fees %d and gross by type %v", st, len(lines), sum(lines), fees, byType)
		}
		if st.Refunds >= 0 || (st.Currency == "CNY" && m == a && st.Cashback >= 0) || st.Discounts <= 0 {
			t.Fatalf("the day should have refunds, platform discounts and A's cashback in it: %+v", st)
		}

		report, err := e.settlement.Report(e.ctx, m, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, report, st)
		again, err := e.settlement.Report(e.ctx, m, st.ID)
		if err != nil || !bytes.Equal(again, report) {
			t.Fatalf("the report downloaded again differs (%v)", err)
		}
		if st.Report.KeyID != keys[0].ID || st.Report.URL != "http://gw.test/v1/settlements/"+st.ID+"/report.csv" {
			t.Fatalf("report %+v", st.Report)
		}
		if err := settlement.VerifyReport(report, st.Report.SHA256, st.Report.Signature, public); err != nil {
			t.Fatalf("the report does not verify: %v", err)
		}
		changed := bytes.Clone(report)
		changed[len(changed)/2] ^= 1
		if err := settlement.VerifyReport(changed, st.Report.SHA256, st.Report.Signature, public); !errors.Is(err, settlement.ErrReportDigest) {
			t.Fatalf("a changed byte: %v", err)
		}
		other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
		if err := settlement.VerifyReport(report, st.Report.SHA256, st.Report.Signature, other); !errors.Is(err, settlement.ErrReportSignature) {
			t.Fatalf("another key: %v", err)
		}
	}
	if got, err := e.settlement.GetBalanceTransaction(e.ctx, a, lineOf(e, late.ID)); err != nil ||
		got.Status != settlement.LinePending || got.AvailableOn != "2026-03-12" || got.Settlement != nil {
		t.Fatalf("the sale after midnight: %+v (%v)", got, err)
	}

	payouts := e.payOut("")
	if len(payouts) != 4 {
		t.Fatalf("%d automatic payouts, want 4", len(payouts))
	}
	for _, po := range payouts {
		m := merchant.Principal{MerchantID: ownerOfPayout(e, po.ID)}
		if !po.Automatic || po.Status != settlement.PayoutPending || *po.Date != "2026-03-11" || po.Amount != pendingAtClose[key{m, po.Currency}] {
			t.Fatalf("payout %+v, want all of %d that became available", po, pendingAtClose[key{m, po.Currency}])
		}
		carried := e.lines(m, settlement.BalanceTransactionFilter{Payout: po.ID})
		var own, settledNet int64
		for _, l := range carried {
			if l.Type == ledger.LinePayout {
				own += l.Net
			} else {
				settledNet += l.Net
			}
		}
		if own != -po.Amount || settledNet != po.Amount {
			t.Fatalf("payout %s of %d carries lines of %d and its own of %d", po.ID, po.Amount, settledNet, own)
		}
		if e.balance(m, ledger.MerchantAvailable, po.Currency) != 0 || e.balance(m, ledger.MerchantInTransit, po.Currency) != po.Amount {
			t.Fatalf("after the payout: available %d, in transit %d", e.balance(m, ledger.MerchantAvailable, po.Currency),
				e.balance(m, ledger.MerchantInTransit, po.Currency))
		}
	}
	e.verifyLedger()
	if again := e.settle(""); len(again) != 0 {
		t.Fatalf("settled again: %+v", again)
	}
	if again := e.payOut(""); len(again) != 0 {
		t.Fatalf("paid out again: %+v", again)
	}

	e.advance(time.Second)     // submitted
	e.advance(3 * time.Second) // paid
	for _, po := range payouts {
		m := merchant.Principal{MerchantID: ownerOfPayout(e, po.ID)}
		if got := e.payout(m, po.ID); got.Status != settlement.PayoutPaid || got.PaidAt == nil {
			t.Fatalf("payout %+v after the bank's seconds", got)
		}
		if e.balance(m, ledger.MerchantInTransit, po.Currency) != 0 {
			t.Fatal("money still in transit after the payout was paid")
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'settlement.created'`); n != 4 {
		t.Fatalf("%d settlement.created events", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'payout.paid'`); n != 4 {
		t.Fatalf("%d payout.paid events", n)
	}
	e.verifyLedger()
}

// checkReport reads the report's CSV: the header, one record per line of
// the settlement, and the totals, which are the settlement's.
func checkReport(t *testing.T, report []byte, st settlement.Settlement) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v", err)
	}
	if int64(len(records)) != st.Count+2 || records[0][0] != "id" || records[0][12] != "net" {
		t.Fatalf("%d records for %d lines; header %v", len(records), st.Count, records[0])
	}
	var net int64
	for _, r := range records[1 : len(records)-1] {
		net += atoi(t, r[12])
	}
	total := records[len(records)-1]
	if total[0] != "total" || total[7] != st.Currency || atoi(t, total[9]) != st.Fees || atoi(t, total[10]) != st.Discounts ||
		atoi(t, total[11]) != st.Cashback || atoi(t, total[12]) != st.Net || net != st.Net ||
		atoi(t, total[8]) != st.Gross+st.Refunds+st.Discounts+st.Cashback+st.Adjustments {
		t.Fatalf("totals %v, settlement %+v, lines net %d", total, st, net)
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an amount", s)
	}
	return n
}

func ownerOf(e *env, settlementID string) string {
	var id string
	e.scan(&id, `SELECT merchant_id FROM settlements WHERE id = ?`, settlementID)
	return id
}

func ownerOfPayout(e *env, payoutID string) string {
	var id string
	e.scan(&id, `SELECT merchant_id FROM payouts WHERE id = ?`, payoutID)
	return id
}

// lineOf is the balance transaction of a payment.
func lineOf(e *env, paymentID string) string {
	var id string
	e.scan(&id, `SELECT id FROM balance_transactions WHERE source = ? AND type = 'payment'`, paymentID)
	return id
}

// TestDaysSettleOnceOldestFirst: after days without a run, each business
// day with trade settles as its own settlement, oldest first; a run as of
// an earlier day settles only what that day allows; runs again do
// nothing.
func TestDaysSettleOnceOldestFirst(t *testing.T) {
	e := newEnv(t)
	a := e.merchant("Blue Bottle")
	w, _ := e.payer(1_000_000, "CNY")
	nets := map[string]int64{}
	for _, s := range []struct {
		day    string
		hour   int
		amount int64
	}{{"2026-03-10", 10, 1000}, {"2026-03-11", 0, 2000}, {"2026-03-11", 23, 3000}, {"2026-03-13", 12, 4000}} {
		e.at(s.day, s.hour, 30)
		pay := e.sale(a, w, s.amount, "CNY", "")
		var net int64
		e.scan(&net, `SELECT net FROM balance_transactions WHERE source = ?`, pay.ID)
		nets[s.day] += net
	}
	e.at("2026-03-15", 0, 10)
	if made := e.settle("2026-03-11"); len(made) != 1 || made[0].Date != "2026-03-10" || made[0].Net != nets["2026-03-10"] {
		t.Fatalf("as of the 11th: %+v", made)
	}
	made := e.settle("")
	if len(made) != 2 || made[0].Date != "2026-03-11" || made[1].Date != "2026-03-13" {
		t.Fatalf("catching up: %+v", made)
	}
	for _, st := range made {
		if st.Net != nets[st.Date] || st.AvailableOn != formatDay(e.day(st.Date).AddDate(0, 0, 1)) {
			t.Fatalf("settlement %+v, want net %d", st, nets[st.Date])
		}
	}
	if again := e.settle(""); len(again) != 0 {
		t.Fatalf("a second run settled %+v", again)
	}
	if got := e.balance(a, ledger.MerchantAvailable, "CNY"); got != nets["2026-03-10"]+nets["2026-03-11"]+nets["2026-03-13"] {
		t.Fatalf("available %d", got)
	}
	if got := e.balance(a, ledger.MerchantPending, "CNY"); got != 0 {
		t.Fatalf("pending %d", got)
	}
	e.verifyLedger()
}

func formatDay(d time.Time) string { return d.Format("2006-01-02") }

// TestBusinessDaysFollowTheMerchantsZoneAndDelay: a sale at 23:00 in New
// York is on that day there, whatever the date in Shanghai or UTC, and
// with a delay of two days it is pending until that day plus two.
func TestBusinessDaysFollowTheMerchantsZoneAndDelay(t *testing.T) {
	e := newEnv(t)
	m := e.merchant("Diner")
	e.settings(m, merchant.SettingsParams{Timezone: ptr("America/New_York"), SettlementDelayDays: ptr(2)})
	w, _ := e.payer(100_000, "USD")
	e.clock.Set(time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)) // 23:00 on the 9th in New York
	pay := e.sale(m, w, 1500, "USD", "")
	line, err := e.settlement.GetBalanceTransaction(e.ctx, m, lineOf(e, pay.ID))
	if err != nil || line.Status != settlement.LinePending || line.AvailableOn != "2026-03-11" {
		t.Fatalf("pending line %+v (%v)", line, err)
	}
	if made := e.settle("2026-03-10"); len(made) != 0 {
		t.Fatalf("settled before the delay: %+v", made)
	}
	made := e.settle("2026-03-11")
	if len(made) != 1 || made[0].Date != "2026-03-09" || made[0].Timezone != "America/New_York" || made[0].AvailableOn != "2026-03-11" {
		t.Fatalf("settlement %+v", made)
	}
	line, err = e.settlement.GetBalanceTransaction(e.ctx, m, line.ID)
	if err != nil || line.Status != settlement.LineAvailable || line.AvailableOn != "2026-03-11" || *line.Settlement != made[0].ID {
		t.Fatalf("settled line %+v (%v)", line, err)
	}
	e.verifyLedger()
}

// TestANegativeDaySettlesAndSaysSo: refunds of settled sales outweigh a
// day's takings; its settlement is negative, moves its net back from
// available to pending, and the ledger holds.
func TestANegativeDaySettlesAndSaysSo(t *testing.T) {
	e := newEnv(t)
	a := e.merchant("Blue Bottle")
	e.settings(a, merchant.SettingsParams{PayoutSchedule: ptr(merchant.PayoutManual)})
	w, _ := e.payer(1_000_000, "CNY")
	e.at("2026-03-10", 10, 0)
	first := e.sale(a, w, 10000, "CNY", "")
	e.at("2026-03-11", 0, 5)
	day1 := e.settle("")
	if len(day1) != 1 || day1[0].Net <= 0 {
		t.Fatalf("the first day: %+v", day1)
	}
	e.at("2026-03-11", 9, 0)
	e.refund(a, first.Order, 8000)
	e.sale(a, w, 1000, "CNY", "")
	e.at("2026-03-12", 0, 5)
	made := e.settle("")
	if len(made) != 1 {
		t.Fatalf("%d settlements", len(made))
	}
	st := made[0]
	if !st.Negative || st.Net >= 0 || st.Refunds != -8000 || st.Gross != 1000 || st.Count != 2 {
		t.Fatalf("negative day %+v", st)
	}
	if got := e.balance(a, ledger.MerchantAvailable, "CNY"); got != day1[0].Net+st.Net {
		t.Fatalf("available %d, want %d", got, day1[0].Net+st.Net)
	}
	if got := e.balance(a, ledger.MerchantPending, "CNY"); got != 0 {
		t.Fatalf("pending %d", got)
	}
	report, err := e.settlement.Report(e.ctx, a, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, report, st)
	e.verifyLedger()
}

// TestEachDaySettlesOnceUnderConcurrentRuns: four gateways (services of
// their own, two on pools of their own) run the settlement and payout jobs
// at the same moment, twice; every merchant's every day is settled once
// and paid out once, and the ledger holds.
func TestEachDaySettlesOnceUnderConcurrentRuns(t *testing.T) {
	e := newEnv(t)
	var merchants []merchant.Principal
	w, _ := e.payer(5_000_000, "CNY", "USD")
	for _, name := range []string{"A", "B", "C"} {
		m := e.merchant(name)
		merchants = append(merchants, m)
		for d, day := range []string{"2026-03-10", "2026-03-11", "2026-03-12"} {
			e.at(day, 12, 0)
			e.sale(m, w, int64(1000+100*d), "CNY", "")
			e.sale(m, w, int64(500+10*d), "USD", "")
		}
		e.bankAccount(m, "CNY", settlement.SimulatedPays)
	}
	e.at("2026-03-13", 0, 10)
	services := []*settlement.Service{e.settlement, e.newService(e.db, merchant.NewService(e.db, e.clock.Now))}
	for range 2 {
		db, err := storage.Open(e.ctx, e.dbURL, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { storage.Close(db) })
		services = append(services, e.newService(db, merchant.NewService(db, e.clock.Now)))
	}
	for round := range 2 {
		gate := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, len(services))
		for i, svc := range services {
			wg.Go(func() {
				<-gate
				_, err := svc.SettleDue(e.ctx, time.Time{})
				_, err2 := svc.PayOutDue(e.ctx, time.Time{})
				errs[i] = errors.Join(err, err2)
			})
		}
		close(gate)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM settlements`); n != 18 {
		t.Fatalf("%d settlements, want 3 merchants × 2 currencies × 3 days", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM (SELECT DISTINCT merchant_id, currency, date FROM settlements) d`); n != 18 {
		t.Fatalf("%d distinct days settled", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM balance_transactions WHERE status = 'pending'`); n != 0 {
		t.Fatalf("%d lines left pending", n)
	}
	// Only CNY has a bank account: one automatic payout each.
	if n := e.count(`SELECT COUNT(*) FROM payouts WHERE automatic_date IS NOT NULL`); n != 3 {
		t.Fatalf("%d automatic payouts, want 3", n)
	}
	for _, m := range merchants {
		if got := e.balance(m, ledger.MerchantAvailable, "CNY"); got != 0 {
			t.Fatalf("CNY left available after the payout: %d", got)
		}
		if got := e.balance(m, ledger.MerchantAvailable, "USD"); got <= 0 {
			t.Fatalf("USD available %d", got)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE type = 'settlement.created'`); n != 18 {
		t.Fatalf("%d settlement.created events", n)
	}
	e.verifyLedger()
}
