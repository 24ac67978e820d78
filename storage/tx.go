package storage

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"time"

	"gorm.io/gorm"
)

// InTx runs fn in one transaction of db, nested ones as savepoints.
//
// SQLite lets one writer at a time hold a database, and every transaction
// here begins IMMEDIATE, taking that lock at once. A busy connection
// polls for the lock with sleeps that grow to 100 ms, so under load the
// lock often sits free while its next holder sleeps, and an unlucky
// writer can sleep past the busy timeout. InTx therefore queues this
// process's transactions on the file's turn in the order they came,
// handing the lock straight to the next; only other processes sharing
// the file (the command line beside serve) still meet the busy timeout.
// A transaction waiting for its turn gives up when ctx ends.
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
	if turn := writerTurn(db); turn != nil {
		select {
		case turn <- struct{}{}:
			defer func() { <-turn }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if _, outermost := poolOf(db); !outermost {
		return db.Transaction(fn)
	}
	return retrying(ctx, func() error { return db.Transaction(fn) })
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

// A turn is a channel of one slot, whose waiters the runtime serves first
// come, first served. Pools of one process that open the same file share
// its turn (fileTurns), so that they take turns too; each pool finds its
// turn in poolTurns.
var (
	turnsMu   sync.Mutex
	fileTurns = map[string]chan struct{}{}
	poolTurns sync.Map // *sql.DB → chan struct{}
)

// shareTurn gives pool, opened on the SQLite file at path, that file's
// turn.
func shareTurn(pool *sql.DB, path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	turnsMu.Lock()
	defer turnsMu.Unlock()
	turn, ok := fileTurns[path]
	if !ok {
		turn = make(chan struct{}, 1)
		fileTurns[path] = turn
	}
	poolTurns.Store(pool, turn)
}

// forgetTurn drops a closed pool's turn (the file's stays, for the next
// pool that opens it).
func forgetTurn(pool *sql.DB) { poolTurns.Delete(pool) }

// writerTurn returns the turn to take before a transaction of db: nil on
// PostgreSQL, and inside a transaction, which already holds it.
func writerTurn(db *gorm.DB) chan struct{} {
	pool, ok := poolOf(db)
	if !ok {
		return nil
	}
	turn, ok := poolTurns.Load(pool)
	if !ok {
		return nil
	}
	return turn.(chan struct{})
}

// poolOf returns the connection pool behind db, unless db is inside a
// transaction.
func poolOf(db *gorm.DB) (*sql.DB, bool) {
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	return pool, ok
}
