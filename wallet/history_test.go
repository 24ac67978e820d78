package wallet_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHistoryPagesAcrossCurrencies(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	other := e.open("+86 139 0013 9000")
	e.topUp(other.ID, 99, "CNY")

	var refs []string
	move := func(withdraw bool, amount int64, currency string) {
		t.Helper()
		if withdraw {
			tr, err := e.wallet.Withdraw(e.ctx, a.ID, amount, currency)
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, tr.ID)
		} else {
			refs = append(refs, e.topUp(a.ID, amount, currency).ID)
		}
		// Entry ids order by millisecond; apart, the order is certain.
		time.Sleep(2 * time.Millisecond)
	}
	move(false, 1000, "CNY")
	move(false, 20, "USD")
	move(true, 300, "CNY")
	move(false, 5, "JPY")
	move(true, 20, "USD")

	var got []string
	cursor := ""
	for page := 1; ; page++ {
		txs, hasMore, err := e.wallet.History(e.ctx, a.ID, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if wantMore := page < 3; hasMore != wantMore {
			t.Fatalf("page %d: has_more %t", page, hasMore)
		}
		for _, tx := range txs {
			got = append(got, fmt.Sprintf("%s %d %s %s", tx.Type, tx.Amount, tx.Currency, tx.Reference))
		}
		if !hasMore {
			break
		}
		cursor = txs[len(txs)-1].ID
	}
	want := []string{
		"withdrawal -20 USD " + refs[4],
		"topup 5 JPY " + refs[3],
		"withdrawal -300 CNY " + refs[2],
		"topup 20 USD " + refs[1],
		"topup 1000 CNY " + refs[0],
	}
	if !slices.Equal(got, want) {
		t.Fatalf("history\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	txs, hasMore, err := e.wallet.History(e.ctx, a.ID, 5, "")
	if err != nil || hasMore || len(txs) != 5 {
		t.Fatalf("limit equal to the count: %d, has_more %t, %v", len(txs), hasMore, err)
	}
	b, _ := json.Marshal(txs[0])
	for _, key := range []string{`"id":"le_`, `"object":"wallet_transaction"`, `"type":"withdrawal"`, `"amount":-20`,
		`"currency":"USD"`, `"reference":"tr_`, `"created_at":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json %s has no %s", b, key)
		}
	}
	if txs, hasMore, err := e.wallet.History(e.ctx, a.ID, 10, txs[4].ID); err != nil || hasMore || len(txs) != 0 {
		t.Fatalf("after the oldest: %v, %t, %v", txs, hasMore, err)
	}
	_, _, err = e.wallet.History(e.ctx, "wal_nope", 10, "")
	wantCode(t, err, "resource_missing", "id")
}
