package storage

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite result codes (sqlite3.h): the extended ones of the constraints we
// rely on, and the primary one of a busy file.
const (
	sqliteBusy                 = 5
	sqliteConstraintCheck      = 275
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint failure: the database refusing a second "at most once".
func IsUniqueViolation(err error) bool {
	return pgCode(err) == "23505" || sqliteCode(err) == sqliteConstraintUnique || sqliteCode(err) == sqliteConstraintPrimaryKey
}

// IsCheckViolation reports whether err is a CHECK constraint failure, such
// as a balance that would go below zero.
func IsCheckViolation(err error) bool {
	return pgCode(err) == "23514" || sqliteCode(err) == sqliteConstraintCheck
}

// IsRetryable reports whether err is PostgreSQL rolling a transaction
// back as a deadlock's victim (40P01) or for a serialization failure
// (40001): the transaction did nothing and may simply run again.
func IsRetryable(err error) bool {
	code := pgCode(err)
	return code == "40P01" || code == "40001"
}

// isGuardFailure reports whether err is a guarded statement failing
// because a write with an Expect changed no row (see send): a division by
// zero, which no write itself makes.
func isGuardFailure(err error) bool { return pgCode(err) == "22012" }

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func sqliteCode(err error) int {
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()
	}
	return 0
}

// IsUniqueViolationOn reports whether err is a unique or primary-key
// failure on table: a write sent together with others tells its own
// violation from theirs by it.
func IsUniqueViolationOn(err error, table string) bool {
	if !IsUniqueViolation(err) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.TableName == table
	}
	// SQLite names the columns: "UNIQUE constraint failed: orders.reference".
	return strings.Contains(err.Error(), " "+table+".")
}
