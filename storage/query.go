package storage

import (
	"database/sql"
	"strings"

	"gorm.io/gorm"
)

// QueryRow runs query, which reads at most one row, straight on db's
// connection or transaction: gorm builds no statement and reflects on no
// struct, and the caller scans the columns it named. For a hot path's
// reads, where gorm's building and scanning cost more CPU than the read.
// Placeholders are ?, as for gorm, numbered here for PostgreSQL; args must
// be plain values, which the driver takes as they are (no list to expand
// into (?, ?), no gorm expression).
func QueryRow(db *gorm.DB, query string, args ...any) *sql.Row {
	return db.Statement.ConnPool.QueryRowContext(db.Statement.Context, numbered(db, query), args...)
}

// Query is QueryRow for any number of rows.
func Query(db *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	return db.Statement.ConnPool.QueryContext(db.Statement.Context, numbered(db, query), args...)
}

// numbered is query with PostgreSQL's placeholders when db is on it.
func numbered(db *gorm.DB, query string) string {
	if DialectOf(db) != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 64)
	writeNumbered(&b, query, 0)
	return b.String()
}
