package sdk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/sdk"
)

func TestRefunds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.paidOrder(t, 1000)
	other := e.paidOrder(t, 500)

	part, err := e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID, Amount: 300, Reason: "one cup spilled"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(part.ID, "re_") || part.Object != "refund" || part.Order != o.ID || part.Amount != 300 ||
		part.Currency != "CNY" || part.Reason != "one cup spilled" || part.Status != "succeeded" || part.Payment == "" {
		t.Fatalf("refund %+v", part)
	}
	rest, err := e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID})
	if err != nil || rest.Amount != 700 {
		t.Fatalf("refund of the rest: %+v, %v", rest, err)
	}
	if o, err = e.c.Orders.Get(ctx, o.ID); err != nil || o.Status != sdk.OrderRefunded || o.AmountRefunded != 1000 {
		t.Fatalf("order after refunds: %+v, %v", o, err)
	}
	_, err = e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID, Amount: 1})
	if !errors.Is(err, sdk.ErrRefundExceedsPayment) {
		t.Fatalf("refund of a refunded order: %v, want ErrRefundExceedsPayment", err)
	}
	_, err = e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: other.ID, Amount: 501})
	apiError(t, err, 400, "invalid_request_error", "refund_exceeds_payment", "amount")
	_, err = e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: e.order(t, nil).ID})
	apiError(t, err, 409, "conflict_error", "order_not_refundable", "order")
	_, err = e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{})
	apiError(t, err, 400, "invalid_request_error", "parameter_missing", "order")

	got, err := e.c.Refunds.Get(ctx, part.ID)
	if err != nil || got.ID != part.ID || got.Amount != 300 {
		t.Fatalf("get: %+v, %v", got, err)
	}
	otherRefund, err := e.c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: other.ID, Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		params *sdk.RefundListParams
		want   []string
	}{
		{nil, []string{otherRefund.ID, rest.ID, part.ID}},
		{&sdk.RefundListParams{Order: o.ID}, []string{rest.ID, part.ID}},
		{&sdk.RefundListParams{ListParams: sdk.ListParams{Limit: 1}, Order: o.ID}, []string{rest.ID, part.ID}},
	} {
		var ids []string
		for _, r := range collect(t, e.c.Refunds.List(ctx, tt.params)) {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, " ") != strings.Join(tt.want, " ") {
			t.Errorf("List(%+v) = %v, want %v", tt.params, ids, tt.want)
		}
	}
}
