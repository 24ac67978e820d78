package storagetest

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Statements counts the SQL statements a database handle runs, telling
// those inside a transaction from those outside; BEGIN, COMMIT and the
// like are not statements here (RoundTrips counts them).
type Statements struct {
	InTx, Outside atomic.Int64
}

// CountStatements starts counting the statements db runs, from now until
// the test ends (the handle is the test's own). On PostgreSQL the driver
// counts them, as the database receives them, gorm's or not (see tap); on
// SQLite, gorm's callbacks do.
func CountStatements(tb testing.TB, db *gorm.DB) *Statements {
	tb.Helper()
	c := &Statements{}
	if pool, err := db.DB(); err == nil {
		if t, ok := taps.Load(pool); ok {
			t.(*tap).attach(c)
			return c
		}
	}
	count := func(d *gorm.DB) {
		if _, ok := d.Statement.ConnPool.(gorm.TxCommitter); ok {
			c.InTx.Add(1)
		} else {
			c.Outside.Add(1)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("storagetest:count", count),
		cb.Query().After("gorm:query").Register("storagetest:count", count),
		cb.Update().After("gorm:update").Register("storagetest:count", count),
		cb.Delete().After("gorm:delete").Register("storagetest:count", count),
		cb.Row().After("gorm:row").Register("storagetest:count", count),
		cb.Raw().After("gorm:raw").Register("storagetest:count", count),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// Total is every statement counted so far.
func (c *Statements) Total() int64 { return c.InTx.Load() + c.Outside.Load() }

// Reset starts the counts again from zero.
func (c *Statements) Reset() { c.InTx.Store(0); c.Outside.Store(0) }

// taps holds the tap of every PostgreSQL pool this package opened, by
// pool.
var taps sync.Map // *sql.DB → *tap

// tap is the pgx tracer of a test's PostgreSQL pool: it counts the
// statements of the Statements attached to it, and passes everything on
// to next, when there is one (OpenCounted's RoundTrips).
type tap struct {
	next     pgx.QueryTracer
	mu       sync.Mutex
	counters []*Statements
}

func (t *tap) register(pool *sql.DB) { taps.Store(pool, t) }

func (t *tap) attach(c *Statements) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counters = append(t.counters, c)
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *tap) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if t.next != nil {
		ctx = t.next.TraceQueryStart(ctx, conn, d)
	}
	word, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(d.SQL)), " ")
	switch word {
	case "begin", "commit", "rollback", "savepoint", "release":
		return ctx
	}
	inTx := conn.PgConn().TxStatus() != 'I'
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.counters {
		if inTx {
			c.InTx.Add(1)
		} else {
			c.Outside.Add(1)
		}
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *tap) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryEndData) {
	if t.next != nil {
		t.next.TraceQueryEnd(ctx, conn, d)
	}
}

// TracePrepareStart implements pgx.PrepareTracer.
func (t *tap) TracePrepareStart(ctx context.Context, conn *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	if p, ok := t.next.(pgx.PrepareTracer); ok {
		return p.TracePrepareStart(ctx, conn, d)
	}
	return ctx
}

// TracePrepareEnd implements pgx.PrepareTracer.
func (t *tap) TracePrepareEnd(ctx context.Context, conn *pgx.Conn, d pgx.TracePrepareEndData) {
	if p, ok := t.next.(pgx.PrepareTracer); ok {
		p.TracePrepareEnd(ctx, conn, d)
	}
}
