package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/settlement"
	"gorm.io/gorm"
)

// settlementConfig is the settlement service's keys, derived from the
// master key: every gateway process and the command line sign reports
// with the same key and open the same sealed bank account numbers.
func settlementConfig(master []byte) settlement.Config {
	return settlement.Config{
		SigningKey:     ed25519.NewKeyFromSeed(deriveKey(master, "report signing")),
		BankAccountKey: deriveKey(master, "bank accounts"),
	}
}

// settle runs, once, what serve runs on a timer: every settlement and
// automatic payout due as of a day, and one step of the bank for every
// payout. Running it again does nothing new.
func settle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	var asOf string
	fs := newFlagSet("settle", stderr)
	fs.StringVar(&asOf, "as-of", "", "settle as of this business day, YYYY-MM-DD (default today in each merchant's time zone)")
	cfg.baseURLFlag(fs)
	cfg.secretKeyFlag(fs)
	return withDatabase(ctx, fs, args, true, func(db *gorm.DB) error {
		var day time.Time
		if asOf != "" {
			var err error
			if day, err = settlement.ParseDay("as_of", asOf); err != nil {
				return flagError(fs, err)
			}
		}
		master, err := masterKey(cfg.SecretKey, cfg.SecretKeyFile)
		if err != nil {
			return err
		}
		sc := settlementConfig(master)
		sc.ReportURL = gateway.ReportURL(cfg.baseURL(env("SCANPAY_ADDR", ":8080")))
		svc, err := settlement.NewService(db, scanpay.Now, sc, merchant.NewService(db, scanpay.Now))
		if err != nil {
			return err
		}
		settled, settleErr := svc.SettleDue(ctx, day)
		for _, st := range settled {
			fmt.Fprintf(stdout, "settled  %s  %s %s %s  %d lines, net %d\n", st.ID, st.Date, st.Currency, st.Timezone, st.Count, st.Net)
		}
		payouts, payoutErr := svc.PayOutDue(ctx, day)
		for _, p := range payouts {
			fmt.Fprintf(stdout, "payout   %s  %d %s to %s (automatic)\n", p.ID, p.Amount, p.Currency, p.BankAccount)
		}
		advanced, bankErr := svc.AdvancePayouts(ctx)
		fmt.Fprintf(stdout, "%d settlements, %d automatic payouts, %d payouts moved on by the bank\n", len(settled), len(payouts), advanced)
		return errors.Join(settleErr, payoutErr, bankErr)
	})
}
