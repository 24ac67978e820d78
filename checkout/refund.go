package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Refund errors.
var (
	ErrOrderNotRefundable = &scanpay.Error{Kind: scanpay.KindConflict, Code: "order_not_refundable", Param: "order",
		Message: "only a paid order can be refunded"}
	ErrRefundExceedsPayment = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "refund_exceeds_payment", Param: "amount",
		Message: "the refunds would exceed what was paid"}
	ErrMerchantBalanceTooLow = &scanpay.Error{Kind: scanpay.KindConflict, Code: "merchant_balance_insufficient",
		Message: "the merchant's balance does not cover this refund"}
)

const maxReasonLen = 500

// RefundParams is a merchant's request to give money back.
type RefundParams struct {
	Order  string `json:"order"`
	Amount *int64 `json:"amount"`
	Reason string `json:"reason"`
}

// Refund is money returned for part or all of an order. Amount is a part
// of the order's price; the payer gets AmountToPayer of it, their share of
// what they paid, and AmountDiscountReversed goes back to whoever funded
// the order's discount.
type Refund struct {
	ID                     string    `json:"id"`
	Object                 string    `json:"object"`
	Livemode               bool      `json:"livemode"`
	Order                  string    `json:"order"`
	Payment                string    `json:"payment"`
	Amount                 int64     `json:"amount"`
	AmountToPayer          int64     `json:"amount_to_payer"`
	AmountDiscountReversed int64     `json:"amount_discount_reversed"`
	Currency               string    `json:"currency"`
	Reason                 string    `json:"reason"`
	Status                 string    `json:"status"`
	CreatedAt              time.Time `json:"created_at"`
}

type refundRow struct {
	ID                     string
	OrderID                string
	PaymentID              string
	MerchantID             string
	Livemode               bool
	Amount                 int64
	AmountToPayer          int64
	AmountDiscountReversed int64
	Currency               string
	FeeRefunded            int64
	Reason                 string
	Status                 string
	CreatedAt              time.Time
}

func (refundRow) TableName() string { return "refunds" }

func (r refundRow) toRefund() Refund {
	return Refund{ID: r.ID, Object: "refund", Livemode: r.Livemode, Order: r.OrderID, Payment: r.PaymentID,
		Amount: r.Amount, AmountToPayer: r.AmountToPayer, AmountDiscountReversed: r.AmountDiscountReversed,
		Currency: r.Currency, Reason: r.Reason, Status: r.Status, CreatedAt: r.CreatedAt}
}

// shares splits a refund of amount, a part of the order's price, between
// the payer and the discount's funder: the payer gets amount × paid ÷
// price rounded half up, and the refund that completes the order exactly
// what is left of what they paid, so that the payer's shares of all
// refunds add up to amount_paid and never pass it.
func (o orderRow) shares(amount int64) (toPayer, reversed int64) {
	leftToPayer := o.AmountPaid - o.AmountRefunded
	if o.PriceRefunded+amount == o.Amount {
		toPayer = leftToPayer
	} else {
		toPayer = min(merchant.FeeShare(o.AmountPaid, amount, o.Amount), leftToPayer)
	}
	return toPayer, amount - toPayer
}

