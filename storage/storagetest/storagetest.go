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
	// Ten connections make every race a test stages a real one, and keep
	// the packages that go test runs at once within PostgreSQL's clients.
	db, err := storage.Open(context.Background(), rawURL, storage.Options{MaxOpenConns: 10})
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { storage.Close(db) })
	if _, err := storage.Migrate(context.Background(), db); err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return db, rawURL
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
