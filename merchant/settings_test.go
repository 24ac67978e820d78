package merchant_test

import (
	"context"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// TestSettings: a new merchant is settled a day after each business day in
// Shanghai and paid daily; an update changes what it names, refuses what
// is not a zone, a delay or a schedule, and is seen at once by the
// process that made it, past its cache.
func TestSettings(t *testing.T) {
	ctx := context.Background()
	db, _ := storagetest.Open(t)
	svc := merchant.NewService(db, scanpay.Now)
	m, _, err := svc.Create(ctx, merchant.CreateParams{Name: "Cafe"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Timezone != "Asia/Shanghai" || m.SettlementDelayDays != 1 || m.PayoutSchedule != merchant.PayoutDaily || m.Location().String() != "Asia/Shanghai" {
		t.Fatalf("defaults %+v", m)
	}
	p := merchant.Principal{MerchantID: m.ID, Livemode: true}
	if _, err := svc.Get(ctx, m.ID); err != nil { // cached
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	for _, bad := range []struct {
		params merchant.SettingsParams
		param  string
	}{
		{merchant.SettingsParams{Timezone: str("Asia/Atlantis")}, "timezone"},
		{merchant.SettingsParams{Timezone: str("")}, "timezone"},
		{merchant.SettingsParams{Timezone: str("Local")}, "timezone"},
		{merchant.SettingsParams{SettlementDelayDays: num(0)}, "settlement_delay_days"},
		{merchant.SettingsParams{SettlementDelayDays: num(31)}, "settlement_delay_days"},
		{merchant.SettingsParams{PayoutSchedule: str("hourly")}, "payout_schedule"},
		{merchant.SettingsParams{Timezone: str("Europe/Paris"), PayoutSchedule: str("hourly")}, "payout_schedule"},
	} {
		_, err := svc.UpdateSettings(ctx, p, bad.params)
		if e, ok := scanpay.ErrorOf(err); !ok || e.Kind != scanpay.KindInvalid || e.Param != bad.param {
			t.Fatalf("%+v: %v, want an invalid %s", bad.params, err, bad.param)
		}
	}
	if got, err := svc.Get(ctx, m.ID); err != nil || got.Timezone != "Asia/Shanghai" {
		t.Fatalf("a refused update changed %+v (%v)", got, err)
	}
	self, err := svc.UpdateSettings(ctx, p, merchant.SettingsParams{Timezone: str("Europe/Paris"), SettlementDelayDays: num(30)})
	if err != nil || !self.Livemode || self.Timezone != "Europe/Paris" || self.SettlementDelayDays != 30 || self.PayoutSchedule != merchant.PayoutDaily {
		t.Fatalf("update %+v (%v)", self, err)
	}
	if got, err := svc.Get(ctx, m.ID); err != nil || got.Timezone != "Europe/Paris" || got.Location().String() != "Europe/Paris" {
		t.Fatalf("after the update, Get gives %+v (%v)", got, err)
	}
	_, err = svc.UpdateSettings(ctx, merchant.Principal{MerchantID: "mch_nope"}, merchant.SettingsParams{})
	if e, ok := scanpay.ErrorOf(err); !ok || e.Kind != scanpay.KindNotFound {
		t.Fatalf("an unknown merchant: %v", err)
	}
}
