package sdk_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/checkout/qr/qrtest"
	"github.com/scanpay/scanpay/sdk"
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

// Update changes the settlement settings it names and keeps the others;
// bad values are refused naming the field, and change nothing.
func TestMerchantUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, err := e.c.Merchant.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Timezone != "Asia/Shanghai" || m.SettlementDelayDays != 1 || m.PayoutSchedule != sdk.PayoutScheduleDaily ||
		m.NameLatin != "Blue Bottle" || m.CityLatin == "" {
		t.Fatalf("a new merchant %+v", m)
	}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	for _, bad := range []struct {
		params sdk.MerchantUpdateParams
		param  string
	}{
		{sdk.MerchantUpdateParams{Timezone: str("Asia/Atlantis")}, "timezone"},
		{sdk.MerchantUpdateParams{SettlementDelayDays: num(0)}, "settlement_delay_days"},
		{sdk.MerchantUpdateParams{SettlementDelayDays: num(31)}, "settlement_delay_days"},
		{sdk.MerchantUpdateParams{Timezone: str("Europe/Paris"), PayoutSchedule: str("hourly")}, "payout_schedule"},
	} {
		_, err := e.c.Merchant.Update(ctx, &bad.params)
		apiError(t, err, 400, "invalid_request_error", "parameter_invalid", bad.param)
		if !errors.Is(err, sdk.ErrParameterInvalid) {
			t.Fatalf("%+v: %v", bad.params, err)
		}
	}
	if got, err := e.c.Merchant.Get(ctx); err != nil || got.Timezone != "Asia/Shanghai" || got.PayoutSchedule != sdk.PayoutScheduleDaily {
		t.Fatalf("refused updates changed the merchant: %+v (%v)", got, err)
	}

	e.tr.reset(nil)
	updated, err := e.c.Merchant.Update(ctx, &sdk.MerchantUpdateParams{Timezone: str("Europe/Paris"), SettlementDelayDays: num(3)})
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != m.ID || updated.Timezone != "Europe/Paris" || updated.SettlementDelayDays != 3 ||
		updated.PayoutSchedule != sdk.PayoutScheduleDaily || updated.Name != m.Name || updated.Livemode {
		t.Fatalf("updated %+v", updated)
	}
	if sent := e.tr.sent(); len(sent) != 1 || sent[0].method != "POST" || sent[0].path != "/v1/merchant" || sent[0].header.Get("Idempotency-Key") == "" {
		t.Fatalf("sent %+v, want one POST /v1/merchant with an Idempotency-Key", sent)
	}
	if _, err := e.c.Merchant.Update(ctx, &sdk.MerchantUpdateParams{PayoutSchedule: str(sdk.PayoutScheduleManual)}); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.Merchant.Get(ctx)
	if err != nil || got.Timezone != "Europe/Paris" || got.SettlementDelayDays != 3 || got.PayoutSchedule != sdk.PayoutScheduleManual ||
		got.StaticQR.URL == nil {
		t.Fatalf("after the updates Get gives %+v (%v)", got, err)
	}
	// No change at all is an answer too.
	if same, err := e.c.Merchant.Update(ctx, nil); err != nil || same.PayoutSchedule != sdk.PayoutScheduleManual {
		t.Fatalf("an empty update: %+v (%v)", same, err)
	}
}