// CreateRefund returns part or all of an order's price, in one
// transaction: the order's refunded totals rise by compare-and-set (never
// above the price), the payer's wallet gets their share back from the
// merchant's pending balance, the discount's share goes back to its funder
// (the platform's marketing account, or the merchant's campaign budget),
// the platform returns its fee in proportion, and refund.succeeded (with
// coupon.redemption_reversed for a discounted order) goes to the outbox.
// Without an amount, it refunds what is left.
func (s *Service) CreateRefund(ctx context.Context, p merchant.Principal, params RefundParams) (Refund, error) {
	if params.Order == "" {
		return Refund{}, scanpay.Missing("order")
	}
	if params.Amount != nil && *params.Amount <= 0 {
		return Refund{}, scanpay.Invalid("amount", "amount must be a positive integer in the currency's minor unit")
	}
	if err := scanpay.CheckText("reason", params.Reason, maxReasonLen); err != nil {
		return Refund{}, err
	}
	refund, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (Refund, error) {
		now := s.now()
		order, err := s.lockOrder(ctx, tx, p, params.Order)
		if err != nil {
			return Refund{}, err
		}
		switch order.Status {
		case StatusPaid, StatusPartiallyRefunded, StatusRefunded: // a refunded one has nothing left; said below
		default:
			return Refund{}, ErrOrderNotRefundable.WithMessage("the order is %s; only a paid order can be refunded", order.effectiveStatus(now))
		}
		left := order.Amount - order.PriceRefunded
		amount := left
		if params.Amount != nil {
			amount = *params.Amount
		}
		if amount > left {
			return Refund{}, ErrRefundExceedsPayment.WithMessage("%d is more than the %d left to refund", amount, left)
		}
		toPayer, reversed := order.shares(amount)
		priceRefunded, payerRefunded := order.PriceRefunded+amount, order.AmountRefunded+toPayer
		status := StatusPartiallyRefunded
		if priceRefunded == order.Amount {
			status = StatusRefunded
		}
		res := tx.Model(&orderRow{}).
			Where("id = ? AND status IN ? AND price_refunded = ?", order.ID, []Status{StatusPaid, StatusPartiallyRefunded}, order.PriceRefunded).
			Updates(map[string]any{"price_refunded": priceRefunded, "amount_refunded": payerRefunded, "status": status, "updated_at": now})
		if res.Error != nil {
			return Refund{}, res.Error
		}
		if res.RowsAffected == 0 { // unreachable under the row lock; kept as the guard it is
			return Refund{}, ErrRefundExceedsPayment.WithMessage("another refund of this order went through meanwhile; retry")
		}
		var pay paymentRow
		if err := tx.Where("order_id = ?", order.ID).Take(&pay).Error; err != nil {
			return Refund{}, err
		}
		// The fee goes back in proportion to the merchant's credit refunded.
		base, before, after := feeBase(order), order.AmountRefunded, payerRefunded
		if order.platformFunded() {
			before, after = order.PriceRefunded, priceRefunded
		}
		feeBack := merchant.FeeShare(order.Fee, after, base) - merchant.FeeShare(order.Fee, before, base)
		refund := refundRow{ID: scanpay.NewID("re"), OrderID: order.ID, PaymentID: pay.ID, MerchantID: order.MerchantID,
			Livemode: order.Livemode, Amount: amount, AmountToPayer: toPayer, AmountDiscountReversed: reversed,
			Currency: order.Currency, FeeRefunded: feeBack, Reason: params.Reason, Status: "succeeded", CreatedAt: now}
		if err := storage.DeferInsert(tx, &refund, nil); err != nil {
			return Refund{}, err
		}
		posting := ledger.Transaction{Kind: "refund", Reference: refund.ID, CreatedAt: now}
		merchantPending := ledger.MerchantPendingAccount(order.MerchantID, order.Currency, order.Livemode)
		posting.Move(ledger.PlatformFeesAccount(order.Currency, order.Livemode), merchantPending, feeBack)
		posting.Move(merchantPending, ledger.WalletAccount(pay.WalletID, order.Currency, order.Livemode), toPayer)
		posting.Line(order.line(merchantPending, ledger.LineRefund, refund.ID, -toPayer, -feeBack))
		if order.platformFunded() { // the platform's share of the discount goes back to it
			posting.Move(merchantPending, ledger.PlatformMarketingAccount(order.Currency, order.Livemode), reversed)
			posting.Line(order.line(merchantPending, ledger.LineCouponFunding, refund.ID, -reversed, 0))
		}
		if err := s.reverseCashback(tx, order, refund, status == StatusRefunded, &posting, now); err != nil {
			return Refund{}, err
		}
		if err := coverRefund(tx, order, posting.Net(merchantPending)); err != nil {
			return Refund{}, err
		}
		err = ledger.Post(tx, posting)
		if err == nil {
			err = storage.Flush(tx) // the merchant's balance must cover it: know now
		}
		if errors.Is(err, ledger.ErrInsufficientFunds) {
			return Refund{}, ErrMerchantBalanceTooLow
		}
		if err != nil {
			return Refund{}, err
		}
		if err := s.reverseDiscount(tx, order, refund, now); err != nil {
			return Refund{}, err
		}
		_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.RefundSucceeded, MerchantID: order.MerchantID,
			Livemode: order.Livemode, OrderID: order.ID, Object: refund.toRefund(), CreatedAt: now})
		return refund.toRefund(), err
	})
	if err != nil {
		return Refund{}, err
	}
	s.wake()
	return refund, nil
}

// lockOrder reads one of the principal's orders for update. On PostgreSQL
// the row lock makes concurrent refunds of one order take turns, so each
// sees the refunded total the one before it left; SQLite's IMMEDIATE
// transactions already take turns.
func (s *Service) lockOrder(ctx context.Context, tx *gorm.DB, p merchant.Principal, id string) (orderRow, error) {
	if storage.DialectOf(tx) == storage.Postgres {
		tx = tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	row, err := merchant.Find[orderRow](ctx, tx, p, "order", id)
	if err != nil {
		var e *scanpay.Error
		if errors.As(err, &e) && e.Kind == scanpay.KindNotFound {
			return row, e.WithParam("order")
		}
	}
	return row, err
}

// GetRefund returns one of the principal's refunds.
func (s *Service) GetRefund(ctx context.Context, p merchant.Principal, id string) (Refund, error) {
	row, err := merchant.Find[refundRow](ctx, s.db, p, "refund", id)
	if err != nil {
		return Refund{}, err
	}
	return row.toRefund(), nil
}

// ListRefunds returns the principal's refunds, of one order when orderID
// is given, newest first.
func (s *Service) ListRefunds(ctx context.Context, p merchant.Principal, orderID string, limit int, startingAfter string) ([]Refund, bool, error) {
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	if orderID != "" {
		q = q.Where("order_id = ?", orderID)
	}
	rows, more, err := storage.Page[refundRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, err
	}
	out := make([]Refund, len(rows))
	for i, r := range rows {
		out[i] = r.toRefund()
	}
	return out, more, nil
}

// coverRefund refuses a refund that would take more than the merchant has,
// pending and available together, locking both until the refund commits:
// the pending balance alone may go below zero, when the refund draws on
// takings that have settled.
func coverRefund(tx *gorm.DB, o orderRow, net int64) error {
	if net >= 0 {
		return nil
	}
	var have int64
	for _, a := range []ledger.Account{ledger.MerchantPendingAccount(o.MerchantID, o.Currency, o.Livemode),
		ledger.MerchantAvailableAccount(o.MerchantID, o.Currency, o.Livemode)} {
		b, err := ledger.LockedBalance(tx, a)
		if err != nil {
			return err
		}
		have += b
	}
	if have+net < 0 {
		return ErrMerchantBalanceTooLow.WithMessage("the refund takes %d; the merchant has %d, pending and available", -net, have)
	}
	return nil
}
