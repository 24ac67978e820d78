package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// openSQLite opens a pool on the SQLite file at path that never waits for
// the write lock: without turns, any two writers at once would fail.
func openSQLite(t *testing.T, path string) *gorm.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), "sqlite://"+path+"?_pragma=busy_timeout(0)", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { storage.Close(db) })
	return db
}

func TestSQLiteTransactionsOfOneProcessTakeTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "turns.db")
	pools := []*gorm.DB{openSQLite(t, path), openSQLite(t, path)}
	storagetest.Exec(t, pools[0], `CREATE TABLE counter (n INTEGER NOT NULL)`)
	storagetest.Exec(t, pools[0], `INSERT INTO counter (n) VALUES (0)`)
	const workers, rounds = 16, 20
	errs := make(chan error, 2*workers*rounds)
	var wg sync.WaitGroup
	for _, db := range pools {
		for range workers {
			wg.Go(func() {
				for range rounds {
					errs <- storage.InTx(context.Background(), db, func(tx *gorm.DB) error {
						var n int64
						if err := tx.Raw(`SELECT n FROM counter`).Scan(&n).Error; err != nil {
							return err
						}
						return tx.Exec(`UPDATE counter SET n = ?`, n+1).Error
					})
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a transaction did not get its turn: %v", err)
		}
	}
	var n int64
	if storagetest.Scan(t, pools[1], &n, `SELECT n FROM counter`); n != 2*workers*rounds {
		t.Fatalf("counter %d, want %d", n, 2*workers*rounds)
	}
}

func TestWaitingForATurnEndsWithTheContext(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "wait.db"))
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- storage.InTx(context.Background(), db, func(*gorm.DB) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ran := false
	err := storage.InTx(ctx, db, func(*gorm.DB) error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("waiting transaction: ran %v, err %v", ran, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := storage.InTx(context.Background(), db, func(*gorm.DB) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("after the turn was given back: ran %v, err %v", ran, err)
	}
}

// TestADeadlocksVictimRunsAgain makes two transactions each hold a row the
// other wants: PostgreSQL rolls one back, and InTx runs it again, so both
// commit.
func TestADeadlocksVictimRunsAgain(t *testing.T) {
	db, _ := storagetest.Open(t)
	if storage.DialectOf(db) != storage.Postgres {
		t.Skip("SQLite's writers take turns: they cannot deadlock")
	}
	storagetest.Exec(t, db, `CREATE TABLE pair (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
	storagetest.Exec(t, db, `INSERT INTO pair (k, n) VALUES ('a', 0), ('b', 0)`)
	var holding sync.WaitGroup
	holding.Add(2)
	var runs [2]int
	tx := func(i int, first, second string) error {
		var once sync.Once
		return storage.InTx(context.Background(), db, func(tx *gorm.DB) error {
			runs[i]++
			if err := tx.Exec(`UPDATE pair SET n = n + 1 WHERE k = ?`, first).Error; err != nil {
				return err
			}
			once.Do(func() { holding.Done(); holding.Wait() }) // both hold their first row
			return tx.Exec(`UPDATE pair SET n = n + 1 WHERE k = ?`, second).Error
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- tx(0, "a", "b") }()
	go func() { errs <- tx(1, "b", "a") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a transaction failed: %v", err)
		}
	}
	var total int64
	if storagetest.Scan(t, db, &total, `SELECT SUM(n) FROM pair`); total != 4 {
		t.Fatalf("%d updates committed, want 4", total)
	}
	if runs[0]+runs[1] != 3 {
		t.Fatalf("transactions ran %v times, want one of them twice", runs)
	}
}
