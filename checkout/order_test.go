package checkout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
)

func ptr[T any](v T) *T { return &v }

func TestCreateOrderRefusesBadInputAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name   string
		params checkout.OrderParams
		code   string
		param  string
	}{
		{"no amount", checkout.OrderParams{Currency: "CNY"}, "parameter_missing", "amount"},
		{"zero amount", checkout.OrderParams{Amount: ptr[int64](0), Currency: "CNY"}, "parameter_invalid", "amount"},
		{"negative amount", checkout.OrderParams{Amount: ptr[int64](-5), Currency: "CNY"}, "parameter_invalid", "amount"},
		{"over the limit", checkout.OrderParams{Amount: ptr[int64](checkout.DefaultMaxAmount + 1), Currency: "CNY"}, "parameter_invalid", "amount"},
		{"no currency", checkout.OrderParams{Amount: ptr[int64](100)}, "parameter_missing", "currency"},
		{"lower-case currency", checkout.OrderParams{Amount: ptr[int64](100), Currency: "cny"}, "parameter_invalid", "currency"},
		{"unknown currency", checkout.OrderParams{Amount: ptr[int64](100), Currency: "XXX"}, "parameter_invalid", "currency"},
		{"expiry too short", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", ExpiresIn: ptr[int64](59)}, "parameter_invalid", "expires_in"},
		{"expiry too long", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", ExpiresIn: ptr[int64](86401)}, "parameter_invalid", "expires_in"},
		{"bad QR format", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", QRFormat: "bars"}, "parameter_invalid", "qr_format"},
		{"control character", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", Description: "a\nb"}, "parameter_invalid", "description"},
		{"long reference", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", Reference: strings.Repeat("r", 65)}, "parameter_invalid", "reference"},
		{"metadata key with a control character", checkout.OrderParams{Amount: ptr[int64](100), Currency: "CNY", Metadata: map[string]string{"a\tb": "v"}}, "parameter_invalid", "metadata"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.checkout.CreateOrder(e.ctx, e.merchant, tt.params)
			wantError(t, err, tt.code, tt.param)
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders stored by bad input", n)
	}
}

func TestCreateOrderWithEMVCoPayload(t *testing.T) {
	e := newEnv(t)
	o, err := e.checkout.CreateOrder(e.ctx, e.merchant, checkout.OrderParams{Amount: ptr[int64](1250), Currency: "CNY",
		QRFormat: checkout.QRFormatEMVCo, Reference: "A-1001", ExpiresIn: ptr[int64](120)})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != checkout.StatusPending || !strings.HasPrefix(o.QR.Payload, "000201") || !strings.Contains(o.QR.Payload, "540512.50") ||
		!o.ExpiresAt.Equal(e.clock.Now().Add(120*time.Second)) || *o.Reference != "A-1001" {
		t.Fatalf("order %+v", o)
	}
	_, err = e.checkout.CreateOrder(e.ctx, e.merchant, checkout.OrderParams{Amount: ptr[int64](1), Currency: "CNY", Reference: "A-1001"})
	wantError(t, err, "reference_already_exists", "reference")
	preview, err := e.checkout.Scan(e.ctx, "", o.QR.Payload)
	if err != nil || preview.Order != o.ID || preview.Amount != 1250 || preview.MerchantName != "Blue Bottle" {
		t.Fatalf("scan = %+v, %v", preview, err)
	}
}

func TestCancelAndExpiry(t *testing.T) {
	e := newEnv(t)
	walletID := e.payer("13800138000", 10000)
	canceled := e.order(100)
	o, err := e.checkout.CancelOrder(e.ctx, e.merchant, canceled.ID)
	if err != nil || o.Status != checkout.StatusCanceled {
		t.Fatalf("cancel = %+v, %v", o, err)
	}
	_, err = e.checkout.CancelOrder(e.ctx, e.merchant, canceled.ID)
	wantError(t, err, "order_not_cancelable", "")
	_, err = e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: canceled.ID})
	wantError(t, err, "order_not_payable", "order")

	due := e.order(100)
	e.clock.Advance(checkout.DefaultExpiresIn * time.Second)
	// Past its expiry an order is expired on every read, and cannot be
	// paid or canceled, before the sweeper marks it.
	got, err := e.checkout.GetOrder(e.ctx, e.merchant, due.ID)
	if err != nil || got.Status != checkout.StatusExpired {
		t.Fatalf("read after expiry = %s, %v", got.Status, err)
	}
	_, err = e.checkout.Pay(e.ctx, walletID, checkout.PayParams{Order: due.ID})
	wantError(t, err, "order_not_payable", "order")
	_, err = e.checkout.CancelOrder(e.ctx, e.merchant, due.ID)
	wantError(t, err, "order_not_cancelable", "")
	n, err := e.checkout.ExpireDue(e.ctx, 10)
	if err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v; want the one due order", n, err)
	}
	if n, err := e.checkout.ExpireDue(e.ctx, 10); err != nil || n != 0 {
		t.Fatalf("a second sweep = %d, %v; want 0", n, err)
	}
	if c := e.count(`SELECT COUNT(*) FROM events WHERE type = 'order.expired' AND order_id = ?`, due.ID); c != 1 {
		t.Fatalf("%d order.expired events", c)
	}
	if c := e.count(`SELECT COUNT(*) FROM events WHERE type = 'order.canceled' AND order_id = ?`, canceled.ID); c != 1 {
		t.Fatalf("%d order.canceled events", c)
	}
	if b := e.count(`SELECT COUNT(*) FROM payments`); b != 0 {
		t.Fatalf("%d payments", b)
	}
}
