// Command scanpay runs the Scanpay gateway and its operator tools:
// serve, migrate, merchant, ledger, campaign, cashback, settle, report, demo
// and version, the developer's listen and loadtest, and pos, the merchant's
// till.
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
  scanpay merchant create --name NAME [--name-latin NAME] [--country CN] [--city CITY] [--city-latin CITY]
                          [--mcc 5999] [--db URL] [--json]
  scanpay merchant key create --merchant ID [--live] [--db URL] [--json]
  scanpay merchant key list --merchant ID [--db URL]
  scanpay merchant key revoke --key ID [--db URL]
  scanpay ledger verify [--db URL]
  scanpay campaign create --funding platform --name NAME (--amount-off N | --percent-off-bps N)
                          [--currency CNY] [--max-discount N] [--min-spend N] [--max-coupons N] [--max-amount N]
                          [--max-per-wallet N] [--coupon-valid-days N] [--starts-at T] [--ends-at T]
                          [--claimable] [--merchant ID ...] [--live] [--db URL] [--json]
  scanpay campaign list [--live] [--db URL] [--json]
  scanpay campaign pause|resume|end --campaign ID [--db URL] [--json]
  scanpay cashback release [--at TIME] [--db URL]
  scanpay cashback campaign create --funding platform --name NAME --rate-bps N --budget-amount N
                          [--currency CNY] [--max-per-payment N] [--max-per-wallet N] [--min-spend N]
                          [--hold-days 7] [--starts-at T] [--ends-at T] [--live] [--db URL] [--json]
  scanpay cashback campaign list|pause|resume|end [--campaign ID] [--live] [--db URL] [--json]
  scanpay settle [--as-of YYYY-MM-DD] [--db URL] [--base-url URL] [--secret-key-file scanpay.key]
  scanpay report verify FILE --sha256 HEX --signature B64 --public-key B64
  scanpay demo [--gateway http://localhost:8080] [--db URL]
  scanpay listen --key KEY --forward-to URL [--gateway http://localhost:8080]
  scanpay pos --key KEY [--gateway http://localhost:8080] [--amount 12.50] [--currency CNY] [--reference R]
              [--expires-in 900] [--json]
  scanpay loadtest --gateway URL[,URL] --key KEY [--clients 16] [--duration 30s] [--rate R] [--json]
  scanpay version

--db takes sqlite://PATH (or a plain path) or postgres://...; the default is
sqlite://scanpay.db. Every flag can also come from SCANPAY_* variables; see
README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process around it, so tests can drive the real
// command line. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
	case "campaign":
		err = campaignCommand(ctx, args[1:], stdout, stderr)
	case "cashback":
		err = cashbackCommand(ctx, args[1:], stdout, stderr)
	case "settle":
		err = settle(ctx, args[1:], stdout, stderr)
	case "report":
		err = reportCommand(args[1:], stdout, stderr)
	case "demo":
		err = demo(ctx, args[1:], stdout, stderr)
	case "loadtest":
		err = loadtest(ctx, args[1:], stdout, stderr)
	case "listen":
		err = listen(ctx, args[1:], stdout, stderr)
	case "pos":
		err = pos(ctx, args[1:], stdin, stdout, stderr)
	case "version", "--version":
		err = version(stdout)
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
