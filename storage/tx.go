package storage

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// InTx runs fn in one transaction of db, nested ones as savepoints.
//
// SQLite lets one writer at a time hold a database, and every transaction
// here begins IMMEDIATE, taking that lock at once. A busy connection
// polls for the lock with sleeps that grow to 100 ms, so under load the
// lock often sits free while its next holder sleeps, and an unlucky
// writer can sleep past the busy timeout. InTx therefore queues this
// process's transactions on a database's turn in the order they came,
// handing the lock straight to the next; only other processes sharing
// the file (the command line beside serve) still meet the busy timeout.
// A transaction waiting for its turn gives up when ctx ends.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	db = db.WithContext(ctx)
	if turn := writerTurn(db); turn != nil {
		select {
		case turn <- struct{}{}:
			defer func() { <-turn }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return db.Transaction(fn)
}

// turns holds each SQLite pool's turn: a channel of one slot, whose
// waiters the runtime serves first come, first served.
var turns sync.Map // *sql.DB → chan struct{}

// writerTurn returns the turn to take before a transaction of db: nil on
// PostgreSQL, and inside a transaction, which already holds it.
func writerTurn(db *gorm.DB) chan struct{} {
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	if !ok || DialectOf(db) != SQLite {
		return nil
	}
	turn, _ := turns.LoadOrStore(pool, make(chan struct{}, 1))
	return turn.(chan struct{})
}
