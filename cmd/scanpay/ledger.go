package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/settlement"
	"gorm.io/gorm"
)

// errLedgerBroken makes ledger verify exit non-zero after listing what it
// found.
var errLedgerBroken = errors.New("the ledger breaks its invariants")

func ledgerCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "usage: scanpay ledger verify [--db URL]\n")
		return errUsage
	}
	var report ledger.Report
	err := withDatabase(ctx, newFlagSet("ledger verify", stderr), args[1:], true, func(db *gorm.DB) (err error) {
		report, err = ledger.Verify(ctx, db, append(checkout.LedgerChecks(), settlement.LedgerChecks()...)...)
		return err
	})
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
