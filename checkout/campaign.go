package checkout

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Funding says who pays a campaign's discounts.
const (
	FundingMerchant = "merchant"
	FundingPlatform = "platform"
)

// Campaign statuses. Active, paused and ended are set by the owner;
// exhausted is an active campaign whose budget is spent, and a campaign
// past its ends_at reads as ended.
const (
	CampaignActive    = "active"
	CampaignPaused    = "paused"
	CampaignEnded     = "ended"
	CampaignExhausted = "exhausted"
)

// Campaign errors.
var (
	ErrCampaignNotActive = &scanpay.Error{Kind: scanpay.KindConflict, Code: "campaign_not_active", Param: "campaign",
		Message: "the campaign is not active"}
	ErrCouponBudgetExhausted = &scanpay.Error{Kind: scanpay.KindConflict, Code: "coupon_budget_exhausted", Param: "coupon",
		Message: "the campaign's budget is spent"}
)

const (
	maxCampaignNameLen     = 100
	defaultCouponValidDays = 30
	maxCouponValidDays     = 3650
	maxPerWalletLimit      = 1000
)

// CouponCampaign funds discounts: amount off or a percentage off, within a
// budget, for a merchant's payers (funding "merchant") or, run by the
// operator, at every merchant or the named ones (funding "platform").
type CouponCampaign struct {
	ID              string     `json:"id"`
	Object          string     `json:"object"`
	Livemode        bool       `json:"livemode"`
	Funding         string     `json:"funding"`
	Merchants       []string   `json:"merchants,omitempty"`
	Name            string     `json:"name"`
	Currency        string     `json:"currency"`
	AmountOff       *int64     `json:"amount_off"`
	PercentOffBPS   *int       `json:"percent_off_bps"`
	MaxDiscount     *int64     `json:"max_discount"`
	MinSpend        int64      `json:"min_spend"`
	MaxCoupons      *int64     `json:"max_coupons"`
	MaxAmount       *int64     `json:"max_amount"`
	MaxPerWallet    int        `json:"max_per_wallet"`
	Claimable       bool       `json:"claimable"`
	StartsAt        *time.Time `json:"starts_at"`
	EndsAt          *time.Time `json:"ends_at"`
	CouponValidDays int        `json:"coupon_valid_days"`
	Status          string     `json:"status"`
	Issued          int64      `json:"issued"`
	Redeemed        int64      `json:"redeemed"`
	AmountRedeemed  int64      `json:"amount_redeemed"`
	// BudgetLeft is what may still be discounted, when max_amount is set;
	// CouponsLeft how many may still be redeemed, when max_coupons is.
	BudgetLeft  *int64    `json:"budget_left"`
	CouponsLeft *int64    `json:"coupons_left"`
	CreatedAt   time.Time `json:"created_at"`
}

// CampaignParams describe a new campaign. Pointers tell "not given" from
// zero.
type CampaignParams struct {
	Name          string `json:"name"`
	Currency      string `json:"currency"`
	AmountOff     *int64 `json:"amount_off"`
	PercentOffBPS *int   `json:"percent_off_bps"`
	MaxDiscount   *int64 `json:"max_discount"`
	MinSpend      *int64 `json:"min_spend"`
	MaxCoupons    *int64 `json:"max_coupons"`
	MaxAmount     *int64 `json:"max_amount"`
	MaxPerWallet  *int   `json:"max_per_wallet"`
	Claimable     bool   `json:"claimable"`
	// StartsAt and EndsAt are RFC 3339 times.
	StartsAt        *string `json:"starts_at"`
	EndsAt          *string `json:"ends_at"`
	CouponValidDays *int    `json:"coupon_valid_days"`
}

