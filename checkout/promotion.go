package checkout

import (
	"cmp"
	"context"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// Promotion is the coupon an order was paid with.
type Promotion struct {
	Coupon   string `json:"coupon"`
	Campaign string `json:"campaign"`
	Funding  string `json:"funding"`
	Discount int64  `json:"discount"`
}

// Discount is what a campaign's coupon takes off a price: its amount off,
// or its percentage (basis points, rounded down) up to max_discount; never
// so much that nothing is left to pay, since a payment moves at least one
// minor unit.
func (r campaignRow) Discount(price int64) int64 {
	var d int64
	if r.AmountOff != nil {
		d = *r.AmountOff
	} else {
		hi, lo := bits.Mul64(uint64(price), uint64(*r.PercentOffBPS))
		q, _ := bits.Div64(hi, lo, 10000)
		d = int64(q)
		if r.MaxDiscount != nil && d > *r.MaxDiscount {
			d = *r.MaxDiscount
		}
	}
	return min(d, price-1)
}

// notApplicable says why a campaign's coupon cannot pay an order, or nil.
// It does not judge the coupon itself (see couponRefusal).
func (r campaignRow) notApplicable(o orderRow, scoped, inScope bool, now time.Time) error {
	switch {
	case r.Livemode != o.Livemode:
		return ErrCouponNotApplicable.WithMessage("the coupon is of the other mode")
	case r.Currency != o.Currency:
		return ErrCouponNotApplicable.WithMessage("the coupon is in %s; the order is in %s", r.Currency, o.Currency)
	case r.Funding == FundingMerchant && (r.MerchantID == nil || *r.MerchantID != o.MerchantID):
		return ErrCouponNotApplicable.WithMessage("the coupon is for another merchant")
	case r.Funding == FundingPlatform && scoped && !inScope:
		return ErrCouponNotApplicable.WithMessage("the coupon is not for this merchant")
	case o.Amount < r.MinSpend:
		return ErrCouponNotApplicable.WithMessage("the coupon needs a spend of at least %d; the order is %d", r.MinSpend, o.Amount)
	case o.Amount < 2:
		return ErrCouponNotApplicable.WithMessage("the order is too small for a discount")
	case r.StartsAt != nil && now.Before(*r.StartsAt):
		return ErrCampaignNotActive.WithParam("coupon").WithMessage("the campaign starts at %s", r.StartsAt.Format(time.RFC3339))
	}
	switch st := r.statusAt(now); st {
	case CampaignActive:
		return nil
	case CampaignExhausted:
		return ErrCouponBudgetExhausted
	default:
		return ErrCampaignNotActive.WithParam("coupon").WithMessage("the campaign is %s", st)
	}
}

// couponRefusal says why the wallet cannot use the coupon now, or nil.
func (c couponRow) couponRefusal(walletID string, now time.Time) error {
	switch {
	case c.WalletID != walletID:
		return ErrCouponNotApplicable.WithMessage("the coupon is not yours")
	case c.Status == CouponRedeemed:
		return ErrCouponNotApplicable.WithMessage("the coupon is used")
	case !now.Before(c.ValidUntil):
		return ErrCouponNotApplicable.WithMessage("the coupon expired at %s", c.ValidUntil.Format(time.RFC3339))
	}
	return nil
}

// findHeldCoupon reads a coupon with its campaign, as tx sees them, and
// whether the campaign's scope takes in merchantID.
func findHeldCoupon(tx *gorm.DB, couponID, merchantID string) (heldCoupon, error) {
	var rows []heldCoupon
	if err := tx.Raw(heldCouponSQL+` WHERE c.id = ?`, merchantID, couponID).Find(&rows).Error; err != nil { // not Scan, which also renders the statement for a log on every call
		return heldCoupon{}, err
	}
	if len(rows) == 0 {
		return heldCoupon{}, scanpay.NotFound("coupon", couponID).WithParam("coupon")
	}
	return rows[0], nil
}

// redeem uses the coupon on the order inside the payment's transaction:
// the coupon's compare-and-set from available to redeemed, and the
// campaign's, which takes the discount from its budget only while the
// campaign is active and the budget holds it, whatever the concurrency
// (the CHECKs on the counters stand behind it). Both are deferred with
// the payment's other writes, and coupon.redeemed goes to the outbox;
// when either changes nothing, the payment fails with errCouponTaken or
// errCampaignRefused and keeps nothing.
func (s *Service) redeem(tx *gorm.DB, h heldCoupon, o orderRow, discount int64, now time.Time) error {
	for _, w := range []storage.Write{{
		SQL: `UPDATE coupons SET status = ?, order_id = ?, discount = ?, redeemed_at = ?
	WHERE id = ? AND status = ? AND wallet_id = ? AND valid_until > ?`,
		Args:   []any{CouponRedeemed, o.ID, discount, now, h.Coupon.ID, CouponAvailable, h.Coupon.WalletID, now},
		Expect: refusedIfNone(errCouponTaken),
	}, {
		SQL: `UPDATE coupon_campaigns SET redeemed = redeemed + 1, amount_redeemed = amount_redeemed + ?, updated_at = ?
	WHERE id = ? AND status = ? AND (starts_at IS NULL OR starts_at <= ?) AND (ends_at IS NULL OR ends_at > ?)
		AND (max_coupons IS NULL OR redeemed < max_coupons) AND (max_amount IS NULL OR amount_redeemed + ? <= max_amount)`,
		Args:   []any{discount, now, h.Campaign.ID, CampaignActive, now, now, discount},
		Expect: refusedIfNone(errCampaignRefused),
	}} {
		if err := storage.Defer(tx, w); err != nil {
			return err
		}
	}
	h.Coupon.Status, h.Coupon.OrderID, h.Coupon.Discount, h.Coupon.RedeemedAt = CouponRedeemed, &o.ID, &discount, &now
	_, err := webhooks.Emit(tx, webhooks.Event{Type: webhooks.CouponRedeemed, MerchantID: o.MerchantID, Livemode: o.Livemode,
		OrderID: o.ID, Object: h.toCoupon(now), CreatedAt: now})
	return err
}

// errCouponTaken and errCampaignRefused are the coupon's and the
// campaign's compare-and-sets changing nothing in a payment, which then
// keeps nothing: the coupon was used meanwhile, or the campaign would not
// cover the discount (whyCampaignRefused says why).
var (
	errCouponTaken     = errors.New("checkout: the coupon's compare-and-set changed nothing")
	errCampaignRefused = errors.New("checkout: the campaign's compare-and-set changed nothing")
)

// refusedIfNone is the Expect of a compare-and-set: err when it changed
// no row.
func refusedIfNone(err error) func(rows int64) error {
	return func(rows int64) error {
		if rows == 0 {
			return err
		}
		return nil
	}
}

// whyCampaignRefused explains a campaign's compare-and-set that changed
// nothing in the payment of o with h: its budget cannot cover the
// discount, or it stopped applying (paused, ended, out of its dates). It
// reads outside the payment's transaction, which has rolled back.
func (s *Service) whyCampaignRefused(ctx context.Context, h heldCoupon, o orderRow, now time.Time) error {
	var c campaignRow
	if err := s.db.WithContext(ctx).Where("id = ?", h.Campaign.ID).Take(&c).Error; err != nil {
		return err
	}
	if c.statusAt(now) == CampaignActive && c.running(now) {
		return ErrCouponBudgetExhausted.WithMessage("the campaign's budget cannot cover this discount")
	}
	return c.notApplicable(o, h.Scoped, h.InScope, now)
}

// reverseDiscount gives back to the campaign the part of its discount a
// refund returns to the funder, in the refund's transaction, and writes
// coupon.redemption_reversed. The coupon itself stays used.
func (s *Service) reverseDiscount(tx *gorm.DB, o orderRow, r refundRow, now time.Time) error {
	if r.AmountDiscountReversed == 0 || o.CouponID == nil {
		return nil
	}
	res := tx.Exec(`UPDATE coupon_campaigns SET amount_redeemed = amount_redeemed - ?, updated_at = ? WHERE id = ?`,
		r.AmountDiscountReversed, now, *o.PromotionCampaignID)
	if res.Error != nil {
		return res.Error
	}
	_, err := webhooks.Emit(tx, webhooks.Event{Type: webhooks.CouponRedemptionReversed, MerchantID: o.MerchantID,
		Livemode: o.Livemode, OrderID: o.ID, CreatedAt: now, Object: RedemptionReversal{
			Object: "coupon_redemption_reversal", Coupon: *o.CouponID, Campaign: *o.PromotionCampaignID,
			Funding: *o.PromotionFunding, Order: o.ID, Refund: r.ID, AmountDiscountReversed: r.AmountDiscountReversed,
		}})
	return err
}

// RedemptionReversal is what coupon.redemption_reversed reports: the part
// of a discount a refund returned to its funder.
type RedemptionReversal struct {
	Object                 string `json:"object"`
	Coupon                 string `json:"coupon"`
	Campaign               string `json:"campaign"`
	Funding                string `json:"funding"`
	Order                  string `json:"order"`
	Refund                 string `json:"refund"`
	AmountDiscountReversed int64  `json:"amount_discount_reversed"`
}

// CouponOffer is a coupon the payer holds that this order can use.
type CouponOffer struct {
	Coupon        string `json:"coupon"`
	Name          string `json:"name"`
	Funding       string `json:"funding"`
	Discount      int64  `json:"discount"`
	AmountPayable int64  `json:"amount_payable"`
	ValidUntil    string `json:"valid_until"`
}

// ClaimOffer is a campaign whose coupon the payer could claim for this
// order.
type ClaimOffer struct {
	Campaign string `json:"campaign"`
	Name     string `json:"name"`
	Funding  string `json:"funding"`
	Discount int64  `json:"discount"`
}

// offers lists the coupons the wallet holds that could pay o now, best
// first, and the claimable campaigns it could take one from.
func (s *Service) offers(ctx context.Context, walletID string, o orderRow, now time.Time) ([]CouponOffer, []ClaimOffer, error) {
	coupons, claimable := []CouponOffer{}, []ClaimOffer{}
	var held []heldCoupon
	err := s.db.WithContext(ctx).Raw(heldCouponSQL+` WHERE c.wallet_id = ? AND c.status = ? AND c.valid_until > ? AND cc.currency = ?`,
		o.MerchantID, walletID, CouponAvailable, now, o.Currency).Scan(&held).Error
	if err != nil {
		return nil, nil, err
	}
	for _, h := range held {
		if h.Campaign.notApplicable(o, h.Scoped, h.InScope, now) != nil {
			continue
		}
		d := h.Campaign.Discount(o.Amount)
		if h.Campaign.MaxAmount != nil && h.Campaign.AmountRedeemed+d > *h.Campaign.MaxAmount {
			continue
		}
		coupons = append(coupons, CouponOffer{Coupon: h.Coupon.ID, Name: h.Campaign.Name, Funding: h.Campaign.Funding,
			Discount: d, AmountPayable: o.Amount - d, ValidUntil: h.Coupon.ValidUntil.Format(time.RFC3339)})
	}
	sortOffers(coupons)

	var campaigns []claimableCampaign
	err = s.db.WithContext(ctx).Raw(`SELECT cc.*,
	EXISTS (SELECT 1 FROM coupon_campaign_merchants m WHERE m.campaign_id = cc.id) AS scoped,
	EXISTS (SELECT 1 FROM coupon_campaign_merchants m WHERE m.campaign_id = cc.id AND m.merchant_id = ?) AS in_scope
FROM coupon_campaigns cc
WHERE cc.claimable AND cc.status = ? AND cc.currency = ? AND cc.livemode = ?
	AND (cc.merchant_id = ? OR cc.funding = ?)
	AND (SELECT COUNT(*) FROM coupons c WHERE c.campaign_id = cc.id AND c.wallet_id = ?) < cc.max_per_wallet
ORDER BY cc.id DESC LIMIT 20`, o.MerchantID, CampaignActive, o.Currency, o.Livemode, o.MerchantID, FundingPlatform, walletID).
		Scan(&campaigns).Error
	if err != nil {
		return nil, nil, err
	}
	for _, c := range campaigns {
		if c.Campaign.notApplicable(o, c.Scoped, c.InScope, now) != nil {
			continue
		}
		claimable = append(claimable, ClaimOffer{Campaign: c.Campaign.ID, Name: c.Campaign.Name, Funding: c.Campaign.Funding,
			Discount: c.Campaign.Discount(o.Amount)})
	}
	return coupons, claimable, nil
}

// claimableCampaign is a campaign read with its scope, as heldCoupon is.
type claimableCampaign struct {
	Campaign campaignRow `gorm:"embedded"`
	Scoped   bool
	InScope  bool
}

// sortOffers puts the largest discount first, and among equals the coupon
// that expires first.
func sortOffers(offers []CouponOffer) {
	slices.SortStableFunc(offers, func(a, b CouponOffer) int {
		if a.Discount != b.Discount {
			return cmp.Compare(b.Discount, a.Discount)
		}
		return strings.Compare(a.ValidUntil, b.ValidUntil)
	})
}

// feeBase is the part of a paid order the merchant was credited, which its
// fee is computed on: what the payer paid when the merchant funded the
// discount, the whole price when the platform did.
func feeBase(o orderRow) int64 {
	if o.platformFunded() {
		return o.Amount
	}
	return o.AmountPaid
}

// platformFunded reports whether the platform paid the order's discount.
func (o orderRow) platformFunded() bool {
	return o.PromotionFunding != nil && *o.PromotionFunding == FundingPlatform
}
