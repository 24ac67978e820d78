package main

import (
	"fmt"
	"io"
	"os"

	"github.com/scanpay/scanpay/settlement"
)

// reportCommand checks a downloaded reconciliation report offline.
func reportCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "usage: scanpay report verify FILE --sha256 HEX --signature B64 --public-key B64\n")
		return errUsage
	}
	var digest, signature, public string
	fs := newFlagSet("report verify", stderr)
	fs.StringVar(&digest, "sha256", "", "the settlement's report.sha256 (hex)")
	fs.StringVar(&signature, "signature", "", "the settlement's report.signature (base64)")
	fs.StringVar(&public, "public-key", "", "the signing key's public_key from GET /v1/signing_keys (base64)")
	// The file may come before the flags or after them.
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "report verify: name the report file")
		return errUsage
	}
	file := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"sha256", digest}, {"signature", signature}, {"public-key", public}} {
		if f.v == "" {
			return fmt.Errorf("--%s is required", f.name)
		}
	}
	key, err := settlement.ParsePublicKey(public)
	if err != nil {
		return fmt.Errorf("--public-key: %w", err)
	}
	report, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read the report: %w", err)
	}
	if err := settlement.VerifyReport(report, digest, signature, key); err != nil {
		return fmt.Errorf("%s does not verify: %w", file, err)
	}
	fmt.Fprintf(stdout, "ok: %s is the report signed by %s, byte for byte\n", file, settlement.KeyID(key))
	return nil
}
