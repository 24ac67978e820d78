package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// tableRecorder writes each result into a table of the test's, through
// the transaction it is given, as the gateway's key records do.
type tableRecorder struct {
	fail error
}

func (r tableRecorder) Record(tx *gorm.DB, result any) error {
	if r.fail != nil {
		return r.fail
	}
	return tx.Exec(`INSERT INTO recorded (v) VALUES (?)`, result).Error
}

func TestTransactRecordsWithTheEffectOrNotAtAll(t *testing.T) {
	db, _ := storagetest.Open(t)
	storagetest.Exec(t, db, `CREATE TABLE effects (v TEXT NOT NULL)`)
	storagetest.Exec(t, db, `CREATE TABLE recorded (v TEXT NOT NULL)`)
	effect := func(v string, err error) func(tx *gorm.DB) (string, error) {
		return func(tx *gorm.DB) (string, error) {
			if e := tx.Exec(`INSERT INTO effects (v) VALUES (?)`, v).Error; e != nil {
				return "", e
			}
			return v, err
		}
	}
	count := func(table string) int64 {
		var n int64
		storagetest.Scan(t, db, &n, `SELECT COUNT(*) FROM `+table)
		return n
	}
	ctx := context.Background()

	// Without a recorder it is a plain transaction.
	if v, err := storage.Transact(ctx, db, effect("a", nil)); err != nil || v != "a" {
		t.Fatalf("Transact = %q, %v", v, err)
	}
	// With one, the result is recorded beside the effect.
	recording := storage.WithRecorder(ctx, tableRecorder{})
	if v, err := storage.Transact(recording, db, effect("b", nil)); err != nil || v != "b" {
		t.Fatalf("Transact = %q, %v", v, err)
	}
	if count("effects") != 2 || count("recorded") != 1 {
		t.Fatalf("%d effects, %d records; want 2 and 1", count("effects"), count("recorded"))
	}
	// A failing effect records nothing; a failing record keeps no effect.
	boom := errors.New("boom")
	if v, err := storage.Transact(recording, db, effect("c", boom)); !errors.Is(err, boom) || v != "" {
		t.Fatalf("failing effect: %q, %v", v, err)
	}
	taken := errors.New("key taken")
	if v, err := storage.Transact(storage.WithRecorder(ctx, tableRecorder{fail: taken}), db, effect("d", nil)); !errors.Is(err, taken) || v != "" {
		t.Fatalf("failing record: %q, %v", v, err)
	}
	if count("effects") != 2 || count("recorded") != 1 {
		t.Fatalf("after the failures: %d effects, %d records; want 2 and 1", count("effects"), count("recorded"))
	}
}
