package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// tableRecorder records each result into a table of the test's, as the
// gateway's key records do, refusing when the key is there already.
type tableRecorder struct {
	key      string
	fail     error
	recorded *bool
}

func (r tableRecorder) Record(result any) (storage.Write, error) {
	if r.fail != nil {
		return storage.Write{}, r.fail
	}
	return storage.Write{SQL: `INSERT INTO recorded (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING`, Args: []any{r.key, result}}, nil
}

func (r tableRecorder) Recorded(rows int64) error {
	if rows == 0 {
		return errTaken
	}
	*r.recorded = true
	return nil
}

var errTaken = errors.New("key taken")

func setUp(t *testing.T) (*gorm.DB, func(string) int64) {
	db, _ := storagetest.Open(t)
	storagetest.Exec(t, db, `CREATE TABLE effects (v TEXT PRIMARY KEY)`)
	storagetest.Exec(t, db, `CREATE TABLE recorded (k TEXT PRIMARY KEY, v TEXT NOT NULL)`)
	return db, func(table string) int64 {
		var n int64
		storagetest.Scan(t, db, &n, `SELECT COUNT(*) FROM `+table)
		return n
	}
}

// effect defers the insert of each of vs and returns the last.
func effect(err error, vs ...string) func(tx *gorm.DB) (string, error) {
	return func(tx *gorm.DB) (string, error) {
		for _, v := range vs {
			if e := storage.Defer(tx, storage.Write{SQL: `INSERT INTO effects (v) VALUES (?)`, Args: []any{v}}); e != nil {
				return "", e
			}
		}
		return vs[len(vs)-1], err
	}
}

func TestTransactRecordsWithTheEffectOrNotAtAll(t *testing.T) {
	db, count := setUp(t)
	ctx := context.Background()

	// Without a recorder it is a plain transaction.
	if v, err := storage.Transact(ctx, db, effect(nil, "a")); err != nil || v != "a" {
		t.Fatalf("Transact = %q, %v", v, err)
	}
	// With one, the result is recorded beside the effect.
	var recorded bool
	if v, err := storage.Transact(storage.WithRecorder(ctx, tableRecorder{key: "k1", recorded: &recorded}), db, effect(nil, "b", "c")); err != nil || v != "c" || !recorded {
		t.Fatalf("Transact = %q, %v, recorded %t", v, err, recorded)
	}
	if count("effects") != 3 || count("recorded") != 1 {
		t.Fatalf("%d effects, %d records; want 3 and 1", count("effects"), count("recorded"))
	}
	// A failing effect records nothing; a failing or refused record keeps
	// no effect.
	boom := errors.New("boom")
	if _, err := storage.Transact(storage.WithRecorder(ctx, tableRecorder{key: "k2", recorded: new(bool)}), db, effect(boom, "d")); !errors.Is(err, boom) {
		t.Fatalf("failing effect: %v", err)
	}
	if _, err := storage.Transact(storage.WithRecorder(ctx, tableRecorder{key: "k3", fail: boom, recorded: new(bool)}), db, effect(nil, "e")); !errors.Is(err, boom) {
		t.Fatalf("failing record: %v", err)
	}
	if _, err := storage.Transact(storage.WithRecorder(ctx, tableRecorder{key: "k1", recorded: new(bool)}), db, effect(nil, "f", "g")); !errors.Is(err, errTaken) {
		t.Fatalf("a taken key: %v", err)
	}
	if count("effects") != 3 || count("recorded") != 1 {
		t.Fatalf("after the failures: %d effects, %d records; want 3 and 1", count("effects"), count("recorded"))
	}
}

