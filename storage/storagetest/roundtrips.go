package storagetest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// RoundTrips counts what a pool sends PostgreSQL, as the database sees a
// client's work: every query, BEGIN and COMMIT included, and every
// statement preparation, each a round trip; and the transactions it
// commits: each COMMIT, and each statement that writes outside a
// transaction.
type RoundTrips struct {
	Queries, Prepares, Commits atomic.Int64
}

// Total is every round trip counted so far.
func (r *RoundTrips) Total() int64 { return r.Queries.Load() + r.Prepares.Load() }

// Reset starts the counts again from zero.
func (r *RoundTrips) Reset() { r.Queries.Store(0); r.Prepares.Store(0); r.Commits.Store(0) }

// TraceQueryStart implements pgx.QueryTracer.
func (r *RoundTrips) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.Queries.Add(1)
	switch sql := strings.ToLower(strings.TrimSpace(d.SQL)); {
	case sql == "commit":
		r.Commits.Add(1)
	case strings.HasPrefix(sql, "begin"), sql == "rollback":
	case conn.PgConn().TxStatus() == 'I' && !strings.HasPrefix(sql, "select"):
		// Idle: the statement is its own transaction. A plain SELECT
		// commits nothing: PostgreSQL gives a read no transaction id and
		// writes no commit record for it.
		r.Commits.Add(1)
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (r *RoundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TracePrepareStart implements pgx.PrepareTracer.
func (r *RoundTrips) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	r.Prepares.Add(1)
	return ctx
}

// TracePrepareEnd implements pgx.PrepareTracer.
func (r *RoundTrips) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// OpenCounted is Open with the round trips counted, on PostgreSQL; on
// SQLite, which has no round trips, the count is nil.
func OpenCounted(tb testing.TB) (*gorm.DB, *RoundTrips) {
	tb.Helper()
	db, rawURL := Open(tb)
	if storage.DialectOf(db) != storage.Postgres {
		return db, nil
	}
	trips := &RoundTrips{}
	return openPool(tb, rawURL, trips), trips
}
