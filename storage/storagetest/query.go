package storagetest

import (
	"testing"

	"gorm.io/gorm"
)

// Scan runs a query and scans its result into dst, failing the test when
// the query fails, so that an assertion on dst never passes on a broken
// query.
func Scan(tb testing.TB, db *gorm.DB, dst any, query string, args ...any) {
	tb.Helper()
	if err := db.Raw(query, args...).Scan(dst).Error; err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// Exec runs a statement, failing the test when it fails, and returns how
// many rows it changed.
func Exec(tb testing.TB, db *gorm.DB, query string, args ...any) int64 {
	tb.Helper()
	res := db.Exec(query, args...)
	if res.Error != nil {
		tb.Fatalf("%s: %v", query, res.Error)
	}
	return res.RowsAffected
}
