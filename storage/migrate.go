package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered step of the schema, applied at most once.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the schema steps in the order they apply. They are
// written in PostgreSQL's dialect; for SQLite, TIMESTAMPTZ becomes
// TIMESTAMP (the type name the SQLite driver reads back as time.Time).
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: version, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies every migration that the database has not seen yet and
// returns the ones it applied. Each runs in its own transaction together
// with its row in schema_migrations, so a crash leaves no half-applied
// step. Running it twice, or from two processes at once, is safe: on
// PostgreSQL an advisory lock serialises migrators, on SQLite the
// IMMEDIATE transaction does, and a step already recorded is skipped.
func Migrate(ctx context.Context, db *gorm.DB) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	dialect := DialectOf(db)
	db = db.WithContext(ctx)
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := lockSchema(tx, dialect); err != nil {
			return err
		}
		return tx.Exec(translate(dialect, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL)`)).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []Migration
	for _, m := range all {
		done := false
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := lockSchema(tx, dialect); err != nil {
				return err
			}
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			for _, stmt := range statements(translate(dialect, m.SQL)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\n%s", err, stmt)
				}
			}
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if !done {
			applied = append(applied, m)
		}
	}
	return applied, nil
}

// lockSchema makes concurrent migrators on PostgreSQL wait for each other;
// the lock is per schema so parallel test schemas do not serialise.
func lockSchema(tx *gorm.DB, dialect Dialect) error {
	if dialect != Postgres {
		return nil
	}
	return tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('scanpay.migrate.' || current_schema()))`).Error
}

func translate(dialect Dialect, sql string) string {
	if dialect == SQLite {
		return strings.ReplaceAll(sql, "TIMESTAMPTZ", "TIMESTAMP")
	}
	return sql
}

// statements splits a migration on semicolons that end a line. Migrations
// hold plain DDL, so no semicolon hides inside a string or a body.
func statements(sql string) []string {
	var out []string
	for _, s := range strings.Split(sql, ";\n") {
		var kept []string
		for _, line := range strings.Split(s, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				kept = append(kept, line)
			}
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(kept, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}
