package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// maxGroupMembers bounds how many transactions run in one SQLite
// transaction, failed ones included, and so how long the first of them
// waits for its commit.
const maxGroupMembers = 16

// groupSavepoint opens every group, so that the group can tell, before it
// commits, that SQLite has not rolled its transaction back on its own (as
// it does on a full disk or an interrupted write): the savepoint is then
// gone, and releasing it fails. memberSavepoint holds each transaction of
// the group, released when it succeeds and rolled back to when it fails.
const (
	groupSavepoint  = "scanpay_group"
	memberSavepoint = "scanpay_member"
)

// A sqliteWriter is the one writer of a SQLite file in this process.
// SQLite lets one writer at a time hold a database, and every transaction
// here begins IMMEDIATE, taking that lock at once. A busy connection polls
// for the lock with sleeps that grow to 100 ms, so under load the lock
// would often sit free while its next holder slept. The process's
// transactions therefore take the file's turn instead, in the order they
// came, the turn handed straight to the next; only other processes sharing
// the file (the command line beside serve) still meet the busy timeout.
//
// Transactions that come while others wait commit together: each runs in
// a savepoint of the group's one SQLite transaction, rolled back to when
// it fails, and the group commits when no transaction waits for the turn
// or maxGroupMembers have run in it. A transaction is answered once its group
// has ended, failed ones too, with the commit's error if that failed: what
// it wrote is kept with the group or not at all, and a retry finds which.
// One commit for many saves the writing of the pages they share (index
// leaves, the merchant's balances) and the commit's own system calls,
// which the one writer otherwise paid per transaction.
//
// A transaction must not wait, while it holds the turn, for another of
// the same file (InTx or Exec on a handle that is not its own): the turn
// is the one it holds.
type sqliteWriter struct {
	turn    chan struct{} // one slot; the runtime serves its waiters in order
	waiting atomic.Int32  // transactions queued for the turn
	group   *group        // the open group, if any; the turn's holder owns it
}

// group is one SQLite transaction that several transactions of the
// gateway share.
type group struct {
	pool    *sql.DB
	tx      *gorm.DB
	joined  int           // transactions that ran in it
	members int           // of those, the ones whose writes stand
	broken  error         // a failed transaction that could not be undone
	done    chan struct{} // closed once the group has ended, err set
	err     error
}

// run runs fn as one transaction of db, whose pool is pool, in a group.
// Waiting for the turn ends with ctx; once fn runs, it runs to the end,
// since cancelling a write statement would roll back the whole group.
func (w *sqliteWriter) run(ctx context.Context, db *gorm.DB, pool *sql.DB, fn func(tx *gorm.DB) error) error {
	w.waiting.Add(1)
	select {
	case w.turn <- struct{}{}:
		w.waiting.Add(-1)
	case <-ctx.Done():
		if w.waiting.Add(-1) == 0 {
			go w.flush() // the group's members may have counted on this one to end it
		}
		return ctx.Err()
	}
	g, err := w.join(ctx, db, pool, fn)
	if g == nil {
		return err
	}
	// A failed transaction too waits for its group, and is told when the
	// group failed: its failure may come from what it read of the others
	// (the order they paid, a key's record), which is then committed, or
	// rolled back with the group.
	<-g.done
	if g.err != nil {
		return g.err
	}
	return err
}

// join runs fn in the open group, or a new one, holding the turn, and
// returns that group with fn's error.
func (w *sqliteWriter) join(ctx context.Context, db *gorm.DB, pool *sql.DB, fn func(tx *gorm.DB) error) (g *group, err error) {
	defer func() {
		if w.group != nil && (w.waiting.Load() == 0 || w.group.joined >= maxGroupMembers) {
			w.end()
		}
		<-w.turn
	}()
	if w.group != nil && w.group.pool != pool {
		w.end()
	}
	if w.group == nil {
		if w.group, err = beginGroup(db, pool); err != nil {
			return nil, err
		}
	}
	g = w.group
	g.joined++
	if err := g.inSavepoint(context.WithoutCancel(ctx), fn); err != nil {
		return g, err
	}
	g.members++
	return g, nil
}

// inSavepoint runs fn in a savepoint of the group's transaction, undoing
// what it wrote when it fails or panics. A failure that cannot be undone
// breaks the group, which then keeps nothing.
func (g *group) inSavepoint(ctx context.Context, fn func(tx *gorm.DB) error) (err error) {
	tx := g.tx.WithContext(ctx)
	if err := execControl(tx, "SAVEPOINT "+memberSavepoint); err != nil {
		g.broken = err
		return err
	}
	ended := false
	defer func() {
		if ended {
			return
		}
		if rerr := execControl(tx, "ROLLBACK TO "+memberSavepoint); rerr != nil {
			g.broken = rerr
		} else if rerr := execControl(tx, "RELEASE "+memberSavepoint); rerr != nil {
			g.broken = rerr
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = execControl(tx, "RELEASE "+memberSavepoint); err != nil {
		return err // the deferred rollback undoes it, or breaks the group
	}
	ended = true
	return nil
}

// flush ends the open group once the turn is free, for when the last
// transaction waiting for it gave up.
func (w *sqliteWriter) flush() {
	w.turn <- struct{}{}
	if w.group != nil && w.waiting.Load() == 0 {
		w.end()
	}
	<-w.turn
}

func beginGroup(db *gorm.DB, pool *sql.DB) (*group, error) {
	tx := db.Session(&gorm.Session{NewDB: true, Context: context.Background()}).Begin()
	if tx.Error != nil {
		return nil, tx.Error
	}
	if err := execControl(tx, "SAVEPOINT "+groupSavepoint); err != nil {
		tx.Rollback()
		return nil, err
	}
	return &group{pool: pool, tx: tx, done: make(chan struct{})}, nil
}

// end commits the open group, or rolls it back when no member's writes
// stand or it broke, and answers its members.
func (w *sqliteWriter) end() {
	g := w.group
	w.group = nil
	switch {
	case g.broken != nil:
		g.err = g.broken
		g.tx.Rollback()
	case g.members == 0:
		g.tx.Rollback()
	default:
		if g.err = execControl(g.tx, "RELEASE "+groupSavepoint); g.err != nil {
			g.tx.Rollback()
		} else {
			g.err = g.tx.Commit().Error
		}
	}
	close(g.done)
}

// The writers of this process, one per SQLite file: pools of one process
// that open the same file (fileWriters) share its writer, and each pool
// finds it in poolWriters.
var (
	writersMu   sync.Mutex
	fileWriters = map[string]*sqliteWriter{}
	poolWriters sync.Map // *sql.DB → *sqliteWriter
)

// shareWriter gives pool, opened on the SQLite file at path, that file's
// writer.
func shareWriter(pool *sql.DB, path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	writersMu.Lock()
	defer writersMu.Unlock()
	w, ok := fileWriters[path]
	if !ok {
		w = &sqliteWriter{turn: make(chan struct{}, 1)}
		fileWriters[path] = w
	}
	poolWriters.Store(pool, w)
}

// forgetWriter drops a closed pool's writer (the file's stays, for the
// next pool that opens it).
func forgetWriter(pool *sql.DB) { poolWriters.Delete(pool) }

// writerOf returns the writer of the SQLite file behind pool, nil on
// PostgreSQL.
func writerOf(pool *sql.DB) *sqliteWriter {
	w, ok := poolWriters.Load(pool)
	if !ok {
		return nil
	}
	return w.(*sqliteWriter)
}
