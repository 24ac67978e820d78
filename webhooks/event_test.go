package webhooks

import (
	"context"
	"testing"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// The outbox costs the transaction of a payment one round trip on
// PostgreSQL (two statements on SQLite, which has no round trips), however
// many endpoints there are.
func TestEmitCostsOneRoundTrip(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
	}
	counter := storagetest.CountStatements(t, f.db)
	_, err := storage.Transact(context.Background(), f.db, func(tx *gorm.DB) (Record, error) {
		return Emit(tx, Event{Type: OrderPaid, MerchantID: f.merchant, Object: struct{}{}, CreatedAt: f.clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(2)
	if storage.DialectOf(f.db) == storage.Postgres {
		want = 1
	}
	if n := counter.Total(); n != want {
		t.Errorf("Emit ran %d statements, want %d", n, want)
	}
	if n := f.count(t, "webhook_deliveries"); n != 3 {
		t.Errorf("%d deliveries queued, want 3", n)
	}
}
