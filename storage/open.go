// Package storage opens the gateway's database (embedded SQLite or
// PostgreSQL) through gorm, brings its schema up to date, and classifies
// driver errors so domain packages can map them to their own.
package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"modernc.org/sqlite"
)

// Dialect names the database engine behind a *gorm.DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// busyTimeout is how long a SQLite connection waits for another's lock on
// the file, and keeps trying to open while the file is busy.
const busyTimeout = 10 * time.Second

// DefaultMaxOpenConns is the pool's size unless Options say otherwise.
// PostgreSQL gets four connections per core of this machine: measured on
// two cores with PostgreSQL beside the gateway, 8 connections paid 15-25 %
// more orders per second than 32 (fewer backends contend for the same
// cores) and 4 fewer than 8. SQLite has one writer, and WAL readers.
func DefaultMaxOpenConns(d Dialect) int {
	if d == SQLite {
		return 8
	}
	return 4 * runtime.GOMAXPROCS(0)
}

// Options tune the connection pool. Zero values pick defaults that suit a
// small machine.
type Options struct {
	MaxOpenConns int
	// Tracer, on PostgreSQL, sees every query the pool sends, BEGIN and
	// COMMIT included: what tests count round trips with.
	Tracer pgx.QueryTracer
}

// Open connects to the database named by rawURL: "sqlite://PATH", a plain
// file path, or "postgres://..." (also "postgresql://"). SQLite runs in WAL
// mode with a busy timeout and IMMEDIATE transactions, so the gateway and
// the command line can share one file.
func Open(ctx context.Context, rawURL string, opts Options) (*gorm.DB, error) {
	dialector, dialect, file, err := dialectorFor(rawURL, opts.Tracer)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	maxOpen := opts.MaxOpenConns
	if maxOpen == 0 {
		maxOpen = DefaultMaxOpenConns(dialect)
	}
	if dialect == SQLite {
		shareWriter(sqlDB, file)
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return db, nil
}

// Close releases the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	forgetWriter(sqlDB)
	return sqlDB.Close()
}

// DialectOf tells which engine db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// dialectorFor also returns the SQLite file's path, "" on PostgreSQL.
func dialectorFor(rawURL string, tracer pgx.QueryTracer) (gorm.Dialector, Dialect, string, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return nil, "", "", fmt.Errorf("database url: %w", err)
		}
		cfg, err := pgx.ParseConfig(rawURL)
		if err != nil {
			return nil, "", "", fmt.Errorf("database url %q: %w", redact(rawURL), err)
		}
		cfg.Tracer = tracer
		return postgres.New(postgres.Config{Conn: stdlib.OpenDB(*cfg)}), Postgres, "", nil
	case strings.Contains(rawURL, "://") && !strings.HasPrefix(rawURL, "sqlite://"):
		return nil, "", "", fmt.Errorf("database url %q: use sqlite://PATH or postgres://", redact(rawURL))
	}
	path := strings.TrimPrefix(rawURL, "sqlite://")
	if path == "" {
		return nil, "", "", fmt.Errorf("database url %q names no file", rawURL)
	}
	path, query, _ := strings.Cut(path, "?")
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", "", fmt.Errorf("database directory: %w", err)
		}
	}
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Add("_pragma", "foreign_keys(1)")
	// The savepoints of a group's transactions keep the pages they change
	// in a sub-journal, which would otherwise spill to a temporary file
	// past 64 KiB and cost a system call a page.
	params.Add("_pragma", "temp_store(MEMORY)")
	params.Set("_txlock", "immediate")
	// SQLite's own format, "2006-01-02 15:04:05.999999999-07:00", which
	// sorts as the times do and is what files written before kept.
	params.Set("_time_format", "sqlite")
	dsn := path + "?" + params.Encode()
	if query != "" {
		dsn += "&" + query
	}
	connector, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, "", "", fmt.Errorf("database url %q: %w", rawURL, err)
	}
	return sqliteDialector{pool: sql.OpenDB(stmtCachingConnector{connector})}, SQLite, path, nil
}

// redact hides the password in a database URL so it can be shown in errors.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable url)"
	}
	return u.Redacted()
}
