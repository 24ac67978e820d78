package checkout

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// ErrOrderNotPayable is a payment of an order that is not pending: paid
// already (by this payer or another), canceled, expired, or of the other
// mode.
var ErrOrderNotPayable = &scanpay.Error{Kind: scanpay.KindConflict, Code: "order_not_payable", Param: "order",
	Message: "the order cannot be paid"}

// PayParams is a payer's request to pay from their wallet: an order, or a
// merchant's static code (Payload, the scanned text in either format) an
// Amount in Currency of the payer's choosing.
type PayParams struct {
	Order    string  `json:"order"`
	Payload  string  `json:"payload"`
	Amount   *int64  `json:"amount"`
	Currency string  `json:"currency"`
	Coupon   *string `json:"coupon"`
	PIN      string  `json:"pin"`
}

// Payment is a payer's successful payment of an order.
type Payment struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Livemode bool   `json:"livemode"`
	Order    string `json:"order"`
	Merchant string `json:"merchant_name"`
	// Amount is the order's price; the payer paid AmountPaid of it.
	Amount         int64      `json:"amount"`
	AmountDiscount int64      `json:"amount_discount"`
	AmountPaid     int64      `json:"amount_paid"`
	Promotion      *Promotion `json:"promotion"`
	Currency       string     `json:"currency"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
}

type paymentRow struct {
	ID         string
	OrderID    string
	MerchantID string
	Livemode   bool
	WalletID   string
	Amount     int64
	Currency   string
	Fee        int64
	CreatedAt  time.Time
}

func (paymentRow) TableName() string { return "payments" }

// Pay moves an order from pending to paid with the payer's money, in ONE
// database transaction: the order's compare-and-set (which includes the
// expiry and, through wallet.PayClause, the wallet: not frozen, of the
// order's mode, within its no-PIN limit), the payment row (unique per
// order), order.paid in the outbox and the ledger posting (payer wallet to
// merchant pending, the fee to platform revenue; the wallet cannot go
// below zero). Either all of it happens or none. A PIN, when given, is
// checked before the transaction, since hashing it takes milliseconds no
// lock should wait for. With a payload instead of an order it pays a
// static code (see payStatic). It returns ErrOrderNotPayable, a not-found
// error, ledger.ErrInsufficientFunds, the wallet's refusals
// (ErrWalletFrozen, ErrPINRequired, ErrIncorrectPIN, ErrPINLocked), the
// coupon's, and invalid-parameter errors naming the field.
func (s *Service) Pay(ctx context.Context, walletID string, p PayParams) (Payment, error) {
	if p.Coupon != nil && *p.Coupon == "" {
		return Payment{}, scanpay.Invalid("coupon", "coupon must be a coupon id, or left out")
	}
	switch {
	case p.Order != "" && p.Payload != "":
		return Payment{}, scanpay.Invalid("payload", "give order to pay an order, or payload to pay a static code, not both")
	case p.Payload != "" || p.Order == "" && (p.Amount != nil || p.Currency != ""):
		return s.payStatic(ctx, walletID, p)
	case p.Order == "":
		return Payment{}, scanpay.Missing("order")
	case p.Amount != nil:
		return Payment{}, scanpay.Invalid("amount", "an order's amount is fixed; amount goes with payload, to pay a static code")
	case p.Currency != "":
		return Payment{}, scanpay.Invalid("currency", "an order's currency is fixed; currency goes with payload, to pay a static code")
	}
	pinVerified, err := s.checkPIN(ctx, walletID, p.PIN)
	if err != nil {
		return Payment{}, err
	}
	return s.pay(ctx, walletID, p.Order, nil, p.Coupon, pinVerified)
}

// checkPIN checks the PIN, when one is given, and reports whether it was.
// Any PIN given is checked, whatever the amount.
func (s *Service) checkPIN(ctx context.Context, walletID, pin string) (bool, error) {
	if pin == "" {
		return false, nil
	}
	if _, err := s.wallets.Authorize(ctx, walletID, 0, pin); err != nil {
		return false, err
	}
	return true, nil
}

// pay is the payment's transaction. created, when not nil, is an order the
// payment makes (a static code's): it is inserted first, and its payment
// takes from the payer's daily allowance for static codes; the steps after
// are the same for every order.
func (s *Service) pay(ctx context.Context, walletID, orderID string, created *orderRow, couponID *string, pinVerified bool) (Payment, error) {
	var unpaid orderRow   // the order as the compare-and-set expected it
	var coupon heldCoupon // the coupon as its compare-and-set expected it
	// The order and the coupon are read before the transaction, which
	// holds nothing meanwhile: the compare-and-sets check again all a
	// payment depends on that can change (the order's status and expiry,
	// the wallet, the coupon's status, the campaign's budget and dates),
	// and a payment without cashback is then one statement. A static
	// code's order is read in the transaction that inserts it.
	now := s.now()
	var read payableOrder
	if created == nil {
		var err error
		if read, coupon, err = readPayment(s.db.WithContext(ctx), orderID, couponID, now); err != nil {
			return Payment{}, err
		}
	}
	payment, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (Payment, error) {
		read := read
		if created != nil {
			if err := storage.DeferInsert(tx, created, nil); err != nil {
				return Payment{}, err
			}
			if err := storage.Flush(tx); err != nil {
				return Payment{}, err
			}
			var err error
			if read, coupon, err = readPayment(tx, orderID, couponID, now); err != nil {
				return Payment{}, err
			}
		}
		row := read.Order
		if st := row.effectiveStatus(now); st != StatusPending {
			return Payment{}, ErrOrderNotPayable.WithMessage("the order is %s", st)
		}
		var discount int64
		if couponID != nil {
			if err := coupon.Coupon.couponRefusal(walletID, now); err != nil {
				return Payment{}, err
			}
			if err := coupon.Campaign.notApplicable(row, coupon.Scoped, coupon.InScope, now); err != nil {
				return Payment{}, err
			}
			discount = coupon.Campaign.Discount(row.Amount)
			row.CouponID, row.PromotionCampaignID, row.PromotionFunding = &coupon.Coupon.ID, &coupon.Campaign.ID, &coupon.Campaign.Funding
		}
		row.AmountDiscount, row.AmountPaid = discount, row.Amount-discount
		row.Fee = merchant.Fee(row.FeeRateBPS, feeBase(row))
		if created != nil {
			if err := s.spendStaticAllowance(tx, walletID, row, now); err != nil {
				return Payment{}, err
			}
		}
		pay := paymentRow{ID: scanpay.NewID("pay"), OrderID: row.ID, MerchantID: row.MerchantID, Livemode: row.Livemode,
			WalletID: walletID, Amount: row.AmountPaid, Currency: row.Currency, Fee: row.Fee, CreatedAt: now}
		// The compare-and-set goes with the writes that follow from it, in
		// one statement on PostgreSQL; when it changes nothing, they are
		// all rolled back, and whyNotPaid says why.
		walletOK, walletArgs := wallet.PayClause(tx, walletID, pinVerified, row.AmountPaid, "orders.livemode")
		unpaid = row
		err := storage.Defer(tx, storage.Write{
			SQL: `UPDATE orders SET status = ?, amount_paid = ?, amount_discount = ?, fee = ?, coupon_id = ?,
	promotion_campaign_id = ?, promotion_funding = ?, paid_at = ?, updated_at = ?
