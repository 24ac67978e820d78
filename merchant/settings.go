package merchant

import (
	"context"
	"errors"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"

	// Time zones are checked against the IANA database built into the
	// binary, so a merchant's zone works on a host without zoneinfo.
	_ "time/tzdata"
)

// Payout schedules: how a merchant's available money reaches its bank.
const (
	PayoutDaily  = "daily"  // an automatic payout of everything available, once a day
	PayoutManual = "manual" // only the payouts the merchant asks for
)

// Settlement defaults and bounds. A business day settles once it is over,
// so the shortest delay is 1: the day's money is available the day after.
const (
	DefaultTimezone            = "Asia/Shanghai"
	DefaultSettlementDelayDays = 1
	MinSettlementDelayDays     = 1
	MaxSettlementDelayDays     = 30
)

// Self is the merchant as its own API key sees it: the merchant, and the
// key's mode.
type Self struct {
	Merchant
	Livemode bool `json:"livemode"`
}

// SettingsParams change how a merchant is settled and paid out; a field
// left out keeps its value.
type SettingsParams struct {
	PayoutSchedule      *string `json:"payout_schedule"`
	SettlementDelayDays *int    `json:"settlement_delay_days"`
	Timezone            *string `json:"timezone"`
}

// Location is the time zone of the merchant's business days. A zone
// stored by UpdateSettings always loads; should the time zone database
// drop one, the merchant is settled on China's.
func (m Merchant) Location() *time.Location {
	if loc, err := time.LoadLocation(m.Timezone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultTimezone)
	return loc
}

// UpdateSettings changes the merchant's settlement and payout settings in
// one transaction (storage.Transact, so the request's Idempotency-Key
// records the answer with it), and forgets the cached merchant in this
// process; others see the change within CacheTTL. It returns a
// scanpay.KindInvalid error naming the field: payout_schedule other than
// daily or manual, settlement_delay_days outside 1..30, or a timezone
// that is not in the IANA database ("Asia/Shanghai", "Europe/Paris").
func (s *Service) UpdateSettings(ctx context.Context, p Principal, params SettingsParams) (Self, error) {
	changes := map[string]any{}
	if v := params.PayoutSchedule; v != nil {
		if *v != PayoutDaily && *v != PayoutManual {
			return Self{}, scanpay.Invalid("payout_schedule", "payout_schedule must be daily or manual")
		}
		changes["payout_schedule"] = *v
	}
	if v := params.SettlementDelayDays; v != nil {
		if *v < MinSettlementDelayDays || *v > MaxSettlementDelayDays {
			return Self{}, scanpay.Invalid("settlement_delay_days", "settlement_delay_days must be a whole number of days from %d (the day after) to %d",
				MinSettlementDelayDays, MaxSettlementDelayDays)
		}
		changes["settlement_delay_days"] = *v
	}
	if v := params.Timezone; v != nil {
		if err := checkTimezone(*v); err != nil {
			return Self{}, err
		}
		changes["timezone"] = *v
	}
	self, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (Self, error) {
		if len(changes) > 0 {
			if err := tx.Model(&merchantRow{}).Where("id = ?", p.MerchantID).Updates(changes).Error; err != nil {
				return Self{}, err
			}
		}
		var row merchantRow
		err := tx.Where("id = ?", p.MerchantID).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Self{}, scanpay.NotFound("merchant", p.MerchantID)
		}
		if err != nil {
			return Self{}, err
		}
		return Self{Merchant: row.toMerchant(), Livemode: p.Livemode}, nil
	})
	if err != nil {
		return Self{}, err
	}
	s.merchants.drop(p.MerchantID)
	return self, nil
}

// checkTimezone accepts an IANA zone name. time.LoadLocation also takes
// "" and "UTC" and "Local"; only a named zone, or UTC, is a business
// day's place, and "Local" would be whatever the gateway's host says.
func checkTimezone(name string) error {
	if name == "" || name == "Local" || len(name) > 64 {
		return scanpay.Invalid("timezone", "timezone must be an IANA time zone name, like Asia/Shanghai")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return scanpay.Invalid("timezone", "timezone %q is not an IANA time zone name, like Asia/Shanghai", name)
	}
	return nil
}
