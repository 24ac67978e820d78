package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage"
)

// errLedgerBroken makes ledger verify exit non-zero after listing what it
// found.
var errLedgerBroken = errors.New("the ledger breaks its invariants")

func ledgerCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "usage: scanpay ledger verify [--db URL]\n")
		return errUsage
	}
	var cfg Config
	fs := newFlagSet("ledger verify", stderr)
	cfg.databaseFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, storage.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer storage.Close(db)
	report, err := ledger.Verify(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checked %d transactions, %d entries, %d accounts\n", report.Transactions, report.Entries, report.Accounts)
	if report.OK() {
		fmt.Fprintln(stdout, "ok: every transaction balances, every balance equals its entries, none is negative where forbidden")
		return nil
	}
	for _, p := range report.Problems {
		fmt.Fprintln(stdout, "BROKEN:", p)
	}
	return fmt.Errorf("%w: %d problems", errLedgerBroken, len(report.Problems))
}
