package merchant

import (
	"context"
	"errors"

	"github.com/scanpay/scanpay"
	"gorm.io/gorm"
)

// Find reads the row of type T with id that belongs to p's merchant in
// p's mode (an order, a refund, a campaign, a settlement, a payout...).
// Another merchant's row, or one of the other mode, is as not found as one
// that does not exist: a not-found error naming noun. db may carry a
// transaction and a locking clause.
func Find[T any](ctx context.Context, db *gorm.DB, p Principal, noun, id string) (T, error) {
	var row T
	err := db.WithContext(ctx).Where("id = ? AND merchant_id = ? AND livemode = ?", id, p.MerchantID, p.Livemode).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, scanpay.NotFound(noun, id)
	}
	return row, err
}
