package sdk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// shopEnv is an env whose gateway runs on a clock the test moves, and
// whose merchant sold 125.00 and 30.00 CNY today and refunded 10.00 of
// the second sale, all through the SDK and the wallet API.
type shopEnv struct {
	*env
	clock *clocktest.Clock
}

func newShopEnv(t *testing.T) *shopEnv {
	t.Helper()
	clock := clocktest.New()
	e := &shopEnv{env: newEnvWith(t, gatewaytest.Options{Now: clock.Now}), clock: clock}
	e.paidOrder(t, 12500)
	o := e.paidOrder(t, 3000)
	if _, err := e.c.Refunds.Create(context.Background(), &sdk.RefundCreateParams{Order: o.ID, Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	return e
}

// settle runs the gateway's settlement job as of two days after today in
// Shanghai, the merchant's zone: today is due with the default delay of a
// day. It returns the ids of the settlements made.
func (e *shopEnv) settle(t *testing.T) []string {
	t.Helper()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := e.clock.Now().In(shanghai).Date()
	made, err := e.g.Settlement.SettleDue(context.Background(), time.Date(y, m, d+2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(made))
	for i, st := range made {
		ids[i] = st.ID
	}
	return ids
}

// advancePayouts moves the clock on by d and runs the gateway's bank job.
func (e *shopEnv) advancePayouts(t *testing.T, d time.Duration) {
	t.Helper()
	e.clock.Advance(d)
	if _, err := e.g.Settlement.AdvancePayouts(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// amountOf is the balance in currency, and whether the balance lists it.
func amountOf(balances []sdk.CurrencyBalance, currency string) (int64, bool) {
	for _, b := range balances {
		if b.Currency == currency {
			return b.Amount, true
		}
	}
	return 0, false
}

func sumNet(lines []*sdk.BalanceTransaction) (net int64) {
	for _, l := range lines {
		net += l.Net
	}
	return net
}

// The day's sales show as pending balance transactions, which the SDK
// lists, filters and pages through; once the day settles they are the
// settlement's, the money is available, and the settlement's report
// downloads as the bytes its digest and signature name.
func TestBalanceAndSettlement(t *testing.T) {
	e := newShopEnv(t)
	ctx := context.Background()

	lines := collect(t, e.c.BalanceTransactions.List(ctx, nil))
	if len(lines) != 3 || lines[0].Type != sdk.BalanceTransactionRefund || lines[0].Gross != -1000 ||
		lines[1].Type != sdk.BalanceTransactionPayment || lines[1].Gross != 3000 || lines[2].Gross != 12500 {
		t.Fatalf("balance transactions %+v, want the refund then the two payments, newest first", lines)
	}
	for _, l := range lines {
		if l.Object != "balance_transaction" || l.Livemode || l.Status != "pending" || l.Currency != "CNY" ||
			l.Net != l.Gross-l.Fee || l.Order == nil || l.Source == "" || l.Settlement != nil || l.Payout != nil || l.AvailableOn == "" {
			t.Fatalf("pending line %+v", l)
		}
	}
	net := sumNet(lines)
	if net <= 0 || net >= 14500 {
		t.Fatalf("the lines net %d: want the takings less fees", net)
	}
	balance, err := e.c.Balance.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pending, ok := amountOf(balance.Pending, "CNY"); balance.Object != "balance" || !ok || pending != net ||
		len(balance.Available) != 0 || len(balance.InTransit) != 0 {
		t.Fatalf("balance %+v, want %d CNY pending and nothing else", balance, net)
	}

	// Filters and pages.
	payments := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Type: sdk.BalanceTransactionPayment}))
	if len(payments) != 2 || payments[0].ID != lines[1].ID || payments[1].ID != lines[2].ID {
		t.Fatalf("payments %+v", payments)
	}
	e.tr.reset(nil)
	paged := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{ListParams: sdk.ListParams{Limit: 1}}))
	if len(paged) != 3 || paged[2].ID != lines[2].ID || len(e.tr.sent()) != 3 {
		t.Fatalf("pages of one: %d lines in %d requests, want 3 in 3", len(paged), len(e.tr.sent()))
	}
	if q, err := url.ParseQuery(e.tr.sent()[2].query); err != nil || q.Get("starting_after") != lines[1].ID || q.Has("type") {
		t.Fatalf("third page asked %q (%v)", e.tr.sent()[2].query, err)
	}
	one, err := e.c.BalanceTransactions.Get(ctx, lines[0].ID)
	if err != nil || one.ID != lines[0].ID || one.Net != lines[0].Net || *one.Order != *lines[0].Order {
		t.Fatalf("Get %+v (%v), want %+v", one, err, lines[0])
	}
	apiError(t, listError(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Type: "sale"})),
		400, "invalid_request_error", "parameter_invalid", "type")
	_, err = e.c.BalanceTransactions.Get(ctx, "btx_nope")
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")

	// The day settles.
	ids := e.settle(t)
	if len(ids) != 1 {
		t.Fatalf("%d settlements, want 1", len(ids))
	}
	st, err := e.c.Settlements.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var fees int64
	for _, l := range lines {
		fees += l.Fee
	}
	if st.ID != ids[0] || st.Object != "settlement" || st.Livemode || st.Currency != "CNY" || st.Timezone != "Asia/Shanghai" ||
		st.Count != 3 || st.Gross != 15500 || st.Refunds != -1000 || st.Fees != fees || st.Net != net || st.Negative ||
		st.Date == "" || st.AvailableOn <= st.Date || st.Report.URL != e.g.URL+"/v1/settlements/"+st.ID+"/report.csv" ||
		len(st.Report.SHA256) != 64 || st.Report.Signature == "" || st.Report.KeyID == "" {
		t.Fatalf("settlement %+v, want 3 lines netting %d", st, net)
	}
	all := collect(t, e.c.Settlements.List(ctx, nil))
	if len(all) != 1 || *all[0] != *st {
		t.Fatalf("settlements %+v, want [%+v]", all, st)
	}
	settled := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Settlement: st.ID}))
	if len(settled) != 3 || sumNet(settled) != net {
		t.Fatalf("the settlement's lines: %+v", settled)
	}
	for _, l := range settled {
		if l.Status != "available" || l.Settlement == nil || *l.Settlement != st.ID || l.AvailableOn != st.AvailableOn {
			t.Fatalf("settled line %+v", l)
		}
	}
	if other := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Settlement: "stl_other"})); len(other) != 0 {
		t.Fatalf("lines of no settlement: %+v", other)
	}
	balance, err = e.c.Balance.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := amountOf(balance.Pending, "CNY")
	if available, ok := amountOf(balance.Available, "CNY"); !ok || available != net || pending != 0 {
		t.Fatalf("balance after the settlement %+v, want %d CNY available", balance, net)
	}

	// The report is the signed file.
	report := download(t, e.c, st.ID)
	if sum := sha256.Sum256(report); hex.EncodeToString(sum[:]) != st.Report.SHA256 {
		t.Fatalf("the report's SHA-256 is %x, the settlement says %s", sum, st.Report.SHA256)
	}
	rows, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][0] != "id" || rows[4][0] != "total" || rows[4][len(rows[4])-1] != strconv.FormatInt(net, 10) {
		t.Fatalf("report rows %q: want a header, 3 lines and a total of %d", rows, net)
	}
	_, err = e.c.Settlements.Report(ctx, "stl_nope")
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")
	if !errors.Is(err, sdk.ErrResourceMissing) {
		t.Fatalf("a missing report: %v", err)
	}
	_, err = e.c.Settlements.Get(ctx, "stl_nope")
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")

	// The webhook event carries the same settlement.
	events := collect(t, e.c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventSettlementCreated}))
	if len(events) != 1 {
		t.Fatalf("%d settlement.created events", len(events))
	}
	got, err := events[0].Settlement()
	if err != nil || got.ID != st.ID || got.Net != st.Net || got.Report != st.Report {
		t.Fatalf("event's settlement %+v (%v), want %+v", got, err, st)
	}
	if _, err := events[0].Payout(); err == nil {
		t.Fatal("a settlement event gave a payout")
	}

	// Running the job again settles nothing new.
	if again := e.settle(t); len(again) != 0 {
		t.Fatalf("a second run made %v", again)
	}
}

// download fetches a settlement's report through the SDK.
func download(t *testing.T, c *sdk.Client, id string) []byte {
	t.Helper()
	body, err := c.Settlements.Report(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
