package sdk_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/scanpay/scanpay/sdk"
)

func TestListPagesThroughAllOrders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const total = 250
	created := make([]string, total)
	for i := range total {
		created[i] = e.order(t, &sdk.OrderCreateParams{Amount: int64(100 + i), Currency: "CNY", Reference: fmt.Sprint("R-", i)}).ID
	}

	for _, tt := range []struct {
		limit, pages int
	}{
		{0, 3}, // 100 a page by default
		{40, 7},
		{100, 3},
	} {
		e.tr.reset(nil)
		var got []string
		for o, err := range e.c.Orders.List(ctx, &sdk.OrderListParams{ListParams: sdk.ListParams{Limit: tt.limit}}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, o.ID)
		}
		if len(got) != total {
			t.Fatalf("limit %d: %d orders, want %d", tt.limit, len(got), total)
		}
		for i, id := range got { // newest first
			if id != created[total-1-i] {
				t.Fatalf("limit %d: order %d is %s, want %s", tt.limit, i, id, created[total-1-i])
			}
		}
		sent := e.tr.sent()
		if len(sent) != tt.pages {
			t.Fatalf("limit %d: %d requests, want %d pages", tt.limit, len(sent), tt.pages)
		}
		size := tt.limit
		if size == 0 {
			size = 100
		}
		for i, a := range sent {
			q, err := url.ParseQuery(a.query)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if i > 0 {
				want = got[i*size-1]
			}
			if q.Get("starting_after") != want || q.Get("limit") != fmt.Sprint(size) {
				t.Fatalf("limit %d: page %d asked %q, want limit=%d and starting_after=%q", tt.limit, i+1, a.query, size, want)
			}
		}
	}

	// Breaking out of the loop fetches no further page.
	e.tr.reset(nil)
	n := 0
	for _, err := range e.c.Orders.List(ctx, &sdk.OrderListParams{ListParams: sdk.ListParams{Limit: 10}}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if len(e.tr.sent()) != 2 {
		t.Fatalf("%d requests for 15 orders in pages of 10, want 2", len(e.tr.sent()))
	}
}
