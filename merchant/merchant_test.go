package merchant_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestCreateValidates(t *testing.T) {
	db, _ := storagetest.Open(t)
	svc := merchant.NewService(db, scanpay.Now)
	for _, tt := range []struct {
		p     merchant.CreateParams
		param string
	}{
		{merchant.CreateParams{}, "name"},
		{merchant.CreateParams{Name: "   "}, "name"},
		{merchant.CreateParams{Name: strings.Repeat("咖", 101)}, "name"},
		{merchant.CreateParams{Name: "Cafe", Country: "CHN"}, "country"},
		{merchant.CreateParams{Name: "Cafe", Country: "c1"}, "country"},
		{merchant.CreateParams{Name: "Cafe", City: strings.Repeat("c", 51)}, "city"},
		{merchant.CreateParams{Name: "Cafe", MCC: "59a9"}, "mcc"},
		{merchant.CreateParams{Name: "Cafe", MCC: "599"}, "mcc"},
	} {
		_, _, err := svc.Create(context.Background(), tt.p)
		e, ok := scanpay.ErrorOf(err)
		if !ok || e.Kind != scanpay.KindInvalid || e.Param != tt.param {
			t.Errorf("%+v: %v, want an invalid %s", tt.p, err, tt.param)
		}
	}
	var n int64
	storagetest.Scan(t, db, &n, `SELECT COUNT(*) FROM merchants`)
	if n != 0 {
		t.Fatalf("%d merchants stored by bad input", n)
	}
	m, secret, err := svc.Create(context.Background(), merchant.CreateParams{Name: strings.Repeat("咖", 100), Country: "hk"})
	if err != nil || m.Country != "HK" || m.City != "Shanghai" || m.MCC != "5999" || m.FeeRateBPS != merchant.DefaultFeeRateBPS {
		t.Fatalf("%+v %v", m, err)
	}
	if !strings.HasPrefix(secret, "sk_test_") {
		t.Fatalf("first key %q", secret)
	}
}

func TestKeys(t *testing.T) {
	db, _ := storagetest.Open(t)
	svc := merchant.NewService(db, scanpay.Now)
	ctx := context.Background()
	m, testSecret, _ := svc.Create(ctx, merchant.CreateParams{Name: "Cafe"})
	live, liveSecret, err := svc.CreateKey(ctx, m.ID, true)
	if err != nil || !strings.HasPrefix(liveSecret, "sk_live_") || !live.Livemode {
		t.Fatalf("live key %+v %v", live, err)
	}
	if _, _, err := svc.CreateKey(ctx, "mch_nope", false); !errors.Is(err, scanpay.NotFound("merchant", "")) {
		t.Fatalf("key for no merchant: %v", err)
	}
	for secret, wantLive := range map[string]bool{testSecret: false, liveSecret: true} {
		p, err := svc.Authenticate(ctx, secret)
		if err != nil || p.MerchantID != m.ID || p.Livemode != wantLive {
			t.Fatalf("authenticate: %+v %v", p, err)
		}
	}
	keys, _ := svc.ListKeys(ctx, m.ID)
	if len(keys) != 2 || !strings.HasSuffix(keys[0].Redacted, liveSecret[len(liveSecret)-4:]) {
		t.Fatalf("keys %+v", keys)
	}
	if _, err := svc.RevokeKey(ctx, live.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, liveSecret); !errors.Is(err, merchant.ErrAPIKeyRevoked) {
		t.Fatalf("revoked key: %v", err)
	}
	if _, err := svc.RevokeKey(ctx, "key_nope"); !errors.Is(err, scanpay.NotFound("api key", "")) {
		t.Fatalf("revoke unknown: %v", err)
	}
}