type campaignRow struct {
	ID              string
	MerchantID      *string
	Livemode        bool
	Funding         string
	Name            string
	Currency        string
	AmountOff       *int64
	PercentOffBPS   *int `gorm:"column:percent_off_bps"`
	MaxDiscount     *int64
	MinSpend        int64
	MaxCoupons      *int64
	MaxAmount       *int64
	MaxPerWallet    int
	Claimable       bool
	StartsAt        *time.Time
	EndsAt          *time.Time
	CouponValidDays int
	Status          string
	Issued          int64
	Redeemed        int64
	AmountRedeemed  int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (campaignRow) TableName() string { return "coupon_campaigns" }

type campaignMerchantRow struct {
	CampaignID string
	MerchantID string
}

func (campaignMerchantRow) TableName() string { return "coupon_campaign_merchants" }

// exhausted reports whether the campaign's budget is spent.
func (r campaignRow) exhausted() bool {
	return (r.MaxCoupons != nil && r.Redeemed >= *r.MaxCoupons) || (r.MaxAmount != nil && r.AmountRedeemed >= *r.MaxAmount)
}

// statusAt is the status as the API shows it at now.
func (r campaignRow) statusAt(now time.Time) string {
	switch {
	case r.Status == CampaignEnded || (r.EndsAt != nil && !now.Before(*r.EndsAt)):
		return CampaignEnded
	case r.Status == CampaignPaused:
		return CampaignPaused
	case r.exhausted():
		return CampaignExhausted
	}
	return CampaignActive
}

// running reports whether coupons of the campaign can be redeemed at now.
func (r campaignRow) running(now time.Time) bool {
	return r.statusAt(now) == CampaignActive && (r.StartsAt == nil || !now.Before(*r.StartsAt))
}

func (r campaignRow) toCampaign(now time.Time, merchants []string) CouponCampaign {
	c := CouponCampaign{
		ID: r.ID, Object: "coupon_campaign", Livemode: r.Livemode, Funding: r.Funding, Merchants: merchants,
		Name: r.Name, Currency: r.Currency, AmountOff: r.AmountOff, PercentOffBPS: r.PercentOffBPS,
		MaxDiscount: r.MaxDiscount, MinSpend: r.MinSpend, MaxCoupons: r.MaxCoupons, MaxAmount: r.MaxAmount,
		MaxPerWallet: r.MaxPerWallet, Claimable: r.Claimable, StartsAt: r.StartsAt, EndsAt: r.EndsAt,
		CouponValidDays: r.CouponValidDays, Status: r.statusAt(now), Issued: r.Issued, Redeemed: r.Redeemed,
		AmountRedeemed: r.AmountRedeemed, CreatedAt: r.CreatedAt,
	}
	if r.MaxAmount != nil {
		left := *r.MaxAmount - r.AmountRedeemed
		c.BudgetLeft = &left
	}
	if r.MaxCoupons != nil {
		left := *r.MaxCoupons - r.Redeemed
		c.CouponsLeft = &left
	}
	return c
}

// Discount is what the campaign's coupon takes off a price (see
// campaignRow.Discount).
func (c CouponCampaign) Discount(price int64) int64 {
	return campaignRow{AmountOff: c.AmountOff, PercentOffBPS: c.PercentOffBPS, MaxDiscount: c.MaxDiscount}.Discount(price)
}

// validate checks p against the rules of a campaign and returns its row,
// without id, owner or times. Every refusal is a 400 naming the field.
func (p CampaignParams) validate(maxAmount int64) (campaignRow, error) {
	r := campaignRow{Name: strings.TrimSpace(p.Name), Currency: p.Currency, AmountOff: p.AmountOff,
		PercentOffBPS: p.PercentOffBPS, MaxDiscount: p.MaxDiscount, MaxCoupons: p.MaxCoupons, MaxAmount: p.MaxAmount,
		MaxPerWallet: 1, Claimable: p.Claimable, CouponValidDays: defaultCouponValidDays, Status: CampaignActive}
	if err := checkNameAndCurrency(r.Name, p.Currency); err != nil {
		return r, err
	}
	var err error
	if r.StartsAt, r.EndsAt, err = parseWindow(p.StartsAt, p.EndsAt); err != nil {
		return r, err
	}
	amount := func(param string, v *int64) error {
		if v != nil && (*v <= 0 || *v > maxAmount) {
			return scanpay.Invalid(param, "%s must be a positive amount in the currency's minor unit, at most %d", param, maxAmount)
		}
		return nil
	}
	switch {
	case p.AmountOff == nil && p.PercentOffBPS == nil:
		return r, scanpay.Invalid("amount_off", "give amount_off or percent_off_bps")
	case p.AmountOff != nil && p.PercentOffBPS != nil:
		return r, scanpay.Invalid("percent_off_bps", "give amount_off or percent_off_bps, not both")
	case p.PercentOffBPS != nil && (*p.PercentOffBPS <= 0 || *p.PercentOffBPS > 10000):
		return r, scanpay.Invalid("percent_off_bps", "percent_off_bps must be from 1 to 10000 (100%%)")
	case p.AmountOff != nil && p.MaxDiscount != nil:
		return r, scanpay.Invalid("max_discount", "max_discount caps a percentage off; an amount off is its own cap")
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"amount_off", p.AmountOff}, {"max_discount", p.MaxDiscount}, {"max_amount", p.MaxAmount}} {
		if err := amount(f.name, f.v); err != nil {
			return r, err
		}
	}
	if p.MinSpend != nil {
		if *p.MinSpend < 0 || *p.MinSpend > maxAmount {
			return r, scanpay.Invalid("min_spend", "min_spend must be from 0 to %d", maxAmount)
		}
		r.MinSpend = *p.MinSpend
	}
	if p.MaxCoupons != nil && *p.MaxCoupons <= 0 {
		return r, scanpay.Invalid("max_coupons", "max_coupons must be a positive number of coupons")
	}
	if p.MaxPerWallet != nil {
		if *p.MaxPerWallet <= 0 || *p.MaxPerWallet > maxPerWalletLimit {
			return r, scanpay.Invalid("max_per_wallet", "max_per_wallet must be from 1 to %d", maxPerWalletLimit)
		}
		r.MaxPerWallet = *p.MaxPerWallet
	}
	if p.CouponValidDays != nil {
		if *p.CouponValidDays <= 0 || *p.CouponValidDays > maxCouponValidDays {
			return r, scanpay.Invalid("coupon_valid_days", "coupon_valid_days must be from 1 to %d", maxCouponValidDays)
		}
		r.CouponValidDays = *p.CouponValidDays
	}
	if p.AmountOff != nil && p.MaxAmount != nil && *p.MaxAmount < *p.AmountOff {
		return r, scanpay.Invalid("max_amount", "max_amount is smaller than one coupon's amount_off")
	}
	return r, nil
}

