package checkout

import (
	"context"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// ErrOrderNotCancelable is a cancel of an order that is no longer pending.
var ErrOrderNotCancelable = &scanpay.Error{Kind: scanpay.KindConflict, Code: "order_not_cancelable",
	Message: "only a pending order can be canceled"}

// CancelOrder moves a pending order to canceled and writes order.canceled,
// in one transaction. The compare-and-set includes the expiry, so an order
// that has expired cannot be canceled even if the sweeper has not run.
func (s *Service) CancelOrder(ctx context.Context, p merchant.Principal, id string) (Order, error) {
	order, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (Order, error) {
		now := s.now()
		res := tx.Model(&orderRow{}).
			Where("id = ? AND merchant_id = ? AND livemode = ? AND status = ? AND expires_at > ?",
				id, p.MerchantID, p.Livemode, StatusPending, now).
			Updates(map[string]any{"status": StatusCanceled, "updated_at": now})
		if res.Error != nil {
			return Order{}, res.Error
		}
		row, err := merchant.Find[orderRow](ctx, tx, p, "order", id)
		if err != nil {
			return Order{}, err
		}
		order := s.toOrder(row, now)
		if res.RowsAffected == 0 {
			return Order{}, ErrOrderNotCancelable.WithMessage("the order is %s; only a pending order can be canceled", order.Status)
		}
		_, err = webhooks.Emit(tx, orderEvent(webhooks.OrderCanceled, order, now))
		return s.merchantView(row, now), err
	})
	if err != nil {
		return Order{}, err
	}
	s.wake()
	return order, nil
}

func orderEvent(typ string, o Order, now time.Time) webhooks.Event {
	return webhooks.Event{Type: typ, MerchantID: o.merchantID, Livemode: o.Livemode, OrderID: o.ID, Object: o, CreatedAt: now}
}