WHERE id = ? AND status = ? AND expires_at > ? AND ` + walletOK,
			Args: append([]any{StatusPaid, row.AmountPaid, discount, row.Fee, row.CouponID, row.PromotionCampaignID,
				row.PromotionFunding, now, now, row.ID, StatusPending, now}, walletArgs...),
			Expect: refusedIfNone(errNotPaid),
		})
		if err != nil {
			return Payment{}, err
		}
		if couponID != nil {
			if err := s.redeem(tx, coupon, row, discount, now); err != nil {
				return Payment{}, err
			}
		}
		// The compare-and-set let only this payment through; the unique
		// order_id stands behind it all the same.
		if err := storage.DeferInsert(tx, &pay, paidAlready); err != nil {
			return Payment{}, err
		}
		row.Status, row.PaidAt, row.UpdatedAt = StatusPaid, &now, now
		order := s.toOrder(row, now)
		if _, err := webhooks.Emit(tx, orderEvent(webhooks.OrderPaid, order, now)); err != nil {
			return Payment{}, err
		}
		// The ledger goes last: its accounts are the rows other payments
		// wait on, so their locks are held for the shortest time. The
		// merchant is credited what the payer paid, and the discount too
		// when the platform funds it; the fee is taken from that.
		posting := ledger.Transaction{Kind: "payment", Reference: pay.ID, CreatedAt: now}
		merchantPending := ledger.MerchantPendingAccount(row.MerchantID, row.Currency, row.Livemode)
		posting.Move(ledger.WalletAccount(walletID, row.Currency, row.Livemode), merchantPending, row.AmountPaid)
		posting.Move(merchantPending, ledger.PlatformFeesAccount(row.Currency, row.Livemode), row.Fee)
		posting.Line(row.line(merchantPending, ledger.LinePayment, pay.ID, row.AmountPaid, row.Fee))
		if row.platformFunded() {
			posting.Move(ledger.PlatformMarketingAccount(row.Currency, row.Livemode), merchantPending, discount)
			posting.Line(row.line(merchantPending, ledger.LineCouponFunding, *row.CouponID, discount, 0))
		}
		for _, campaign := range []*string{read.MerchantCashback, read.PlatformCashback} {
			if campaign == nil {
				continue
			}
			if _, err := s.grantCashback(tx, *campaign, row, walletID, pay.ID, &posting, now); err != nil {
				return Payment{}, err
			}
		}
		if err := ledger.Post(tx, posting); err != nil {
			return Payment{}, err
		}
		return Payment{ID: pay.ID, Object: "payment", Livemode: pay.Livemode, Order: row.ID, Merchant: row.MerchantName,
			Amount: row.Amount, AmountDiscount: discount, AmountPaid: row.AmountPaid, Currency: pay.Currency,
			Promotion: order.Promotion, Status: "succeeded", CreatedAt: pay.CreatedAt}, nil
	})
	switch {
	case errors.Is(err, errNotPaid):
		return Payment{}, s.whyNotPaid(ctx, unpaid, walletID, pinVerified)
	case errors.Is(err, errCouponTaken):
		return Payment{}, ErrCouponNotApplicable.WithMessage("the coupon was used meanwhile")
	case errors.Is(err, errCampaignRefused):
		return Payment{}, s.whyCampaignRefused(ctx, coupon, unpaid, now)
	case errors.Is(err, ledger.ErrInsufficientFunds):
		// The ledger's refusal came with the compare-and-set's in one
		// statement: a wallet that refuses (frozen, of the other mode,
		// the PIN needed) says so before its balance does.
		if refusal := s.walletRefusal(ctx, unpaid, walletID, pinVerified); refusal != nil {
			return Payment{}, refusal
		}
	}
	if err != nil {
		return Payment{}, err
	}
	s.wake()
	return payment, nil
}

// readPayment reads what a payment pays: the order, with the cashback
// campaigns that apply to it at now, and the coupon when couponID names
// one and the order is still payable (an order that is not says so
// first). It reads past gorm (storage.QueryRow): gorm's building of the
// statement and its reflective scan of the row cost more of the gateway's
// CPU than the read's round trip.
func readPayment(db *gorm.DB, orderID string, couponID *string, now time.Time) (payableOrder, heldCoupon, error) {
	var read payableOrder
	err := storage.QueryRow(db, `SELECT `+orderColumns+cashbackCampaignsSQL+` FROM orders WHERE orders.id = ?`,
		now, now, now, now, orderID).
		Scan(append(read.Order.fields(), &read.MerchantCashback, &read.PlatformCashback)...)
	if errors.Is(err, sql.ErrNoRows) {
		return payableOrder{}, heldCoupon{}, scanpay.NotFound("order", orderID).WithParam("order")
	}
	if err != nil {
		return payableOrder{}, heldCoupon{}, err
	}
	if couponID == nil || read.Order.effectiveStatus(now) != StatusPending {
		return read, heldCoupon{}, nil
	}
	coupon, err := findHeldCoupon(db, *couponID, read.Order.MerchantID)
	return read, coupon, err
}

// errNotPaid is the order's compare-and-set changing nothing: the
// payment's writes are rolled back, and whyNotPaid finds the reason.
var errNotPaid = errors.New("checkout: the order's compare-and-set changed nothing")

// whyNotPaid explains a compare-and-set that changed nothing: the wallet
// refuses (frozen, the PIN needed, another mode) or the order was paid,
// canceled or expired meanwhile. It reads outside the transaction, which
// has rolled back.
func (s *Service) whyNotPaid(ctx context.Context, row orderRow, walletID string, pinVerified bool) error {
	if refusal := s.walletRefusal(ctx, row, walletID, pinVerified); refusal != nil {
		return refusal
	}
	return ErrOrderNotPayable.WithMessage("the order was paid, canceled or expired meanwhile")
}

// walletRefusal is the wallet's reason not to pay row, if it has one:
// frozen, the PIN needed, or of the other mode.
func (s *Service) walletRefusal(ctx context.Context, row orderRow, walletID string, pinVerified bool) error {
	amount := row.AmountPaid
	if pinVerified {
		amount = 0 // within any no-PIN limit: the PIN is not the reason
	}
	payer, err := s.wallets.Authorize(ctx, walletID, amount, "")
	if err != nil {
		return err
	}
	if payer.Livemode != row.Livemode {
		return ErrOrderNotPayable.WithMessage("a test-mode wallet cannot pay a live order, nor the reverse")
	}
	return nil
}

// paidAlready names the failure of a payment's insert on the unique order_id.
func paidAlready(err error) error {
	if storage.IsUniqueViolationOn(err, "payments") {
		return ErrOrderNotPayable.WithMessage("the order is paid already")
	}
	return nil
}