// CreateCampaign starts a merchant-funded campaign for p's merchant.
func (s *Service) CreateCampaign(ctx context.Context, p merchant.Principal, params CampaignParams) (CouponCampaign, error) {
	row, err := params.validate(s.cfg.MaxAmount)
	if err != nil {
		return CouponCampaign{}, err
	}
	row.MerchantID, row.Livemode, row.Funding = &p.MerchantID, p.Livemode, FundingMerchant
	return s.insertCampaign(ctx, row, nil)
}

// CreatePlatformCampaign starts a platform-funded campaign, usable at every
// merchant or, when merchants are named, at those only. It is the
// operator's, through the command line.
func (s *Service) CreatePlatformCampaign(ctx context.Context, livemode bool, params CampaignParams, merchants []string) (CouponCampaign, error) {
	row, err := params.validate(s.cfg.MaxAmount)
	if err != nil {
		return CouponCampaign{}, err
	}
	for _, id := range merchants {
		if _, err := s.merchants.Get(ctx, id); err != nil {
			return CouponCampaign{}, scanpay.Invalid("merchant", "no such merchant %q", id)
		}
	}
	row.Livemode, row.Funding = livemode, FundingPlatform
	return s.insertCampaign(ctx, row, merchants)
}

func (s *Service) insertCampaign(ctx context.Context, row campaignRow, merchants []string) (CouponCampaign, error) {
	now := s.now()
	row.ID, row.CreatedAt, row.UpdatedAt = scanpay.NewID("cpc"), now, now
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (CouponCampaign, error) {
		if err := storage.DeferInsert(tx, &row, nil); err != nil {
			return CouponCampaign{}, err
		}
		for _, m := range merchants {
			if err := storage.DeferInsert(tx, &campaignMerchantRow{CampaignID: row.ID, MerchantID: m}, nil); err != nil {
				return CouponCampaign{}, err
			}
		}
		return row.toCampaign(now, merchants), nil
	})
}

// GetCampaign returns one of the principal's campaigns.
func (s *Service) GetCampaign(ctx context.Context, p merchant.Principal, id string) (CouponCampaign, error) {
	row, err := merchant.Find[campaignRow](ctx, s.db, p, "coupon_campaign", id)
	if err != nil {
		return CouponCampaign{}, err
	}
	return row.toCampaign(s.now(), nil), nil
}

