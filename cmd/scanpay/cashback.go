package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

// cashbackCommand runs the operator's side of cashback: releasing what is
// due, and the platform-funded campaigns.
func cashbackCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) >= 1 && args[0] == "release":
		return cashbackRelease(ctx, args[1:], stdout, stderr)
	case len(args) >= 2 && args[0] == "campaign" && args[1] == "create":
		return cashbackCampaignCreate(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "campaign" && args[1] == "list":
		return cashbackCampaignList(ctx, args[2:], stdout, stderr)
	case len(args) >= 2 && args[0] == "campaign" && campaignStatuses[args[1]] != "":
		return cashbackCampaignStatus(ctx, args[1], args[2:], stdout, stderr)
	}
	fmt.Fprint(stderr, "usage: scanpay cashback release | campaign create | campaign list | campaign pause|resume|end  (scanpay help)\n")
	return errUsage
}

func cashbackRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var at string
	fs := newFlagSet("cashback release", stderr)
	fs.StringVar(&at, "at", "", "credit every cashback whose hold has passed by this RFC 3339 time (default now)")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		when := scanpay.Now()
		if at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return fmt.Errorf("--at %q is not an RFC 3339 time, like 2026-12-01T00:00:00Z", at)
			}
			when = t.UTC()
		}
		n, err := svc.ReleaseCashback(ctx, when)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "credited %d cashbacks due by %s\n", n, when.Format(time.RFC3339))
		return nil
	})
}

func cashbackCampaignCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var p checkout.CashbackCampaignParams
	var funding string
	var live, asJSON bool
	var rate, maxPerPayment, maxPerWallet, minSpend, budget, holdDays optionalInt64
	var startsAt, endsAt optionalString
	fs := newFlagSet("cashback campaign create", stderr)
	fs.StringVar(&funding, "funding", "", "who pays the cashback: platform (merchants create their own campaigns through the API)")
	fs.StringVar(&p.Name, "name", "", "campaign name, shown to payers (required)")
	fs.StringVar(&p.Currency, "currency", "CNY", "ISO 4217 currency of the amounts")
	fs.Var(&rate, "rate-bps", "cashback in basis points of what the payer paid (100 = 1%) (required)")
	fs.Var(&maxPerPayment, "max-per-payment", "largest cashback of one payment, in minor units")
	fs.Var(&maxPerWallet, "max-per-wallet", "most one wallet may get over the campaign, in minor units")
	fs.Var(&minSpend, "min-spend", "smallest payment that earns cashback, in minor units")
	fs.Var(&budget, "budget-amount", "total cashback the campaign may give, in minor units (required)")
	fs.Var(&holdDays, "hold-days", "days a cashback is held before it is credited, 0 to 90 (default 7)")
	fs.Var(&startsAt, "starts-at", "RFC 3339 time the campaign begins")
	fs.Var(&endsAt, "ends-at", "RFC 3339 time the campaign ends")
	fs.BoolVar(&live, "live", false, "a live-mode campaign (default test mode)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		if funding != checkout.FundingPlatform {
			fmt.Fprintln(stderr, "--funding platform is required: merchant-funded campaigns are created through POST /v1/cashback_campaigns")
			return errUsage
		}
		p.RateBPS, p.HoldDays = intOf(rate.v), intOf(holdDays.v)
		p.MaxPerPayment, p.MaxPerWallet, p.MinSpend, p.BudgetAmount = maxPerPayment.v, maxPerWallet.v, minSpend.v, budget.v
		p.StartsAt, p.EndsAt = startsAt.v, endsAt.v
		c, err := svc.CreatePlatformCashbackCampaign(ctx, live, p)
		if err != nil {
			return flagError(fs, err)
		}
		return printCashbackCampaigns(stdout, asJSON, []checkout.CashbackCampaign{c})
	})
}

func cashbackCampaignList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var live, asJSON bool
	fs := newFlagSet("cashback campaign list", stderr)
	fs.BoolVar(&live, "live", false, "live-mode campaigns (default test mode)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		campaigns, _, err := svc.ListCashbackCampaigns(ctx, nil, live, 100, "")
		if err != nil {
			return err
		}
		return printCashbackCampaigns(stdout, asJSON, campaigns)
	})
}

func cashbackCampaignStatus(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	set := func(svc *checkout.Service, id, status string) (checkout.CashbackCampaign, error) {
		return svc.SetCashbackCampaignStatus(ctx, nil, id, status)
	}
	return setCampaignStatus(ctx, "cashback campaign", verb, args, stdout, stderr, set, printCashbackCampaigns)
}

func printCashbackCampaigns(w io.Writer, asJSON bool, campaigns []checkout.CashbackCampaign) error {
	if asJSON {
		return printJSONLines(w, campaigns)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tRATE\tHOLD\tPENDING\tCREDITED\tREVERSED\tBUDGET LEFT")
	for _, c := range campaigns {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d bps\t%d days\t%d\t%d\t%d\t%d %s\n", c.ID, c.Name, c.Status, c.RateBPS, c.HoldDays,
			c.AmountPending, c.AmountCredited, c.AmountReversed, c.BudgetLeft, c.Currency)
	}
	return tw.Flush()
}
