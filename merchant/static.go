package merchant

import (
	"context"
	"errors"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// StaticCodeBytes is the randomness of a static code: 80 bits. The code is
// printed on a sticker for anyone to read, so it only has to keep
// merchants from being listed by trying codes; its length (16 characters)
// tells it from an order's code (20) without a lookup.
const StaticCodeBytes = 10

// codeOwner is whose a static code is.
type codeOwner struct {
	merchantID string
	livemode   bool
}

func newStaticCode() string { return scanpay.RandomToken(StaticCodeBytes) }

// staticCode is the merchant's code in a mode, "" when it has none yet.
func (m Merchant) staticCode(livemode bool) string {
	if livemode {
		return m.staticCodeLive
	}
	return m.staticCodeTest
}

// StaticCode returns the merchant's static code in the mode: what its
// counter sticker carries, the same for every payment. Test and live
// codes differ, as test and live data do. A merchant made before static
// codes gets its own on first use, by a compare-and-set, so two processes
// asking at once hand out the same one. It returns a not-found error for
// an unknown merchant.
func (s *Service) StaticCode(ctx context.Context, merchantID string, livemode bool) (string, error) {
	m, err := s.Get(ctx, merchantID)
	if err != nil {
		return "", err
	}
	if code := m.staticCode(livemode); code != "" {
		return code, nil
	}
	column := "static_code_test"
	if livemode {
		column = "static_code_live"
	}
	_, err = storage.Exec(ctx, s.db, `UPDATE merchants SET `+column+` = ? WHERE id = ? AND `+column+` IS NULL`,
		newStaticCode(), merchantID)
	if err != nil {
		return "", err
	}
	s.merchants.drop(merchantID)
	if m, err = s.Get(ctx, merchantID); err != nil {
		return "", err
	}
	return m.staticCode(livemode), nil
}

// ByStaticCode returns the merchant whose static code code is, and the
// code's mode. A code that is no merchant's is a not-found error. Codes
// never change hands, so what it found is kept for CacheTTL.
func (s *Service) ByStaticCode(ctx context.Context, code string) (Merchant, bool, error) {
	now := s.now()
	owner, ok := s.codes.get(code, now)
	if !ok {
		var row merchantRow
		err := s.db.WithContext(ctx).Where("static_code_test = ? OR static_code_live = ?", code, code).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Merchant{}, false, scanpay.NotFound("static code", code)
		}
		if err != nil {
			return Merchant{}, false, err
		}
		owner = codeOwner{merchantID: row.ID, livemode: row.StaticCodeLive != nil && *row.StaticCodeLive == code}
		s.codes.put(code, owner, now)
		s.merchants.put(row.ID, row.toMerchant(), now)
	}
	m, err := s.Get(ctx, owner.merchantID)
	return m, owner.livemode, err
}
