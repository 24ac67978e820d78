package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

// openSQLiteFile opens a fresh SQLite file, with query added to its URL
// when given, and runs schema on it.
func openSQLiteFile(t *testing.T, query string, opts Options, schema ...string) (*gorm.DB, *sql.DB) {
	t.Helper()
	url := "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	if query != "" {
		url += "?" + query
	}
	db, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(db) })
	for _, s := range schema {
		if err := db.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	pool, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return db, pool
}

// sqliteConnOf opens a pool of one connection on a fresh SQLite file with
// a table t, and returns the pool and that connection's statement cache.
func sqliteConnOf(t *testing.T) (*gorm.DB, *sql.DB, func() map[string]driver.Stmt) {
	t.Helper()
	db, pool := openSQLiteFile(t, "", Options{MaxOpenConns: 1}, `CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT)`)
	cached := func() map[string]driver.Stmt {
		conn, err := pool.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		out := map[string]driver.Stmt{}
		if err := conn.Raw(func(dc any) error {
			for q, s := range dc.(*stmtCachingConn).stmts {
				out[q] = s
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return db, pool, cached
}

func TestSQLiteKeepsAWriteCompiledForItsNextCall(t *testing.T) {
	_, pool, cached := sqliteConnOf(t)
	const insert = `INSERT INTO t (id) VALUES (?)`
	if _, err := pool.Exec(insert, 1); err != nil {
		t.Fatal(err)
	}
	first, ok := cached()[insert]
	if !ok {
		t.Fatalf("after one insert the cache holds %v, not the insert", cached())
	}
	if _, err := pool.Exec(insert, 1); err == nil || !IsUniqueViolation(err) {
		t.Fatalf("second insert of id 1: %v, want a unique violation", err)
	}
	if _, err := pool.Exec(insert, 2); err != nil {
		t.Fatalf("the cached insert after its own failure: %v", err)
	}
	if again := cached()[insert]; again != first {
		t.Fatal("the insert was compiled again")
	}
	if _, err := pool.Exec(`DELETE FROM t WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	if n := len(cached()); n != 1 {
		t.Fatalf("%d statements cached, want only the insert: one without arguments is not kept", n)
	}
	var rows int
	if err := pool.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("%d rows (%v), want 2", rows, err)
	}
}

func TestSQLiteStatementCacheStaysBounded(t *testing.T) {
	_, pool, cached := sqliteConnOf(t)
	for i := range maxCachedStmts + 10 {
		if _, err := pool.Exec(fmt.Sprintf(`INSERT INTO t (id) VALUES (? + %d)`, i), 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(cached()); n > maxCachedStmts || n == 0 {
		t.Fatalf("%d statements cached, want between 1 and %d", n, maxCachedStmts)
	}
	var rows int
	if err := pool.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&rows); err != nil || rows != maxCachedStmts+10 {
		t.Fatalf("%d rows (%v), want %d", rows, err, maxCachedStmts+10)
	}
}

// Files written before this driver kept times as SQLite's own text; this
// one must write the same, or comparisons between old and new rows break.
func TestSQLiteWritesTimesInItsOwnFormat(t *testing.T) {
	db, pool, _ := sqliteConnOf(t)
	at := time.Date(2026, 11, 22, 10, 0, 0, 123456000, time.UTC)
	if err := db.Exec(`INSERT INTO t (id, at) VALUES (?, ?)`, 1, at).Error; err != nil {
		t.Fatal(err)
	}
	var text string
	if err := pool.QueryRow(`SELECT CAST(at AS TEXT) FROM t`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-22 10:00:00.123456+00:00"; text != want {
		t.Fatalf("stored %q, want %q", text, want)
	}
}
