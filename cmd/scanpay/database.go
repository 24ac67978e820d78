package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// sqlitePath is the file a --db value names, and false for a PostgreSQL
// URL. It reads the forms storage.Open takes: sqlite://PATH[?params] or a
// plain path.
func sqlitePath(dbURL string) (string, bool) {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		return "", false
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dbURL, "sqlite://"), "?")
	return path, true
}

// requireDatabase refuses a SQLite file that does not exist, for the
// commands that need data already there: opening it would create an empty
// database, and `ledger verify` would then call a mistyped path "ok". A
// PostgreSQL database that is not there fails to connect on its own.
func requireDatabase(dbURL string) error {
	path, ok := sqlitePath(dbURL)
	if !ok || path == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist (check --db or SCANPAY_DATABASE_URL; `scanpay migrate` creates one)", path)
	} else if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	return nil
}

// databaseLabel names the database for the start log: the SQLite file's
// absolute path, or the PostgreSQL URL with its password hidden, whether
// in the user part or in a password parameter.
func databaseLabel(dbURL string) string {
	if path, ok := sqlitePath(dbURL); ok {
		if abs, err := filepath.Abs(path); err == nil {
			return "sqlite " + abs
		}
		return "sqlite " + path
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "postgres (unparseable url)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
