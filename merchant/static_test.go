package merchant_test

import (
	"context"
	"sync"
	"testing"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestStaticCodes(t *testing.T) {
	db, _ := storagetest.Open(t)
	ctx := context.Background()
	svc := merchant.NewService(db, scanpay.Now)
	m, _, err := svc.Create(ctx, merchant.CreateParams{Name: "Cafe"})
	if err != nil {
		t.Fatal(err)
	}
	test, err := svc.StaticCode(ctx, m.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	live, err := svc.StaticCode(ctx, m.ID, true)
	if err != nil || !scanpay.IsToken(test, merchant.StaticCodeBytes) || !scanpay.IsToken(live, merchant.StaticCodeBytes) || test == live {
		t.Fatalf("codes %q and %q (%v)", test, live, err)
	}
	for code, wantLive := range map[string]bool{test: false, live: true} {
		got, livemode, err := svc.ByStaticCode(ctx, code)
		if err != nil || got.ID != m.ID || livemode != wantLive {
			t.Fatalf("ByStaticCode(%s) = %s live=%v (%v)", code, got.ID, livemode, err)
		}
	}
	_, _, err = svc.ByStaticCode(ctx, scanpay.RandomToken(merchant.StaticCodeBytes))
	if e, ok := scanpay.ErrorOf(err); !ok || e.Kind != scanpay.KindNotFound {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := svc.StaticCode(ctx, "mch_unknown", false); err == nil {
		t.Fatal("a static code for no merchant")
	}
}

// A merchant made before static codes gets one on first use; processes
// asking at the same time agree on it.
func TestStaticCodeOnFirstUse(t *testing.T) {
	db, _ := storagetest.Open(t)
	ctx := context.Background()
	m, _, err := merchant.NewService(db, scanpay.Now).Create(ctx, merchant.CreateParams{Name: "Old Cafe"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE merchants SET static_code_test = NULL, static_code_live = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	const n = 8
	codes := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i], errs[i] = merchant.NewService(db, scanpay.Now).StaticCode(ctx, m.ID, false) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || codes[i] != codes[0] || !scanpay.IsToken(codes[i], merchant.StaticCodeBytes) {
			t.Fatalf("process %d got %q (%v), process 0 %q", i, codes[i], errs[i], codes[0])
		}
	}
	var stored string
	storagetest.Scan(t, db, &stored, `SELECT static_code_test FROM merchants WHERE id = ?`, m.ID)
	if stored != codes[0] {
		t.Fatalf("stored %q, handed out %q", stored, codes[0])
	}
}
