// Command scanpay runs the Scanpay gateway and its operator tools:
// serve, migrate, merchant, ledger, demo and loadtest.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/scanpay/scanpay"
)

const usage = `scanpay: a merchant payment gateway with QR checkout

Usage:
  scanpay serve [--addr :8080] [--db URL] [--base-url URL] [--webhook-allow-private] [--pprof-addr ADDR]
  scanpay migrate [--db URL]
  scanpay merchant create --name NAME [--country CN] [--city CITY] [--mcc 5999] [--db URL] [--json]
  scanpay merchant key create --merchant ID [--live] [--db URL] [--json]
  scanpay merchant key list --merchant ID [--db URL]
  scanpay merchant key revoke --key ID [--db URL]
  scanpay ledger verify [--db URL]
  scanpay demo [--gateway http://localhost:8080] [--db URL]
  scanpay loadtest --gateway URL[,URL] --key KEY [--clients 16] [--duration 30s] [--rate R] [--json]

--db takes sqlite://PATH (or a plain path) or postgres://...; the default is
sqlite://scanpay.db. Every flag can also come from SCANPAY_* variables; see
README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process around it, so tests can drive the real
// command line. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "merchant":
		err = merchantCommand(ctx, args[1:], stdout, stderr)
	case "ledger":
		err = ledgerCommand(ctx, args[1:], stdout, stderr)
	case "demo":
		err = demo(ctx, args[1:], stdout, stderr)
	case "loadtest":
		err = loadtest(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "scanpay: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if e, ok := scanpay.ErrorOf(err); ok {
			fmt.Fprintln(stderr, "scanpay:", e.Message)
		} else if err != errUsage {
			fmt.Fprintln(stderr, "scanpay:", err)
		}
		return exitCode(err)
	}
	return 0
}
