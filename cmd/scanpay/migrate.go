package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := newFlagSet("migrate", stderr)
	cfg.databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := storage.Open(ctx, cfg.DatabaseURL, storage.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer storage.Close(db)
	applied, err := storage.Migrate(ctx, db)
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	return nil
}

// withDatabase adds --db to fs, parses args, and runs f on that database,
// brought up to date first: the commands an operator runs by hand. With
// mustExist, for commands that only use data already there, a database
// that does not exist is an error, not a new empty one.
func withDatabase(ctx context.Context, fs *flag.FlagSet, args []string, mustExist bool, f func(*gorm.DB) error) error {
	var cfg Config
	cfg.databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if mustExist {
		if err := requireDatabase(cfg.DatabaseURL); err != nil {
			return err
		}
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, storage.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer storage.Close(db)
	return f(db)
}

// openMigrated opens the database and brings its schema up to date, so the
// embedded default works on first use whichever command runs first.
func openMigrated(ctx context.Context, url string, opts storage.Options) (*gorm.DB, error) {
	db, err := storage.Open(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if _, err := storage.Migrate(ctx, db); err != nil {
		storage.Close(db)
		return nil, err
	}
	return db, nil
}
