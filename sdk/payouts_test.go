package sdk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// The simulated bank's account numbers (API.md).
const (
	accountPays   = "000123456789"
	accountClosed = "000111111113"
)

// bodies records the bodies of the gateway's answers, as the client
// reads them.
type bodies struct {
	mu  sync.Mutex
	all [][]byte
}

func (b *bodies) fault(_ int, send func() (*http.Response, error)) (*http.Response, error) {
	resp, err := send()
	if err != nil {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.all = append(b.all, raw)
	b.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

func (b *bodies) contain(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, raw := range b.all {
		if bytes.Contains(raw, []byte(s)) {
			return true
		}
	}
	return false
}

// A bank account is added with its number never shown again; bad input
// is refused naming the field and adds nothing.
func TestBankAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	seen := &bodies{}
	e.tr.reset(seen.fault)
	for _, bad := range []struct {
		params      sdk.BankAccountCreateParams
		code, param string
	}{
		{sdk.BankAccountCreateParams{AccountNumber: accountPays, Currency: "CNY"}, "parameter_missing", "account_holder"},
		{sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", Currency: "CNY"}, "parameter_missing", "account_number"},
		{sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: "0001-2345-6789", Currency: "CNY"}, "parameter_invalid", "account_number"},
		{sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: accountPays, Currency: "cny"}, "parameter_invalid", "currency"},
	} {
		_, err := e.c.BankAccounts.Create(ctx, &bad.params)
		apiError(t, err, 400, "invalid_request_error", bad.code, bad.param)
	}
	if n := e.g.Count(t, "bank_accounts"); n != 0 {
		t.Fatalf("refused bank accounts added %d rows", n)
	}
	if seen.contain("0001-2345-6789") {
		t.Fatal("an error repeated the account number")
	}

	a, err := e.c.BankAccounts.Create(ctx, &sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: accountPays, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.ID, "ba_") || a.Object != "bank_account" || a.AccountHolder != "Blue Bottle Ltd" || a.Currency != "CNY" ||
		a.Last4 != "6789" || a.Status != sdk.BankAccountNew || a.Livemode || a.CreatedAt.IsZero() {
		t.Fatalf("bank account %+v", a)
	}
	got, err := e.c.BankAccounts.Get(ctx, a.ID)
	if err != nil || *got != *a {
		t.Fatalf("Get %+v (%v), want %+v", got, err, a)
	}
	second, err := e.c.BankAccounts.Create(ctx, &sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: accountClosed, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	if all := collect(t, e.c.BankAccounts.List(ctx, nil)); len(all) != 2 || all[0].ID != second.ID || all[1].ID != a.ID {
		t.Fatalf("bank accounts %+v, want the two, newest first", all)
	}
	if seen.contain(accountPays) || seen.contain(accountClosed) {
		t.Fatal("the gateway's answers show an account number")
	}
	_, err = e.c.BankAccounts.Get(ctx, "ba_nope")
	if !errors.Is(err, sdk.ErrResourceMissing) {
		t.Fatalf("an unknown bank account: %v", err)
	}
}

// Available money is paid out through the SDK: a payout whose answer is
// lost is retried and pays once; the bank pays it; an automatic payout
// takes the rest, with the lines it carries; a closed account fails.
func TestPayouts(t *testing.T) {
	e := newShopEnv(t)
	ctx := context.Background()
	if len(e.settle(t)) != 1 {
		t.Fatal("no settlement")
	}
	balance, err := e.c.Balance.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	available, _ := amountOf(balance.Available, "CNY")
	if available <= 5000 {
		t.Fatalf("%d CNY available, want more than 5000", available)
	}

	_, err = e.c.Payouts.Create(ctx, &sdk.PayoutCreateParams{Amount: 5000, Currency: "CNY"})
	apiError(t, err, 400, "invalid_request_error", "bank_account_missing", "bank_account")
	if !errors.Is(err, sdk.ErrBankAccountMissing) {
		t.Fatalf("no bank account: %v", err)
	}
	account, err := e.c.BankAccounts.Create(ctx, &sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: accountPays, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		params      sdk.PayoutCreateParams
		status      int
		typ, code   string
		param       string
		wantMatches error
	}{
		{sdk.PayoutCreateParams{Currency: "CNY"}, 400, "invalid_request_error", "parameter_missing", "amount", sdk.ErrParameterMissing},
		{sdk.PayoutCreateParams{Amount: -1, Currency: "CNY"}, 400, "invalid_request_error", "parameter_invalid", "amount", sdk.ErrParameterInvalid},
		{sdk.PayoutCreateParams{Amount: 100, Currency: "XYZ"}, 400, "invalid_request_error", "parameter_invalid", "currency", sdk.ErrParameterInvalid},
		{sdk.PayoutCreateParams{Amount: available + 1, Currency: "CNY"}, 400, "invalid_request_error", "balance_insufficient", "amount", sdk.ErrBalanceInsufficient},
		{sdk.PayoutCreateParams{Amount: 100, Currency: "CNY", BankAccount: "ba_nope"}, 404, "not_found_error", "resource_missing", "bank_account", sdk.ErrResourceMissing},
	} {
		_, err := e.c.Payouts.Create(ctx, &bad.params)
		apiError(t, err, bad.status, bad.typ, bad.code, bad.param)
		if !errors.Is(err, bad.wantMatches) {
			t.Fatalf("%+v: %v does not match %v", bad.params, err, bad.wantMatches)
		}
	}
	if n := e.g.Count(t, "payouts"); n != 0 {
		t.Fatalf("refused payouts made %d", n)
	}

	// The gateway pays out, the answer is lost, the retry replays it.
	e.tr.reset(dropFirstAnswer)
	po, err := e.c.Payouts.Create(ctx, &sdk.PayoutCreateParams{Amount: 5000, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	sent := e.tr.sent()
	if len(sent) != 2 || sent[0].header.Get("Idempotency-Key") == "" || sent[1].header.Get("Idempotency-Key") != sent[0].header.Get("Idempotency-Key") ||
		sent[1].replayed != "true" {
		t.Fatalf("%d attempts, keys %q %q, replayed %q: want one retry replaying the first", len(sent),
			sent[0].header.Get("Idempotency-Key"), sent[len(sent)-1].header.Get("Idempotency-Key"), sent[len(sent)-1].replayed)
	}
	e.tr.reset(nil)
	if n := e.g.Count(t, "payouts"); n != 1 {
		t.Fatalf("%d payouts after a retried create, want 1", n)
	}
	if !strings.HasPrefix(po.ID, "po_") || po.Object != "payout" || po.Amount != 5000 || po.Currency != "CNY" || po.BankAccount != account.ID ||
		po.Status != sdk.PayoutPending || po.Automatic || po.Date != nil || po.FailureCode != nil || po.PaidAt != nil {
		t.Fatalf("payout %+v", po)
	}
	balance, err = e.c.Balance.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := amountOf(balance.Available, "CNY"); got != available-5000 {
		t.Fatalf("available %d after the payout, want %d", got, available-5000)
	}
	if got, _ := amountOf(balance.InTransit, "CNY"); got != 5000 {
		t.Fatalf("in transit %d, want 5000", got)
	}

	// The caller's own key: the same call again is the same payout.
	again := &sdk.PayoutCreateParams{Amount: 700, Currency: "CNY", BankAccount: account.ID, IdempotencyKey: "payout-2026-03-10"}
	first, err := e.c.Payouts.Create(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if replay, err := e.c.Payouts.Create(ctx, again); err != nil || replay.ID != first.ID {
		t.Fatalf("the same key again: %+v (%v), want payout %s", replay, err, first.ID)
	}
	_, err = e.c.Payouts.Create(ctx, &sdk.PayoutCreateParams{Amount: 800, Currency: "CNY", IdempotencyKey: "payout-2026-03-10"})
	if !errors.Is(err, sdk.ErrIdempotencyKeyReused) {
		t.Fatalf("the key with another amount: %v", err)
	}
	if n := e.g.Count(t, "payouts"); n != 2 {
		t.Fatalf("%d payouts, want 2", n)
	}

	// The bank pays them.
	e.advancePayouts(t, time.Second)
	e.advancePayouts(t, 3*time.Second)
	paid, err := e.c.Payouts.Get(ctx, po.ID)
	if err != nil || paid.Status != sdk.PayoutPaid || paid.PaidAt == nil || paid.SubmittedAt == nil {
		t.Fatalf("payout after the bank: %+v (%v)", paid, err)
	}
	if a, err := e.c.BankAccounts.Get(ctx, account.ID); err != nil || a.Status != sdk.BankAccountVerified {
		t.Fatalf("bank account after a paid payout: %+v (%v)", a, err)
	}
	list := collect(t, e.c.Payouts.List(ctx, nil))
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != po.ID || list[1].Status != sdk.PayoutPaid {
		t.Fatalf("payouts %+v", list)
	}
	own := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Payout: po.ID}))
	if len(own) != 1 || own[0].Type != sdk.BalanceTransactionPayout || own[0].Source != po.ID || own[0].Net != -5000 {
		t.Fatalf("the payout's balance transactions %+v", own)
	}
	events := collect(t, e.c.Events.List(ctx, &sdk.EventListParams{Type: sdk.EventPayoutPaid}))
	if len(events) != 2 {
		t.Fatalf("%d payout.paid events, want 2", len(events))
	}
	carriedByEvents := map[string]bool{}
	for _, ev := range events {
		p, err := ev.Payout()
		if err != nil || p.Status != sdk.PayoutPaid {
			t.Fatalf("payout.paid carries %+v (%v)", p, err)
		}
		carriedByEvents[p.ID] = true
	}
	if !carriedByEvents[po.ID] || !carriedByEvents[first.ID] {
		t.Fatalf("payout.paid events carry %v, want %s and %s", carriedByEvents, po.ID, first.ID)
	}

	// The daily payout takes the rest, and carries the lines it paid out.
	automatic, err := e.g.Settlement.PayOutDue(ctx, time.Time{})
	if err != nil || len(automatic) != 1 {
		t.Fatalf("automatic payouts %+v (%v), want 1", automatic, err)
	}
	auto, err := e.c.Payouts.Get(ctx, automatic[0].ID)
	if err != nil || !auto.Automatic || auto.Date == nil || auto.Amount != available-5700 {
		t.Fatalf("automatic payout %+v (%v), want %d", auto, err, available-5700)
	}
	carried := collect(t, e.c.BalanceTransactions.List(ctx, &sdk.BalanceTransactionListParams{Payout: auto.ID}))
	if len(carried) != 6 || sumNet(carried) != 0 {
		t.Fatalf("the automatic payout carries %d lines netting %d; want the 3 sales' lines, the 2 manual payouts and its own, netting 0", len(carried), sumNet(carried))
	}

	// A payout to a closed account fails, and its money comes back.
	closed, err := e.c.BankAccounts.Create(ctx, &sdk.BankAccountCreateParams{AccountHolder: "Blue Bottle Ltd", AccountNumber: accountClosed, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	e.paidOrder(t, 2000)
	if len(e.settle(t)) != 1 {
		t.Fatal("the second sale did not settle")
	}
	failing, err := e.c.Payouts.Create(ctx, &sdk.PayoutCreateParams{Amount: 1000, Currency: "CNY"})
	if err != nil || failing.BankAccount != closed.ID {
		t.Fatalf("payout %+v (%v), want one to the newest account %s", failing, err, closed.ID)
	}
	e.advancePayouts(t, time.Second)
	failed, err := e.c.Payouts.Get(ctx, failing.ID)
	if err != nil || failed.Status != sdk.PayoutFailed || failed.FailureCode == nil || *failed.FailureCode != "account_closed" ||
		failed.FailureMessage == nil || failed.FailedAt == nil {
		t.Fatalf("payout to a closed account %+v (%v)", failed, err)
	}
	_, err = e.c.Payouts.Create(ctx, &sdk.PayoutCreateParams{Amount: 100, Currency: "CNY", BankAccount: closed.ID})
	apiError(t, err, 409, "conflict_error", "bank_account_errored", "bank_account")
	if !errors.Is(err, sdk.ErrBankAccountErrored) {
		t.Fatalf("a payout to an errored account: %v", err)
	}
}