// ListCampaigns returns the principal's campaigns, newest first.
func (s *Service) ListCampaigns(ctx context.Context, p merchant.Principal, limit int, startingAfter string) ([]CouponCampaign, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	rows, more, err := storage.Page[campaignRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	out := make([]CouponCampaign, len(rows))
	for i, r := range rows {
		out[i] = r.toCampaign(now, nil)
	}
	return out, more, nil
}

// ListPlatformCampaigns returns the platform's campaigns of one mode, with
// the merchants each is limited to, for the operator.
func (s *Service) ListPlatformCampaigns(ctx context.Context, livemode bool) ([]CouponCampaign, error) {
	var rows []campaignRow
	if err := s.db.WithContext(ctx).Where("funding = ? AND livemode = ?", FundingPlatform, livemode).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	var scope []campaignMerchantRow
	if err := s.db.WithContext(ctx).Order("merchant_id").Find(&scope).Error; err != nil {
		return nil, err
	}
	merchants := map[string][]string{}
	for _, m := range scope {
		merchants[m.CampaignID] = append(merchants[m.CampaignID], m.MerchantID)
	}
	now := s.now()
	out := make([]CouponCampaign, len(rows))
	for i, r := range rows {
		out[i] = r.toCampaign(now, merchants[r.ID])
	}
	return out, nil
}

// SetCampaignStatus pauses, resumes or ends one of the principal's
// campaigns (a nil principal is the operator, for platform campaigns). An
// ended campaign stays ended; pausing stops new coupons and redemptions
// until it is resumed. It returns ErrCampaignNotActive for a change an
// ended campaign cannot make.
func (s *Service) SetCampaignStatus(ctx context.Context, p *merchant.Principal, id, status string) (CouponCampaign, error) {
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (CouponCampaign, error) {
		now := s.now()
		row, err := changeCampaignStatus[campaignRow](tx, p, "coupon_campaign", id, status, now)
		if err != nil {
			return CouponCampaign{}, err
		}
		return row.toCampaign(now, nil), nil
	})
}

// changeCampaignStatus sets the status of campaign id, a row R of the
// coupon or the cashback campaigns, owned by p (nil is the operator, for
// platform campaigns), unless it has ended, and returns it as it is then.
// noun names it in a not-found error.
func changeCampaignStatus[R any](tx *gorm.DB, p *merchant.Principal, noun, id, status string, now time.Time) (R, error) {
	var row R
	owner := tx.Where("funding = ?", FundingPlatform)
	if p != nil {
		owner = tx.Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	}
	res := tx.Model(new(R)).Where("id = ? AND status <> ?", id, CampaignEnded).Where(owner).
		Updates(map[string]any{"status": status, "updated_at": now})
	if res.Error != nil {
		return row, res.Error
	}
	err := tx.Where("id = ?", id).Where(owner).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, scanpay.NotFound(noun, id)
	}
	if err != nil {
		return row, err
	}
	if res.RowsAffected == 0 {
		return row, ErrCampaignNotActive.WithMessage("the campaign has ended; it cannot be %s", statusVerb(status))
	}
	return row, nil
}

func statusVerb(status string) string {
	switch status {
	case CampaignPaused:
		return "paused"
	case CampaignActive:
		return "resumed"
	}
	return "ended again"
}

// checkNameAndCurrency checks a campaign's name and currency.
func checkNameAndCurrency(name, currency string) error {
	if name == "" {
		return scanpay.Missing("name")
	}
	if err := scanpay.CheckText("name", name, maxCampaignNameLen); err != nil {
		return err
	}
	if currency == "" {
		return scanpay.Missing("currency")
	}
	if _, ok := scanpay.LookupCurrency(currency); !ok {
		return scanpay.Invalid("currency", "unknown or unsupported currency %q (upper-case ISO 4217, like CNY)", currency)
	}
	return nil
}

// parseWindow reads a campaign's optional starts_at and ends_at, the end
// after the start.
func parseWindow(startsAt, endsAt *string) (*time.Time, *time.Time, error) {
	start, err := parseTime("starts_at", startsAt)
	if err != nil {
		return nil, nil, err
	}
	end, err := parseTime("ends_at", endsAt)
	if err != nil {
		return nil, nil, err
	}
	if start != nil && end != nil && !end.After(*start) {
		return nil, nil, scanpay.Invalid("ends_at", "ends_at must be after starts_at")
	}
	return start, end, nil
}

// parseTime reads an optional RFC 3339 time of a request, naming param when
// it is not one.
func parseTime(param string, v *string) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, scanpay.Invalid(param, "%s must be an RFC 3339 time, like 2026-12-01T00:00:00Z", param)
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, nil
}