// TestDeferredWritesAreOneRoundTrip: however many writes a use case defers,
// PostgreSQL receives them with the record as one statement; SQLite, which
// has no round trips, one each. A failing write is named by its Classify
// and takes every other write with it.
func TestDeferredWritesAreOneRoundTrip(t *testing.T) {
	db, count := setUp(t)
	statements := storagetest.CountStatements(t, db)
	var recorded bool
	ctx := storage.WithRecorder(context.Background(), tableRecorder{key: "k", recorded: &recorded})
	if _, err := storage.Transact(ctx, db, effect(nil, "a", "b", "c", "d")); err != nil {
		t.Fatal(err)
	}
	// On PostgreSQL the one statement is its own transaction: a use case
	// that reads nothing needs no BEGIN and no COMMIT.
	wantInTx, wantOutside := int64(5), int64(0)
	if storage.DialectOf(db) == storage.Postgres {
		wantInTx, wantOutside = 0, 1
	}
	if in, out := statements.InTx.Load(), statements.Outside.Load(); in != wantInTx || out != wantOutside || count("effects") != 4 || !recorded {
		t.Fatalf("%d statements in a transaction and %d outside for 4 writes and a record, want %d and %d; %d effects",
			in, out, wantInTx, wantOutside, count("effects"))
	}

	duplicate := errors.New("a duplicate")
	_, err := storage.Transact(context.Background(), db, func(tx *gorm.DB) (string, error) {
		for _, v := range []string{"x", "a", "y"} {
			w := storage.Write{SQL: `INSERT INTO effects (v) VALUES (?)`, Args: []any{v}, Classify: func(err error) error {
				if storage.IsUniqueViolationOn(err, "effects") {
					return duplicate
				}
				return nil
			}}
			if err := storage.Defer(tx, w); err != nil {
				return "", err
			}
		}
		return "", nil
	})
	if !errors.Is(err, duplicate) {
		t.Fatalf("err = %v, want the write's own name for it", err)
	}
	if count("effects") != 4 {
		t.Fatalf("%d effects: a failed batch left some", count("effects"))
	}

	// Flush sends what is queued at once, so the use case learns its fate.
	_, err = storage.Transact(context.Background(), db, func(tx *gorm.DB) (string, error) {
		if err := storage.Defer(tx, storage.Write{SQL: `INSERT INTO effects (v) VALUES (?)`, Args: []any{"z"}}); err != nil {
			return "", err
		}
		if err := storage.Flush(tx); err != nil {
			return "", err
		}
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM effects WHERE v = 'z'`).Scan(&n).Error; err != nil || n != 1 {
			t.Errorf("after Flush the write is visible: %d, %v", n, err)
		}
		return "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAUseCasesStatementsRunInItsTransaction: on PostgreSQL the
// transaction begins with the use case's first statement; whatever it
// sends, reads or writes, nested transactions too, is undone with the
// transaction when the use case fails.
func TestAUseCasesStatementsRunInItsTransaction(t *testing.T) {
	db, count := setUp(t)
	boom := errors.New("boom")
	_, err := storage.Transact(context.Background(), db, func(tx *gorm.DB) (string, error) {
		if err := tx.Exec(`INSERT INTO effects (v) VALUES ('sent')`).Error; err != nil {
			return "", err
		}
		err := storage.InTx(context.Background(), tx, func(nested *gorm.DB) error {
			return nested.Exec(`INSERT INTO effects (v) VALUES ('nested')`).Error
		})
		if err != nil {
			return "", err
		}
		if err := storage.Defer(tx, storage.Write{SQL: `INSERT INTO effects (v) VALUES ('deferred')`}); err != nil {
			return "", err
		}
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM effects`).Scan(&n).Error; err != nil || n != 2 {
			t.Errorf("the use case sees its own writes: %d, %v", n, err)
		}
		return "", boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the use case's", err)
	}
	if n := count("effects"); n != 0 {
		t.Fatalf("%d effects of a failed use case were kept", n)
	}
}

// TestAGuardedWriteThatChangesNothingKeepsNothing: a compare-and-set that
// loses, deferred with other writes, takes them with it, whether the
// writes went alone (PostgreSQL's single statement, which then runs again
// in a transaction to let the Expect judge) or in a transaction.
func TestAGuardedWriteThatChangesNothingKeepsNothing(t *testing.T) {
	db, count := setUp(t)
	lost := errors.New("lost")
	var seen []int64
	cas := storage.Write{SQL: `UPDATE effects SET v = 'won' WHERE v = 'pending'`, Expect: func(rows int64) error {
		seen = append(seen, rows)
		if rows == 0 {
			return lost
		}
		return nil
	}}
	run := func() error {
		_, err := storage.Transact(context.Background(), db, func(tx *gorm.DB) (string, error) {
			for _, w := range []storage.Write{cas, {SQL: `INSERT INTO effects (v) VALUES ('follows')`}} {
				if err := storage.Defer(tx, w); err != nil {
					return "", err
				}
			}
			return "", nil
		})
		return err
	}
	if err := run(); !errors.Is(err, lost) {
		t.Fatalf("err = %v, want the Expect's", err)
	}
	if n := count("effects"); n != 0 || len(seen) != 1 || seen[0] != 0 {
		t.Fatalf("a lost compare-and-set kept %d effects; Expect saw %v, want [0]", n, seen)
	}
	storagetest.Exec(t, db, `INSERT INTO effects (v) VALUES ('pending')`)
	seen = nil
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if n := count("effects"); n != 2 || len(seen) != 1 || seen[0] != 1 {
		t.Fatalf("a won compare-and-set: %d effects, Expect saw %v; want 2 and [1]", n, seen)
	}
}

// TestCommitInsideATransactionLeavesItUsable: Commit given a handle inside
// a transaction sends its writes there, unguarded, so a lost
// compare-and-set reaches its Expect instead of aborting the transaction.
func TestCommitInsideATransactionLeavesItUsable(t *testing.T) {
	db, _ := setUp(t)
	lost := errors.New("lost")
	cas := storage.Write{SQL: `UPDATE effects SET v = 'won' WHERE v = 'pending'`, Expect: func(rows int64) error {
		if rows == 0 {
			return lost
		}
		return nil
	}}
	ctx := context.Background()
	err := storage.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := storage.Commit(ctx, tx, cas, storage.Write{SQL: `INSERT INTO effects (v) VALUES ('a')`}); !errors.Is(err, lost) {
			t.Errorf("Commit in a transaction: %v, want the Expect's error", err)
		}
		return tx.Exec(`INSERT INTO effects (v) VALUES ('after')`).Error
	})
	if err != nil {
		t.Fatalf("the transaction after a lost compare-and-set: %v", err)
	}
	var after int64
	storagetest.Scan(t, db, &after, `SELECT COUNT(*) FROM effects WHERE v = 'after'`)
	if after != 1 {
		t.Fatalf("the transaction's own write after Commit was not kept")
	}
}
