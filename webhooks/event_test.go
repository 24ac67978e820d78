package webhooks

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// statementCounter is a gorm logger that counts the statements it sees.
type statementCounter struct {
	logger.Interface
	n atomic.Int32
}

func (c *statementCounter) Trace(context.Context, time.Time, func() (string, int64), error) {
	c.n.Add(1)
}

// The payment transaction has a budget of about eight statements; the
// outbox may take two of them however many endpoints there are.
func TestEmitCostsTwoStatements(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.endpoint(t, f.merchant, false, "http://example.com/hooks", "*")
	}
	counter := &statementCounter{Interface: logger.Discard}
	err := f.db.Session(&gorm.Session{Logger: counter}).Transaction(func(tx *gorm.DB) error {
		_, err := Emit(tx, Event{Type: OrderPaid, MerchantID: f.merchant, Object: struct{}{}, CreatedAt: f.clock.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load(); n != 2 {
		t.Errorf("Emit ran %d statements, want 2", n)
	}
	if n := f.count(t, "webhook_deliveries"); n != 3 {
		t.Errorf("%d deliveries queued, want 3", n)
	}
}
