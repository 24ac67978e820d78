package storage

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// openWriter opens a SQLite file with table t and schema, and returns it
// with its writer.
func openWriter(t *testing.T, schema ...string) (*gorm.DB, *sqliteWriter) {
	t.Helper()
	db, pool := openSQLiteFile(t, "", Options{}, append([]string{`CREATE TABLE t (v TEXT NOT NULL)`}, schema...)...)
	return db, writerOf(pool)
}

// holdUntilQueued returns a transaction that writes v, then holds the turn
// until n others wait for it, so that they join its group.
func holdUntilQueued(t *testing.T, w *sqliteWriter, v string, n int32, holding chan<- struct{}) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO t (v) VALUES (?)`, v).Error; err != nil {
			return err
		}
		close(holding)
		for deadline := time.Now().Add(10 * time.Second); w.waiting.Load() < n; {
			if time.Now().After(deadline) {
				t.Errorf("%d transactions queued, want %d", w.waiting.Load(), n)
				break
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	}
}

func count(t *testing.T, db *gorm.DB, v string) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(`SELECT COUNT(*) FROM t WHERE v = ?`, v).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Transactions that queue behind one another share one commit: the second
// sees the first's write, which no other connection sees yet, and the
// first is answered only once the group has committed. A member that
// fails, here the second in the queue, takes only its own writes with it,
// and is answered after the group too.
func TestSQLiteTransactionsThatWaitCommitTogether(t *testing.T) {
	db, w := openWriter(t)
	holding := make(chan struct{})
	var wg sync.WaitGroup
	var firstErr error
	var firstAnswered, lastRan time.Time
	wg.Go(func() {
		firstErr = InTx(context.Background(), db, holdUntilQueued(t, w, "a", 2, holding))
		firstAnswered = time.Now()
	})
	<-holding
	failed := errors.New("the one that fails")
	var lastErr, failingErr error
	var aAfterFailing int64
	wg.Go(func() {
		failingErr = InTx(context.Background(), db, func(tx *gorm.DB) error {
			if err := tx.Exec(`INSERT INTO t (v) VALUES ('c')`).Error; err != nil {
				return err
			}
			return failed
		})
		aAfterFailing = count(t, db, "a")
	})
	for w.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	wg.Go(func() {
		lastErr = InTx(context.Background(), db, func(tx *gorm.DB) error {
			var inGroup int64
			if err := tx.Raw(`SELECT COUNT(*) FROM t WHERE v = 'a'`).Scan(&inGroup).Error; err != nil {
				return err
			}
			if outside := count(t, db, "a"); inGroup != 1 || outside != 0 {
				t.Errorf("the first's write: %d rows seen in the group, %d outside; want 1 and 0", inGroup, outside)
			}
			lastRan = time.Now()
			return tx.Exec(`INSERT INTO t (v) VALUES ('b')`).Error
		})
	})
	wg.Wait()
	if firstErr != nil || lastErr != nil || !errors.Is(failingErr, failed) {
		t.Fatalf("answers %v, %v, %v; want nil, nil and the failing one's failure", firstErr, lastErr, failingErr)
	}
	if lastRan.IsZero() || firstAnswered.Before(lastRan) {
		t.Fatal("the first transaction was answered before the group it was in committed")
	}
	if aAfterFailing != 1 {
		t.Fatal("the failed transaction was answered before its group committed what it saw")
	}
	if a, b, c := count(t, db, "a"), count(t, db, "b"), count(t, db, "c"); a != 1 || b != 1 || c != 0 {
		t.Fatalf("kept a %d, b %d, c %d times; want 1, 1, 0", a, b, c)
	}
	if w.group != nil {
		t.Fatal("a group is still open with nobody waiting")
	}
}

// When the group's commit fails, every member is told so, failed ones too,
// and none of their writes is kept. A deferred foreign key, checked at COMMIT, fails it
// here.
func TestSQLiteGroupThatCannotCommitKeepsNothing(t *testing.T) {
	db, w := openWriter(t,
		`CREATE TABLE parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`)
	holding := make(chan struct{})
	var wg sync.WaitGroup
	var firstErr, failingErr, lastErr error
	wg.Go(func() { firstErr = InTx(context.Background(), db, holdUntilQueued(t, w, "a", 2, holding)) })
	<-holding
	wg.Go(func() {
		failingErr = InTx(context.Background(), db, func(tx *gorm.DB) error { return errors.New("its own failure") })
	})
	for w.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	wg.Go(func() {
		lastErr = InTx(context.Background(), db, func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO child (parent_id) VALUES (42)`).Error
		})
	})
	wg.Wait()
	if firstErr == nil || failingErr != firstErr || lastErr != firstErr {
		t.Fatalf("answers %v, %v and %v; want all three told the commit failed, the one that failed too: "+
			"what it failed on may have been the others' writes", firstErr, failingErr, lastErr)
	}
	var children int64
	if err := db.Raw(`SELECT COUNT(*) FROM child`).Scan(&children).Error; err != nil {
		t.Fatal(err)
	}
	if a := count(t, db, "a"); a != 0 || children != 0 {
		t.Fatalf("kept %d of the first's rows and %d of the second's, want none", a, children)
	}
	if err := InTx(context.Background(), db, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO t (v) VALUES ('after')`).Error
	}); err != nil || count(t, db, "after") != 1 {
		t.Fatalf("the next transaction: %v", err)
	}
}

// A member that finds a transaction waiting leaves the group open for it;
// when that transaction then gives up waiting, the group still commits.
func TestSQLiteGroupEndsWhenItsLastWaiterGivesUp(t *testing.T) {
	db, pool := openSQLiteFile(t, "", Options{}, `CREATE TABLE t (v TEXT NOT NULL)`)
	w := writerOf(pool)
	// A member holds the turn, its write in the open group.
	w.turn <- struct{}{}
	g, err := beginGroup(db, pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.tx.Exec(`INSERT INTO t (v) VALUES ('a')`).Error; err != nil {
		t.Fatal(err)
	}
	g.members, w.group = 1, g
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		gaveUp <- InTx(ctx, db, func(*gorm.DB) error {
			t.Error("the waiter ran")
			return nil
		})
	}()
	for w.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("the waiter: %v, want context.Canceled", err)
	}
	<-w.turn // the member lets the turn go, leaving the group open
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the group never ended after its last waiter gave up")
	}
	if g.err != nil || count(t, db, "a") != 1 {
		t.Fatalf("the group's commit: %v; %d rows", g.err, count(t, db, "a"))
	}
}

// A write sent alone (Exec) on SQLite waits for the writer's turn. The
// pool has no busy timeout, so a write that took SQLite's lock itself,
// while a transaction holds it, would fail at once.
func TestSQLiteExecWaitsForTheWriter(t *testing.T) {
	db, pool := openSQLiteFile(t, "_pragma=busy_timeout(0)", Options{}, `CREATE TABLE t (v TEXT NOT NULL)`)
	w := writerOf(pool)
	holding := make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- InTx(context.Background(), db, holdUntilQueued(t, w, "a", 1, holding)) }()
	<-holding
	rows, err := Exec(context.Background(), db, `INSERT INTO t (v) VALUES (?), (?)`, "b", "c")
	if err != nil || rows != 2 {
		t.Fatalf("the write sent alone: %d rows, %v; want 2 and no error", rows, err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if a, b := count(t, db, "a"), count(t, db, "b"); a != 1 || b != 1 {
		t.Fatalf("kept a %d and b %d times, want once each", a, b)
	}
}

// A group ends after maxGroupMembers transactions have run in it, failed
// ones counted: a queue of failing transactions must not keep the first
// one's commit waiting for the queue to drain.
func TestSQLiteGroupOfFailuresEndsAtItsSize(t *testing.T) {
	db, w := openWriter(t)
	const failing = 3 * maxGroupMembers
	sizes := map[*group]int{} // written under the turn
	holding := make(chan struct{})
	hold := holdUntilQueued(t, w, "a", failing, holding)
	var wg sync.WaitGroup
	var firstErr error
	wg.Go(func() {
		firstErr = InTx(context.Background(), db, func(tx *gorm.DB) error {
			sizes[w.group]++
			return hold(tx)
		})
	})
	<-holding
	for range failing {
		wg.Go(func() {
			InTx(context.Background(), db, func(*gorm.DB) error {
				sizes[w.group]++
				return errors.New("refused")
			})
		})
	}
	wg.Wait()
	if firstErr != nil || count(t, db, "a") != 1 {
		t.Fatalf("the first: %v", firstErr)
	}
	for _, n := range sizes {
		if n > maxGroupMembers {
			t.Fatalf("%d transactions ran in one group, want at most %d", n, maxGroupMembers)
		}
	}
}
