package checkout

import (
	"context"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// ExpireDue marks up to limit pending orders whose expiry has passed as
// expired and writes order.expired for each, in one transaction, and
// returns how many it marked. Each update is a compare-and-set, so several
// sweepers (one per gateway process) never expire an order twice, and a
// payment that won the race keeps its order paid.
func (s *Service) ExpireDue(ctx context.Context, limit int) (int, error) {
	now := s.now()
	var due []orderRow
	err := s.db.WithContext(ctx).Where("status = ? AND expires_at <= ?", StatusPending, now).
		Order("expires_at").Limit(limit).Find(&due).Error
	if err != nil || len(due) == 0 {
		return 0, err
	}
	expired := 0
	err = storage.InTx(ctx, s.db, func(tx *gorm.DB) error {
		expired = 0
		for _, row := range due {
			res := tx.Model(&orderRow{}).Where("id = ? AND status = ? AND expires_at <= ?", row.ID, StatusPending, now).
				Updates(map[string]any{"status": StatusExpired, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue // paid, canceled or expired by someone else meanwhile
			}
			row.Status, row.UpdatedAt = StatusExpired, now
			if _, err := webhooks.Emit(tx, orderEvent(webhooks.OrderExpired, s.toOrder(row, now), now)); err != nil {
				return err
			}
			expired++
		}
		return nil
	})
	if expired > 0 {
		s.wake()
	}
	return expired, err
}
