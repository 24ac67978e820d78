// Package storagetest gives each test a fresh, migrated database: SQLite in
// a temporary directory by default, or a PostgreSQL schema of its own when
// SCANPAY_TEST_DATABASE_URL is set, dropped when the test ends.
package storagetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// EnvURL names the variable that switches the test database to PostgreSQL.
const EnvURL = "SCANPAY_TEST_DATABASE_URL"

// Open returns a migrated database that only this test uses, and its URL
// (for tests that start the real binary or a second connection pool).
func Open(tb testing.TB) (*gorm.DB, string) {
	tb.Helper()
	rawURL := URL(tb)
	db := openPool(tb, rawURL, nil)
	if _, err := storage.Migrate(context.Background(), db); err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return db, rawURL
}

// openPool opens a pool on rawURL for the test, with a tap on PostgreSQL
// that passes what it sees on to next.
func openPool(tb testing.TB, rawURL string, next pgx.QueryTracer) *gorm.DB {
	tb.Helper()
	var t *tap
	opts := storage.Options{
		// Ten connections make every race a test stages a real one, and
		// keep the packages that go test runs at once within PostgreSQL's
		// clients.
		MaxOpenConns: 10,
	}
	if !strings.HasPrefix(rawURL, "sqlite://") {
		t = &tap{next: next}
		opts.Tracer = t
	}
	db, err := storage.Open(context.Background(), rawURL, opts)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	pool, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	if t != nil {
		t.register(pool)
	}
	tb.Cleanup(func() {
		taps.Delete(pool)
		storage.Close(db)
	})
	return db
}

// URL creates an empty database for this test (not migrated) and returns
// its URL. On PostgreSQL it is a new schema, reached through search_path.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	}
	schema := "t_" + scanpay.RandomToken(10)
	admin, err := storage.Open(context.Background(), base, storage.Options{MaxOpenConns: 2})
	if err != nil {
		tb.Fatalf("open %s: %v", EnvURL, err)
	}
	if err := admin.Exec(`CREATE SCHEMA ` + schema).Error; err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		defer storage.Close(admin)
		if err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`).Error; err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return withSearchPath(tb, base, schema)
}

func withSearchPath(tb testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	if strings.Contains(q.Get("search_path"), ",") {
		tb.Fatalf("%s must not set search_path", EnvURL)
	}
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
