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

// ListParams narrow a list of orders; empty fields match everything.
type ListParams struct {
	Status        Status
	Reference     string
	Limit         int
	StartingAfter string
}

// GetOrder returns one of the principal's orders.
func (s *Service) GetOrder(ctx context.Context, p merchant.Principal, id string) (Order, error) {
	row, err := merchant.Find[orderRow](ctx, s.db, p, "order", id)
	if err != nil {
		return Order{}, err
	}
	return s.merchantView(row, s.now()), nil
}

// ListOrders returns the principal's orders, newest first, and whether
// more follow. Filtering by status uses the effective status, so an order
// past its expiry lists as expired before the sweeper gets to it.
func (s *Service) ListOrders(ctx context.Context, p merchant.Principal, f ListParams) ([]Order, bool, error) {
	now := s.now()
	q := s.db.WithContext(ctx).Where("merchant_id = ? AND livemode = ?", p.MerchantID, p.Livemode)
	switch f.Status {
	case "":
	case StatusPending:
		q = q.Where("status = ? AND expires_at > ?", StatusPending, now)
	case StatusExpired:
		q = q.Where("(status = ? OR (status = ? AND expires_at <= ?))", StatusExpired, StatusPending, now)
	case StatusPaid, StatusCanceled, StatusPartiallyRefunded, StatusRefunded:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, false, scanpay.Invalid("status", "unknown status %q", f.Status)
	}
	if f.Reference != "" {
		q = q.Where("reference = ?", f.Reference)
	}
	rows, more, err := storage.Page[orderRow](q, f.Limit, f.StartingAfter)
	if err != nil {
		return nil, false, err
	}
	orders := make([]Order, len(rows))
	for i, r := range rows {
		orders[i] = s.merchantView(r, now)
	}
	return orders, more, nil
}

// PublicOrder is what the hosted checkout page and a scanning wallet may
// see of an order: no metadata, no merchant reference, no fees.
type PublicOrder struct {
	ID           string
	Status       Status
	Amount       int64
	Currency     string
	Description  string
	MerchantName string
	QRFormat     string
	Payload      string
	Livemode     bool
	ExpiresAt    time.Time
}

// Checkout returns the public view of an order by id, for the hosted page.
func (s *Service) Checkout(ctx context.Context, id string) (PublicOrder, error) {
	return s.public(ctx, "id = ?", id)
}

// Status returns an order's status as of now, by id, in one small read:
// what the checkout page's live stream asks for every second.
func (s *Service) Status(ctx context.Context, id string) (Status, error) {
	var row orderRow
	err := s.db.WithContext(ctx).Select("status", "expires_at").Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", scanpay.NotFound("order", id)
	}
	if err != nil {
		return "", err
	}
	return row.effectiveStatus(s.now()), nil
}

// ByCode returns the public view of the order whose QR code is code.
func (s *Service) ByCode(ctx context.Context, code string) (PublicOrder, error) {
	return s.public(ctx, "qr_code = ?", code)
}

func (s *Service) public(ctx context.Context, where string, arg string) (PublicOrder, error) {
	var row orderRow
	err := s.db.WithContext(ctx).Where(where, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PublicOrder{}, scanpay.NotFound("order", arg)
	}
	if err != nil {
		return PublicOrder{}, err
	}
	return row.public(s.now()), nil
}

func (row orderRow) public(now time.Time) PublicOrder {
	return PublicOrder{
		ID: row.ID, Status: row.effectiveStatus(now), Amount: row.Amount, Currency: row.Currency,
		Description: row.Description, MerchantName: row.MerchantName, QRFormat: row.QRFormat, Payload: row.QRPayload, Livemode: row.Livemode,
		ExpiresAt: row.ExpiresAt,
	}
}
