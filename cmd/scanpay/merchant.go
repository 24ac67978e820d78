package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"gorm.io/gorm"
)

func merchantCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) >= 1 && args[0] == "create":
		return merchantCreate(ctx, args[1:], stdout, stderr)
	case len(args) >= 2 && args[0] == "key" && args[1] == "create":
		return keyCreate(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "key" && args[1] == "list":
		return keyList(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "key" && args[1] == "revoke":
		return keyRevoke(ctx, args[2:], stdout, stderr)
	}
	fmt.Fprint(stderr, "usage: scanpay merchant create | key create | key list | key revoke  (scanpay help)\n")
	return errUsage
}

// withMerchants adds --db to fs, parses args, and runs f with a merchant
// service on that database (see withDatabase for mustExist).
func withMerchants(ctx context.Context, fs *flag.FlagSet, args []string, mustExist bool, f func(*merchant.Service) error) error {
	return withDatabase(ctx, fs, args, mustExist, func(db *gorm.DB) error {
		return f(merchant.NewService(db, scanpay.Now))
	})
}

func merchantCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var p merchant.CreateParams
	var asJSON bool
	fs := newFlagSet("merchant create", stderr)
	fs.StringVar(&p.Name, "name", "", "merchant name, shown to payers (required)")
	fs.StringVar(&p.NameLatin, "name-latin", "", "the name in printable ASCII, at most 25 characters, for EMVCo QR codes; default: transliterated from --name")
	fs.StringVar(&p.Country, "country", "CN", "ISO 3166 country code, for EMVCo QR codes")
	fs.StringVar(&p.City, "city", "Shanghai", "city, for EMVCo QR codes")
	fs.StringVar(&p.CityLatin, "city-latin", "", "the city in printable ASCII, at most 15 characters, for EMVCo QR codes; default: transliterated from --city")
	fs.StringVar(&p.MCC, "mcc", "5999", "merchant category code, for EMVCo QR codes")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withMerchants(ctx, fs, args, false, func(svc *merchant.Service) error {
		m, secret, err := svc.Create(ctx, p)
		if err != nil {
			return flagError(fs, err)
		}
		if asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"merchant": m, "secret_key": secret})
		}
		fmt.Fprintf(stdout, "merchant   %s  %s\nin Latin   %s, %s (EMVCo QR codes; --name-latin and --city-latin change it)\nsecret key %s\n\nThe key is shown only this once; keep it safe.\n",
			m.ID, m.Name, m.NameLatin, m.CityLatin, secret)
		return nil
	})
}

func keyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var merchantID string
	var live, asJSON bool
	fs := newFlagSet("merchant key create", stderr)
	fs.StringVar(&merchantID, "merchant", "", "merchant id (required)")
	fs.BoolVar(&live, "live", false, "issue a live-mode key (sk_live_) instead of a test one")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withMerchants(ctx, fs, args, true, func(svc *merchant.Service) error {
		key, secret, err := svc.CreateKey(ctx, merchantID, live)
		if err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"key": key, "secret_key": secret})
		}
		fmt.Fprintf(stdout, "key        %s\nsecret key %s\n\nThe key is shown only this once; keep it safe.\n", key.ID, secret)
		return nil
	})
}

func keyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var merchantID string
	fs := newFlagSet("merchant key list", stderr)
	fs.StringVar(&merchantID, "merchant", "", "merchant id (required)")
	return withMerchants(ctx, fs, args, true, func(svc *merchant.Service) error {
		if _, err := svc.Get(ctx, merchantID); err != nil {
			return err
		}
		keys, err := svc.ListKeys(ctx, merchantID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKEY\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Redacted, k.CreatedAt.Format("2006-01-02 15:04:05"), revoked)
		}
		return tw.Flush()
	})
}

func keyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var keyID string
	fs := newFlagSet("merchant key revoke", stderr)
	fs.StringVar(&keyID, "key", "", "key id, key_... (required)")
	return withMerchants(ctx, fs, args, true, func(svc *merchant.Service) error {
		key, err := svc.RevokeKey(ctx, keyID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s (%s)\n", key.ID, key.Redacted)
		return nil
	})
}
