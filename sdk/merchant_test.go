package sdk_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
)

func TestMerchantStaticQR(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, err := e.c.Merchant.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sq := m.StaticQR
	if sq.URL == nil || sq.EMVCo == nil || !strings.HasPrefix(sq.URL.Payload, e.g.URL+"/q/") ||
		!strings.HasPrefix(sq.EMVCo.Payload, "000201010211") || sq.URL.ImageURL != e.g.URL+"/v1/merchant/qr.png?format=url" {
		t.Fatalf("static QR %+v %+v", sq.URL, sq.EMVCo)
	}
	for format, want := range map[string]string{"": sq.URL.Payload, "emvco": sq.EMVCo.Payload} {
		img, err := e.c.Merchant.QRPNG(ctx, format, 300)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(img)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := qrtest.ScanPNG(t, b); got != want {
			t.Fatalf("QRPNG(%q) reads %q, want %q", format, got, want)
		}
	}
	svg, err := e.c.Merchant.QRSVG(ctx, "url")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(svg)
	svg.Close()
	if !strings.Contains(string(b), "<svg") {
		t.Fatalf("QRSVG: %.80s", b)
	}
	_, err = e.c.Merchant.QRPNG(ctx, "dynamic", 0)
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "format")
}
