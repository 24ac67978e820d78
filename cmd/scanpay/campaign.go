package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
	"gorm.io/gorm"
)

// campaignCommand runs the operator's platform-funded coupon campaigns;
// merchants run their own through the API.
func campaignCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) >= 1 {
		switch args[0] {
		case "create":
			return campaignCreate(ctx, args[1:], stdout, stderr)
		case "list":
			return campaignList(ctx, args[1:], stdout, stderr)
		}
		if _, ok := campaignStatuses[args[0]]; ok {
			return campaignStatus(ctx, args[0], args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, "usage: scanpay campaign create | list | pause | resume | end  (scanpay help)\n")
	return errUsage
}

// withCampaigns adds --db to fs, parses args, and runs f with a checkout
// service that manages campaigns (it touches no wallet).
func withCampaigns(ctx context.Context, fs *flag.FlagSet, args []string, f func(*checkout.Service) error) error {
	return withDatabase(ctx, fs, args, true, func(db *gorm.DB) error {
		return f(checkout.NewService(db, scanpay.Now, checkout.Config{}, merchant.NewService(db, scanpay.Now), nil))
	})
}

// optionalInt64 is a flag that tells "not given" from zero.
type optionalInt64 struct{ v *int64 }

func (o *optionalInt64) String() string {
	if o.v == nil {
		return ""
	}
	return fmt.Sprint(*o.v)
}

func (o *optionalInt64) Set(s string) error {
	var v int64
	if _, err := fmt.Sscan(s, &v); err != nil {
		return fmt.Errorf("%q is not an integer", s)
	}
	o.v = &v
	return nil
}

// optionalString is a flag that tells "not given" from empty.
type optionalString struct{ v *string }

func (o *optionalString) String() string {
	if o.v == nil {
		return ""
	}
	return *o.v
}

func (o *optionalString) Set(s string) error { o.v = &s; return nil }

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func campaignCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var p checkout.CampaignParams
	var funding string
	var live, asJSON bool
	var merchants listFlag
	var amountOff, percentOff, maxDiscount, minSpend, maxCoupons, maxAmount, maxPerWallet, validDays optionalInt64
	var startsAt, endsAt optionalString
	fs := newFlagSet("campaign create", stderr)
	fs.StringVar(&funding, "funding", "", "who pays the discounts: platform (merchants create their own campaigns through the API)")
	fs.StringVar(&p.Name, "name", "", "campaign name, shown to payers (required)")
	fs.StringVar(&p.Currency, "currency", "CNY", "ISO 4217 currency of the amounts")
	fs.Var(&amountOff, "amount-off", "discount in minor units")
	fs.Var(&percentOff, "percent-off-bps", "discount in basis points of the price (1000 = 10%)")
	fs.Var(&maxDiscount, "max-discount", "largest discount of a percentage coupon, in minor units")
	fs.Var(&minSpend, "min-spend", "smallest order price a coupon applies to, in minor units")
	fs.Var(&maxCoupons, "max-coupons", "budget: how many coupons may be redeemed")
	fs.Var(&maxAmount, "max-amount", "budget: total discount, in minor units")
	fs.Var(&maxPerWallet, "max-per-wallet", "coupons one wallet may hold (default 1)")
	fs.Var(&validDays, "coupon-valid-days", "days a coupon stays valid once issued (default 30)")
	fs.Var(&startsAt, "starts-at", "RFC 3339 time redemptions begin")
	fs.Var(&endsAt, "ends-at", "RFC 3339 time the campaign ends")
	fs.BoolVar(&p.Claimable, "claimable", false, "payers may claim coupons themselves")
	fs.Var(&merchants, "merchant", "limit the campaign to this merchant (repeat for several; default: every merchant)")
	fs.BoolVar(&live, "live", false, "a live-mode campaign (default test mode)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		if funding != checkout.FundingPlatform {
			fmt.Fprintln(stderr, "--funding platform is required: merchant-funded campaigns are created through POST /v1/coupon_campaigns")
			return errUsage
		}
		p.AmountOff, p.MaxDiscount, p.MinSpend, p.MaxCoupons, p.MaxAmount = amountOff.v, maxDiscount.v, minSpend.v, maxCoupons.v, maxAmount.v
		p.PercentOffBPS, p.MaxPerWallet, p.CouponValidDays = intOf(percentOff.v), intOf(maxPerWallet.v), intOf(validDays.v)
		p.StartsAt, p.EndsAt = startsAt.v, endsAt.v
		c, err := svc.CreatePlatformCampaign(ctx, live, p, merchants)
		if err != nil {
			return flagError(fs, err)
		}
		return printCampaigns(stdout, asJSON, []checkout.CouponCampaign{c})
	})
}

func intOf(v *int64) *int {
	if v == nil {
		return nil
	}
	i := int(*v)
	return &i
}

func campaignList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var live, asJSON bool
	fs := newFlagSet("campaign list", stderr)
	fs.BoolVar(&live, "live", false, "live-mode campaigns (default test mode)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		campaigns, err := svc.ListPlatformCampaigns(ctx, live)
		if err != nil {
			return err
		}
		return printCampaigns(stdout, asJSON, campaigns)
	})
}

func campaignStatus(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	set := func(svc *checkout.Service, id, status string) (checkout.CouponCampaign, error) {
		return svc.SetCampaignStatus(ctx, nil, id, status)
	}
	return setCampaignStatus(ctx, "campaign", verb, args, stdout, stderr, set, printCampaigns)
}

// campaignStatuses are the verbs that change a campaign's status, coupon
// or cashback.
var campaignStatuses = map[string]string{"pause": checkout.CampaignPaused, "resume": checkout.CampaignActive, "end": checkout.CampaignEnded}

// setCampaignStatus runs `scanpay COMMAND pause|resume|end --campaign ID`
// for coupon and cashback campaigns alike: set changes the platform
// campaign's status, show prints it.
func setCampaignStatus[T any](ctx context.Context, command, verb string, args []string, stdout, stderr io.Writer,
	set func(svc *checkout.Service, id, status string) (T, error), show func(io.Writer, bool, []T) error) error {
	var id string
	var asJSON bool
	fs := newFlagSet(command+" "+verb, stderr)
	fs.StringVar(&id, "campaign", "", "the platform campaign's id (required)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	return withCampaigns(ctx, fs, args, func(svc *checkout.Service) error {
		if id == "" {
			return flagError(fs, scanpay.Missing("campaign"))
		}
		c, err := set(svc, id, campaignStatuses[verb])
		if err != nil {
			return flagError(fs, err)
		}
		return show(stdout, asJSON, []T{c})
	})
}

// printJSONLines prints each item as a line of JSON.
func printJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	for _, item := range items {
		if err := enc.Encode(item); err != nil {
			return err
		}
	}
	return nil
}

func printCampaigns(w io.Writer, asJSON bool, campaigns []checkout.CouponCampaign) error {
	if asJSON {
		return printJSONLines(w, campaigns)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tDISCOUNT\tREDEEMED\tAMOUNT REDEEMED\tMERCHANTS")
	for _, c := range campaigns {
		discount := fmt.Sprintf("%d %s off", deref(c.AmountOff), c.Currency)
		if c.PercentOffBPS != nil {
			discount = fmt.Sprintf("%d bps off", *c.PercentOffBPS)
		}
		scope := strings.Join(c.Merchants, ",")
		if scope == "" {
			scope = "all"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", c.ID, c.Name, c.Status, discount, c.Redeemed, c.AmountRedeemed, scope)
	}
	return tw.Flush()
}

func deref(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}
