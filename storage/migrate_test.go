package storage_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
)

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	db, _ := storagetest.Open(t) // already migrated once
	applied, err := storage.Migrate(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %d steps, want 0", len(applied))
	}
	all, _ := storage.Migrations()
	var n int64
	storagetest.Scan(t, db, &n, `SELECT COUNT(*) FROM schema_migrations`)
	if int(n) != len(all) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(all))
	}
}

func TestConcurrentMigratorsApplyEachStepOnce(t *testing.T) {
	url := storagetest.URL(t)
	const migrators = 4
	var wg sync.WaitGroup
	counts := make([]int, migrators)
	errs := make([]error, migrators)
	for i := range migrators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := storage.Open(context.Background(), url, storage.Options{MaxOpenConns: 2})
			if err != nil {
				errs[i] = err
				return
			}
			defer storage.Close(db)
			applied, err := storage.Migrate(context.Background(), db)
			counts[i], errs[i] = len(applied), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range migrators {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	all, _ := storage.Migrations()
	if total != len(all) {
		t.Fatalf("migrators applied %d steps in all, want each of %d exactly once", total, len(all))
	}
}

func TestTimesRoundTripAndCompareInUTC(t *testing.T) {
	db, _ := storagetest.Open(t)
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i, ts := range []time.Time{base, base.Add(500 * time.Millisecond), base.Add(123456 * time.Microsecond), base.Add(time.Second)} {
		if err := db.Exec(`INSERT INTO merchants (id, name, country, city, mcc, created_at) VALUES (?, 'm', 'CN', 'c', '5999', ?)`,
			string(rune('a'+i)), ts).Error; err != nil {
			t.Fatal(err)
		}
	}
	var got time.Time
	if err := db.Raw(`SELECT created_at FROM merchants WHERE id = 'c'`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if !got.Equal(base.Add(123456 * time.Microsecond)) {
		t.Fatalf("read back %v", got)
	}
	var later int64
	storagetest.Scan(t, db, &later, `SELECT COUNT(*) FROM merchants WHERE created_at > ?`, base.Add(100*time.Millisecond))
	if later != 3 {
		t.Fatalf("%d rows after base+100ms, want 3 (time comparison must be chronological)", later)
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	if _, err := storage.Open(context.Background(), "mysql://u:secret@h/db", storage.Options{}); err == nil {
		t.Fatal("mysql url accepted")
	} else if got := err.Error(); strings.Contains(got, "secret") {
		t.Fatalf("error shows the password: %s", got)
	}
}
