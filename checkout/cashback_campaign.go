package checkout

import (
	"context"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Cashback holds: a merchant's return window, within which a refund takes
// the cashback back before the payer has it.
const (
	DefaultHoldDays = 7
	MaxHoldDays     = 90
)

// CashbackCampaign gives payers back rate_bps of what they paid (after any
// coupon), held for hold_days, within a budget.
type CashbackCampaign struct {
	ID             string     `json:"id"`
	Object         string     `json:"object"`
	Livemode       bool       `json:"livemode"`
	Funding        string     `json:"funding"`
	Name           string     `json:"name"`
	Currency       string     `json:"currency"`
	RateBPS        int        `json:"rate_bps"`
	MaxPerPayment  *int64     `json:"max_per_payment"`
	MaxPerWallet   *int64     `json:"max_per_wallet"`
	MinSpend       int64      `json:"min_spend"`
	BudgetAmount   int64      `json:"budget_amount"`
	HoldDays       int        `json:"hold_days"`
	StartsAt       *time.Time `json:"starts_at"`
	EndsAt         *time.Time `json:"ends_at"`
	Status         string     `json:"status"`
	AmountPending  int64      `json:"amount_pending"`
	AmountCredited int64      `json:"amount_credited"`
	AmountReversed int64      `json:"amount_reversed"`
	BudgetLeft     int64      `json:"budget_left"`
	CreatedAt      time.Time  `json:"created_at"`
}

// CashbackCampaignParams describe a new cashback campaign; times are RFC
// 3339.
type CashbackCampaignParams struct {
	Name          string  `json:"name"`
	Currency      string  `json:"currency"`
	RateBPS       *int    `json:"rate_bps"`
	MaxPerPayment *int64  `json:"max_per_payment"`
	MaxPerWallet  *int64  `json:"max_per_wallet"`
	MinSpend      *int64  `json:"min_spend"`
	BudgetAmount  *int64  `json:"budget_amount"`
	HoldDays      *int    `json:"hold_days"`
	StartsAt      *string `json:"starts_at"`
	EndsAt        *string `json:"ends_at"`
}

type cashbackCampaignRow struct {
	ID            string
	MerchantID    *string
	Livemode      bool
	Funding       string
	Name          string
	Currency      string
	RateBPS       int `gorm:"column:rate_bps"`
	MaxPerPayment *int64
	MaxPerWallet  *int64
	MinSpend      int64
	BudgetAmount  int64
	HoldDays      int
	StartsAt      *time.Time
	EndsAt        *time.Time
	Status        string
	AmountGiven   int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (cashbackCampaignRow) TableName() string { return "cashback_campaigns" }

// statusAt is the status as the API shows it at now: an active campaign
// whose budget is given is exhausted, one past ends_at ended.
func (r cashbackCampaignRow) statusAt(now time.Time) string {
	switch {
	case r.Status == CampaignEnded || (r.EndsAt != nil && !now.Before(*r.EndsAt)):
		return CampaignEnded
	case r.Status == CampaignPaused:
		return CampaignPaused
	case r.AmountGiven >= r.BudgetAmount:
		return CampaignExhausted
	}
	return CampaignActive
}

// cashbackTotals are a campaign's cashbacks summed by state.
type cashbackTotals struct {
	CampaignID                                    string
	AmountPending, AmountCredited, AmountReversed int64
}

func (r cashbackCampaignRow) toCampaign(now time.Time, t cashbackTotals) CashbackCampaign {
	return CashbackCampaign{
		ID: r.ID, Object: "cashback_campaign", Livemode: r.Livemode, Funding: r.Funding, Name: r.Name,
		Currency: r.Currency, RateBPS: r.RateBPS, MaxPerPayment: r.MaxPerPayment, MaxPerWallet: r.MaxPerWallet,
		MinSpend: r.MinSpend, BudgetAmount: r.BudgetAmount, HoldDays: r.HoldDays, StartsAt: r.StartsAt,
		EndsAt: r.EndsAt, Status: r.statusAt(now), AmountPending: t.AmountPending, AmountCredited: t.AmountCredited,
		AmountReversed: t.AmountReversed, BudgetLeft: r.BudgetAmount - r.AmountGiven, CreatedAt: r.CreatedAt,
	}
}

func (p CashbackCampaignParams) validate(maxAmount int64) (cashbackCampaignRow, error) {
	r := cashbackCampaignRow{Name: strings.TrimSpace(p.Name), Currency: p.Currency, MaxPerPayment: p.MaxPerPayment,
		MaxPerWallet: p.MaxPerWallet, HoldDays: DefaultHoldDays, Status: CampaignActive}
	if err := checkNameAndCurrency(r.Name, p.Currency); err != nil {
		return r, err
	}
	switch {
	case p.RateBPS == nil:
		return r, scanpay.Missing("rate_bps")
	case *p.RateBPS <= 0 || *p.RateBPS > 10000:
		return r, scanpay.Invalid("rate_bps", "rate_bps must be from 1 to 10000 (100%%)")
	case p.BudgetAmount == nil:
		return r, scanpay.Missing("budget_amount")
	}
	r.RateBPS = *p.RateBPS
	for _, f := range []struct {
		name string
		v    *int64
	}{{"budget_amount", p.BudgetAmount}, {"max_per_payment", p.MaxPerPayment}, {"max_per_wallet", p.MaxPerWallet}} {
		if f.v != nil && (*f.v <= 0 || *f.v > maxAmount) {
			return r, scanpay.Invalid(f.name, "%s must be a positive amount in the currency's minor unit, at most %d", f.name, maxAmount)
		}
	}
	r.BudgetAmount = *p.BudgetAmount
	if p.MinSpend != nil {
		if *p.MinSpend < 0 || *p.MinSpend > maxAmount {
			return r, scanpay.Invalid("min_spend", "min_spend must be from 0 to %d", maxAmount)
		}
		r.MinSpend = *p.MinSpend
	}
	if p.HoldDays != nil {
		if *p.HoldDays < 0 || *p.HoldDays > MaxHoldDays {
			return r, scanpay.Invalid("hold_days", "hold_days must be from 0 to %d", MaxHoldDays)
		}
		r.HoldDays = *p.HoldDays
	}
	var err error
	if r.StartsAt, r.EndsAt, err = parseWindow(p.StartsAt, p.EndsAt); err != nil {
		return r, err
	}
	return r, nil
}

// CreateCashbackCampaign starts a merchant-funded cashback campaign.
func (s *Service) CreateCashbackCampaign(ctx context.Context, p merchant.Principal, params CashbackCampaignParams) (CashbackCampaign, error) {
	row, err := params.validate(s.cfg.MaxAmount)
	if err != nil {
		return CashbackCampaign{}, err
	}
	row.MerchantID, row.Livemode, row.Funding = &p.MerchantID, p.Livemode, FundingMerchant
	return s.insertCashbackCampaign(ctx, row)
}

// CreatePlatformCashbackCampaign starts a platform-funded cashback
// campaign, for payments at every merchant; it is the operator's.
func (s *Service) CreatePlatformCashbackCampaign(ctx context.Context, livemode bool, params CashbackCampaignParams) (CashbackCampaign, error) {
	row, err := params.validate(s.cfg.MaxAmount)
	if err != nil {
		return CashbackCampaign{}, err
	}
	row.Livemode, row.Funding = livemode, FundingPlatform
	return s.insertCashbackCampaign(ctx, row)
}

func (s *Service) insertCashbackCampaign(ctx context.Context, row cashbackCampaignRow) (CashbackCampaign, error) {
	now := s.now()
	row.ID, row.CreatedAt, row.UpdatedAt = scanpay.NewID("cbc"), now, now
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (CashbackCampaign, error) {
		return row.toCampaign(now, cashbackTotals{}), storage.DeferInsert(tx, &row, nil)
	})
}

// GetCashbackCampaign returns one of the principal's cashback campaigns,
// with its totals.
func (s *Service) GetCashbackCampaign(ctx context.Context, p merchant.Principal, id string) (CashbackCampaign, error) {
	row, err := merchant.Find[cashbackCampaignRow](ctx, s.db, p, "cashback_campaign", id)
	if err != nil {
		return CashbackCampaign{}, err
	}
	totals, err := s.cashbackTotals(ctx, []string{row.ID})
	if err != nil {
		return CashbackCampaign{}, err
	}
	return row.toCampaign(s.now(), totals[row.ID]), nil
}

// ListCashbackCampaigns returns the principal's cashback campaigns, newest
// first, or the platform's of one mode when p is nil.
func (s *Service) ListCashbackCampaigns(ctx context.Context, p *merchant.Principal, livemode bool, limit int, startingAfter string) ([]CashbackCampaign, bool, error) {
	q := s.db.WithContext(ctx).Where("funding = ? AND livemode = ?", FundingPlatform, livemode)
	if p != nil {
		q = s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	}
	rows, more, err := storage.Page[cashbackCampaignRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	totals, err := s.cashbackTotals(ctx, ids)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	out := make([]CashbackCampaign, len(rows))
	for i, r := range rows {
		out[i] = r.toCampaign(now, totals[r.ID])
	}
	return out, more, nil
}

// SetCashbackCampaignStatus pauses, resumes or ends one of the principal's
// cashback campaigns (nil is the operator, for platform campaigns).
// Cashback already earned is credited as usual. It returns
// ErrCampaignNotActive for a change an ended campaign cannot make.
func (s *Service) SetCashbackCampaignStatus(ctx context.Context, p *merchant.Principal, id, status string) (CashbackCampaign, error) {
	c, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (CashbackCampaign, error) {
		now := s.now()
		row, err := changeCampaignStatus[cashbackCampaignRow](tx, p, "cashback_campaign", id, status, now)
		if err != nil {
			return CashbackCampaign{}, err
		}
		return row.toCampaign(now, cashbackTotals{}), nil
	})
	if err != nil {
		return CashbackCampaign{}, err
	}
	totals, err := s.cashbackTotals(ctx, []string{c.ID})
	c.AmountPending, c.AmountCredited, c.AmountReversed = totals[c.ID].AmountPending, totals[c.ID].AmountCredited, totals[c.ID].AmountReversed
	return c, err
}

// cashbackTotals sums the cashbacks of campaigns by state.
func (s *Service) cashbackTotals(ctx context.Context, ids []string) (map[string]cashbackTotals, error) {
	out := map[string]cashbackTotals{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []cashbackTotals
	err := s.db.WithContext(ctx).Raw(`SELECT campaign_id, SUM(amount_pending) AS amount_pending,
	SUM(amount_credited) AS amount_credited, SUM(amount_reversed) AS amount_reversed
FROM cashbacks WHERE campaign_id IN ? GROUP BY campaign_id`, ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.CampaignID] = r
	}
	return out, err
}
