package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Coupon statuses. Expired is read off valid_until.
const (
	CouponAvailable = "available"
	CouponRedeemed  = "redeemed"
	CouponExpired   = "expired"
)

// Coupon errors.
var (
	ErrCouponNotApplicable = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "coupon_not_applicable", Param: "coupon",
		Message: "the coupon cannot be used on this order"}
	ErrCouponLimitReached = &scanpay.Error{Kind: scanpay.KindConflict, Code: "coupon_limit_reached", Param: "campaign",
		Message: "this wallet holds as many coupons of the campaign as it may"}
	ErrCampaignNotClaimable = &scanpay.Error{Kind: scanpay.KindConflict, Code: "campaign_not_claimable", Param: "campaign",
		Message: "the campaign's coupons are sent by the merchant, not claimed"}
)

// Coupon is a discount a payer's wallet holds, from one campaign.
type Coupon struct {
	ID            string     `json:"id"`
	Object        string     `json:"object"`
	Livemode      bool       `json:"livemode"`
	Campaign      string     `json:"campaign"`
	Name          string     `json:"name"`
	Funding       string     `json:"funding"`
	Currency      string     `json:"currency"`
	AmountOff     *int64     `json:"amount_off"`
	PercentOffBPS *int       `json:"percent_off_bps"`
	MaxDiscount   *int64     `json:"max_discount"`
	MinSpend      int64      `json:"min_spend"`
	Status        string     `json:"status"`
	ValidUntil    time.Time  `json:"valid_until"`
	Order         *string    `json:"order"`
	Discount      *int64     `json:"discount"`
	RedeemedAt    *time.Time `json:"redeemed_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

type couponRow struct {
	ID         string
	CampaignID string
	WalletID   string
	Livemode   bool
	Ordinal    int
	Status     string
	ValidUntil time.Time
	OrderID    *string
	Discount   *int64
	RedeemedAt *time.Time
	CreatedAt  time.Time
}

func (couponRow) TableName() string { return "coupons" }

// heldCoupon is a coupon read with its campaign, and whether the campaign
// names the merchant being paid among those it is limited to.
type heldCoupon struct {
	Coupon   couponRow   `gorm:"embedded;embeddedPrefix:coupon_"`
	Campaign campaignRow `gorm:"embedded"`
	Scoped   bool        // the campaign is limited to named merchants
	InScope  bool        // and the merchant asked about is one
}

func (h heldCoupon) toCoupon(now time.Time) Coupon {
	c, cc := h.Coupon, h.Campaign
	status := c.Status
	if status == CouponAvailable && !now.Before(c.ValidUntil) {
		status = CouponExpired
	}
	return Coupon{
		ID: c.ID, Object: "coupon", Livemode: c.Livemode, Campaign: cc.ID, Name: cc.Name, Funding: cc.Funding,
		Currency: cc.Currency, AmountOff: cc.AmountOff, PercentOffBPS: cc.PercentOffBPS, MaxDiscount: cc.MaxDiscount,
		MinSpend: cc.MinSpend, Status: status, ValidUntil: c.ValidUntil, Order: c.OrderID, Discount: c.Discount,
		RedeemedAt: c.RedeemedAt, CreatedAt: c.CreatedAt,
	}
}

// heldCouponSQL reads coupons with their campaigns; the argument is the
// merchant whose scope is asked about.
const heldCouponSQL = `SELECT c.id AS coupon_id, c.campaign_id AS coupon_campaign_id, c.wallet_id AS coupon_wallet_id,
	c.livemode AS coupon_livemode, c.ordinal AS coupon_ordinal, c.status AS coupon_status,
	c.valid_until AS coupon_valid_until, c.order_id AS coupon_order_id, c.discount AS coupon_discount,
	c.redeemed_at AS coupon_redeemed_at, c.created_at AS coupon_created_at, cc.*,
	EXISTS (SELECT 1 FROM coupon_campaign_merchants m WHERE m.campaign_id = cc.id) AS scoped,
	EXISTS (SELECT 1 FROM coupon_campaign_merchants m WHERE m.campaign_id = cc.id AND m.merchant_id = ?) AS in_scope
FROM coupons c JOIN coupon_campaigns cc ON cc.id = c.campaign_id`

// SendCoupon gives the wallet registered to phone a coupon of one of the
// principal's campaigns. It returns a not-found error for another
// merchant's campaign or an unknown phone, ErrCampaignNotActive,
// ErrCouponBudgetExhausted or ErrCouponLimitReached.
func (s *Service) SendCoupon(ctx context.Context, p merchant.Principal, campaignID, phone string) (Coupon, error) {
	if phone == "" {
		return Coupon{}, scanpay.Missing("phone")
	}
	campaign, err := merchant.Find[campaignRow](ctx, s.db, p, "coupon_campaign", campaignID)
	if err != nil {
		return Coupon{}, err
	}
	w, err := s.wallets.FindByPhone(ctx, phone)
	if err != nil {
		return Coupon{}, err
	}
	return s.issue(ctx, campaign, w.ID, w.Livemode)
}

// ClaimCoupon takes a coupon of a claimable campaign for the payer's
// wallet. It returns a not-found error for an unknown campaign (or one of
// the other mode), ErrCampaignNotClaimable, ErrCampaignNotActive,
// ErrCouponBudgetExhausted or ErrCouponLimitReached.
func (s *Service) ClaimCoupon(ctx context.Context, walletID string, livemode bool, campaignID string) (Coupon, error) {
	if campaignID == "" {
		return Coupon{}, scanpay.Missing("campaign")
	}
	var campaign campaignRow
	err := s.db.WithContext(ctx).Where("id = ? AND livemode = ?", campaignID, livemode).Take(&campaign).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Coupon{}, scanpay.NotFound("coupon_campaign", campaignID).WithParam("campaign")
	}
	if err != nil {
		return Coupon{}, err
	}
	if !campaign.Claimable {
		return Coupon{}, ErrCampaignNotClaimable
	}
	return s.issue(ctx, campaign, walletID, livemode)
}

// issue gives the wallet the next coupon of the campaign, in one
// transaction: the campaign's count of coupons issued rises by a
// compare-and-set that requires it to be active, and the coupon takes the
// wallet's next ordinal, which the unique (campaign, wallet, ordinal) keeps
// from being taken twice, so a wallet never holds more than max_per_wallet.
func (s *Service) issue(ctx context.Context, campaign campaignRow, walletID string, livemode bool) (Coupon, error) {
	now := s.now()
	switch st := campaign.statusAt(now); {
	case campaign.Livemode != livemode:
		return Coupon{}, scanpay.NotFound("coupon_campaign", campaign.ID).WithParam("campaign")
	case st == CampaignExhausted:
		return Coupon{}, ErrCouponBudgetExhausted.WithParam("campaign")
	case st != CampaignActive:
		return Coupon{}, ErrCampaignNotActive.WithMessage("the campaign is %s", st)
	}
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Coupon, error) {
		var held int
		if err := tx.Raw(`SELECT COUNT(*) FROM coupons WHERE campaign_id = ? AND wallet_id = ?`, campaign.ID, walletID).Scan(&held).Error; err != nil {
			return Coupon{}, err
		}
		if held >= campaign.MaxPerWallet {
			return Coupon{}, ErrCouponLimitReached.WithMessage("this wallet holds %d coupons of the campaign, the most it may", held)
		}
		res := tx.Model(&campaignRow{}).Where("id = ? AND status = ?", campaign.ID, CampaignActive).
			Updates(map[string]any{"issued": gorm.Expr("issued + 1"), "updated_at": now})
		if res.Error != nil {
			return Coupon{}, res.Error
		}
		if res.RowsAffected == 0 {
			return Coupon{}, ErrCampaignNotActive.WithMessage("the campaign was paused or ended meanwhile")
		}
		validUntil := now.AddDate(0, 0, campaign.CouponValidDays)
		if campaign.EndsAt != nil && campaign.EndsAt.Before(validUntil) {
			validUntil = *campaign.EndsAt
		}
		c := couponRow{ID: scanpay.NewID("cpn"), CampaignID: campaign.ID, WalletID: walletID, Livemode: livemode,
			Ordinal: held + 1, Status: CouponAvailable, ValidUntil: validUntil, CreatedAt: now}
		err := storage.DeferInsert(tx, &c, func(err error) error {
			if storage.IsUniqueViolationOn(err, "coupons") {
				return ErrCouponLimitReached.WithMessage("another coupon of the campaign was issued to this wallet at the same time; try again")
			}
			return nil
		})
		return heldCoupon{Coupon: c, Campaign: campaign}.toCoupon(now), err
	})
}

// WalletCoupons returns the wallet's coupons, newest first, with their
// campaigns' terms.
func (s *Service) WalletCoupons(ctx context.Context, walletID string, limit int, startingAfter string) ([]Coupon, bool, error) {
	q := heldCouponSQL + ` WHERE c.wallet_id = ?`
	args := []any{"", walletID}
	if startingAfter != "" {
		q += ` AND c.id < ?`
		args = append(args, startingAfter)
	}
	var rows []heldCoupon
	if err := s.db.WithContext(ctx).Raw(q+` ORDER BY c.id DESC LIMIT ?`, append(args, limit+1)...).Scan(&rows).Error; err != nil {
		return nil, false, err
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	now := s.now()
	out := make([]Coupon, len(rows))
	for i, r := range rows {
		out[i] = r.toCoupon(now)
	}
	return out, more, nil
}
