package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestEntriesPagesNewestFirst(t *testing.T) {
	db, _ := storagetest.Open(t)
	ctx := context.Background()
	w := ledger.WalletAccount("wal_a", "CNY", false)
	topUp(t, db, ledger.WalletAccount("wal_other", "CNY", false), 99)
	for amount := int64(1); amount <= 5; amount++ {
		topUp(t, db, w, amount)
		// Entry ids order by millisecond; apart, the order is certain.
		time.Sleep(2 * time.Millisecond)
	}

	var amounts []int64
	cursor := ""
	for page := 1; ; page++ {
		got, hasMore, err := ledger.Entries(ctx, db, w, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if wantMore := page < 3; hasMore != wantMore || len(got) != min(2, 5-len(amounts)) {
			t.Fatalf("page %d: %d entries, has_more %t", page, len(got), hasMore)
		}
		for _, e := range got {
			amounts = append(amounts, e.Amount)
		}
		if !hasMore {
			break
		}
		cursor = got[len(got)-1].ID
	}
	if want := []int64{5, 4, 3, 2, 1}; !slices.Equal(amounts, want) {
		t.Fatalf("amounts %v, want %v", amounts, want)
	}

	all, hasMore, err := ledger.Entries(ctx, db, w, 5, "")
	if err != nil || hasMore || len(all) != 5 {
		t.Fatalf("limit equal to the count: %d entries, has_more %t, err %v", len(all), hasMore, err)
	}
	b, _ := json.Marshal(all[0])
	for _, key := range []string{`"id":"le_`, `"transaction":"ltx_`, `"amount":5`, `"currency":"CNY"`, `"type":"topup"`, `"reference":"tu_`, `"created_at":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json %s has no %s", b, key)
		}
	}
	if _, _, err := ledger.Entries(ctx, db, w, 0, ""); err == nil {
		t.Error("limit 0 accepted")
	}
	none, hasMore, err := ledger.Entries(ctx, db, ledger.WalletAccount("wal_never", "CNY", false), 10, "")
	if err != nil || hasMore || len(none) != 0 {
		t.Fatalf("account never posted to: %v, %t, %v", none, hasMore, err)
	}
}

func TestOwnerEntriesSpanCurrenciesNotOwnersOrModes(t *testing.T) {
	db, _ := storagetest.Open(t)
	ctx := context.Background()
	topUp(t, db, ledger.WalletAccount("wal_other", "CNY", false), 99)
	topUp(t, db, ledger.WalletAccount("wal_a", "CNY", true), 98)
	for amount := int64(1); amount <= 5; amount++ {
		currency := "CNY"
		if amount%2 == 0 {
			currency = "USD"
		}
		topUp(t, db, ledger.WalletAccount("wal_a", currency, false), amount)
		time.Sleep(2 * time.Millisecond)
	}

	var got []string
	cursor := ""
	for page := 1; ; page++ {
		entries, hasMore, err := ledger.OwnerEntries(ctx, db, "wal_a", false, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if wantMore := page < 3; hasMore != wantMore {
			t.Fatalf("page %d: has_more %t", page, hasMore)
		}
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%d %s", e.Amount, e.Currency))
		}
		if !hasMore {
			break
		}
		cursor = entries[len(entries)-1].ID
	}
	if want := []string{"5 CNY", "4 USD", "3 CNY", "2 USD", "1 CNY"}; !slices.Equal(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	if _, _, err := ledger.OwnerEntries(ctx, db, "wal_a", false, 0, ""); err == nil {
		t.Error("limit 0 accepted")
	}
}
