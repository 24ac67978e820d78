package sdk_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
	"github.com/scanpay/scanpay/sdk"
)

func TestOrders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o, err := e.c.Orders.Create(ctx, &sdk.OrderCreateParams{
		Amount: 1250, Currency: "CNY", Description: "2 coffees", Reference: "A-1001",
		ExpiresIn: 600, QRFormat: "emvco", Metadata: map[string]string{"table": "7"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.ID, "ord_") || o.Object != "order" || o.Livemode || o.Status != sdk.OrderPending ||
		o.Amount != 1250 || o.Currency != "CNY" || o.Description != "2 coffees" || o.Reference != "A-1001" ||
		o.Metadata["table"] != "7" || o.QR.Format != "emvco" || o.QR.Payload == "" ||
		o.CheckoutURL != e.g.URL+"/pay/"+o.ID || o.PaidAt != nil {
		t.Fatalf("created %+v", o)
	}
	if life := o.ExpiresAt.Sub(o.CreatedAt); life != 600*time.Second {
		t.Fatalf("order lives %v, want 10m", life)
	}

	got, err := e.c.Orders.Get(ctx, o.ID)
	if err != nil || got.ID != o.ID || got.QR.Payload != o.QR.Payload || !got.CreatedAt.Equal(o.CreatedAt) {
		t.Fatalf("get: %+v, %v", got, err)
	}

	canceled, err := e.c.Orders.Cancel(ctx, o.ID, nil)
	if err != nil || canceled.Status != sdk.OrderCanceled {
		t.Fatalf("cancel: %+v, %v", canceled, err)
	}
	_, err = e.c.Orders.Cancel(ctx, o.ID, nil)
	apiError(t, err, 409, "conflict_error", "order_not_cancelable", "")
	if !errors.Is(err, sdk.ErrOrderNotCancelable) {
		t.Fatalf("errors.Is(%v, ErrOrderNotCancelable) = false", err)
	}

	_, err = e.c.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 100, Currency: "CNY", Reference: "A-1001"})
	apiError(t, err, 409, "conflict_error", "reference_already_exists", "reference")
}

func TestOrderListFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pending := e.order(t, &sdk.OrderCreateParams{Amount: 100, Currency: "CNY", Reference: "R-1"})
	paid := e.paidOrder(t, 200)
	canceled := e.order(t, nil)
	if _, err := e.c.Orders.Cancel(ctx, canceled.ID, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		params *sdk.OrderListParams
		want   []string
	}{
		{nil, []string{canceled.ID, paid.ID, pending.ID}},
		{&sdk.OrderListParams{Status: "paid"}, []string{paid.ID}},
		{&sdk.OrderListParams{Status: sdk.OrderCanceled}, []string{canceled.ID}},
		{&sdk.OrderListParams{Reference: "R-1"}, []string{pending.ID}},
		{&sdk.OrderListParams{ListParams: sdk.ListParams{StartingAfter: canceled.ID}}, []string{paid.ID, pending.ID}},
	} {
		var ids []string
		for _, o := range collect(t, e.c.Orders.List(ctx, tt.params)) {
			ids = append(ids, o.ID)
		}
		if strings.Join(ids, " ") != strings.Join(tt.want, " ") {
			t.Errorf("List(%+v) = %v, want %v", tt.params, ids, tt.want)
		}
	}
	apiError(t, listError(t, e.c.Orders.List(ctx, &sdk.OrderListParams{Status: "lost"})),
		400, "invalid_request_error", "parameter_invalid", "status")
}

func TestOrderQRImages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.order(t, nil)

	img, err := e.c.Orders.QRPNG(ctx, o.ID, 300)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(img)
	img.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width != 300 {
		t.Fatalf("PNG of width %d (%v), want 300", cfg.Width, err)
	}
	if text := qrtest.ScanPNG(t, raw); text != o.QR.Payload {
		t.Fatalf("the PNG reads %q, want the order's payload %q", text, o.QR.Payload)
	}

	svg, err := e.c.Orders.QRSVG(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer svg.Close()
	if raw, err := io.ReadAll(svg); err != nil || !strings.Contains(string(raw), "<svg") {
		t.Fatalf("SVG: %v %.60s", err, raw)
	}

	_, err = e.c.Orders.QRPNG(ctx, o.ID, 5000)
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "size")
	_, err = e.c.Orders.QRSVG(ctx, "ord_missing")
	apiError(t, err, 404, "not_found_error", "resource_missing", "id")
}

// The README's example, as written, against the real gateway.
func TestReadmeExample(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := sdk.NewClient(e.key, sdk.WithBaseURL(e.g.URL))
	o, err := c.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", Reference: "A-1001"})
	if err != nil {
		t.Fatal(err)
	}
	e.g.Payer(t, 1250, "CNY").Pay(t, o.ID)
	if o, err = c.Orders.Get(ctx, o.ID); err != nil || o.Status != sdk.OrderPaid || o.PaidAt == nil {
		t.Fatalf("get: %+v, %v", o, err)
	}
	n := 0
	for o, err := range c.Orders.List(ctx, &sdk.OrderListParams{Status: "paid"}) {
		if err != nil || o.Status != sdk.OrderPaid {
			t.Fatalf("list: %+v, %v", o, err)
		}
		n++
	}
	r, err := c.Refunds.Create(ctx, &sdk.RefundCreateParams{Order: o.ID, Amount: 250})
	if n != 1 || err != nil || r.Amount != 250 {
		t.Fatalf("listed %d paid orders; refund %+v, %v", n, r, err)
	}
}
