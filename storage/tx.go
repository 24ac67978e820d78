package storage

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// InTx runs fn in one transaction of db, nested ones as savepoints.
//
// On SQLite the process's transactions take the file's turn and commit in
// groups (sqliteWriter): InTx returns once fn's group has ended, and
// nothing fn wrote is kept when fn or the group's commit fails. A transaction
// waiting for its turn gives up when ctx ends.
//
// On PostgreSQL, a transaction that the database rolled back as the
// victim of a deadlock or a serialization failure runs again, up to
// maxRetries times: it changed nothing, and fn touches nothing outside
// the database that would mind being asked twice (the settlement's bank is
// called after a commit; the wallet's, inside its transfer's transaction,
// with the transfer's id, which a bank takes once). A nested call is its
// outer transaction's to retry.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	db = db.WithContext(ctx)
	pool, outermost := poolOf(db)
	if !outermost {
		return nested(ctx, db).Transaction(fn)
	}
	if w := writerOf(pool); w != nil {
		return w.run(ctx, db, pool, fn)
	}
	return retrying(ctx, func() error { return db.Transaction(fn) })
}

// Exec runs one write and returns how many rows it changed: on PostgreSQL,
// outside a transaction, as a statement of its own; otherwise through
// InTx. On SQLite that takes the file's writer: a write that took SQLite's
// lock on its own would meet the writer's groups, which hold it back to
// back under load, and wait them out on the busy timeout.
func Exec(ctx context.Context, db *gorm.DB, sql string, args ...any) (int64, error) {
	db = db.WithContext(ctx)
	if pool, outermost := poolOf(db); outermost && writerOf(pool) == nil {
		res := db.Exec(sql, args...)
		return res.RowsAffected, res.Error
	}
	var rows int64
	err := InTx(ctx, db, func(tx *gorm.DB) error {
		res := tx.Exec(sql, args...)
		rows = res.RowsAffected
		return res.Error
	})
	return rows, err
}

// nested gives a call inside a SQLite transaction a context that is not
// cancelled: SQLite rolls back the whole transaction whose write it
// interrupts, which in a group is the other transactions' too (see
// sqliteWriter.run).
func nested(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if DialectOf(tx) != SQLite {
		return tx
	}
	return tx.WithContext(context.WithoutCancel(ctx))
}

// retrying runs try again, after a short random pause, while it fails as
// a deadlock's victim or by a serialization failure, up to maxRetries
// times more.
func retrying(ctx context.Context, try func() error) error {
	for attempt := 0; ; attempt++ {
		err := try()
		if attempt == maxRetries || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond)
	}
}

// maxRetries is how many times InTx runs a transaction again after a
// deadlock or a serialization failure.
const maxRetries = 3

// poolOf returns the connection pool behind db, unless db is inside a
// transaction.
func poolOf(db *gorm.DB) (*sql.DB, bool) {
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	return pool, ok
}
