package storagetest

import (
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// Statements counts the SQL statements a database handle runs through
// gorm, telling those inside a transaction from those outside.
type Statements struct {
	InTx, Outside atomic.Int64
}

// CountStatements starts counting the statements db runs, from now until
// the test ends (the handle is the test's own).
func CountStatements(tb testing.TB, db *gorm.DB) *Statements {
	tb.Helper()
	c := &Statements{}
	count := func(d *gorm.DB) {
		if _, ok := d.Statement.ConnPool.(gorm.TxCommitter); ok {
			c.InTx.Add(1)
		} else {
			c.Outside.Add(1)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("storagetest:count", count),
		cb.Query().After("gorm:query").Register("storagetest:count", count),
		cb.Update().After("gorm:update").Register("storagetest:count", count),
		cb.Delete().After("gorm:delete").Register("storagetest:count", count),
		cb.Row().After("gorm:row").Register("storagetest:count", count),
		cb.Raw().After("gorm:raw").Register("storagetest:count", count),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// Total is every statement counted so far.
func (c *Statements) Total() int64 { return c.InTx.Load() + c.Outside.Load() }

// Reset starts the counts again from zero.
func (c *Statements) Reset() { c.InTx.Store(0); c.Outside.Store(0) }
