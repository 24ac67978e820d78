package checkout

import (
	"time"

	"github.com/scanpay/scanpay"
	"gorm.io/gorm"
)

// ErrStaticQRLimitExceeded is a static-code payment that would take a
// payer past their daily allowance (Config.StaticQRDailyLimits); the
// message names the limit and what is left of it today.
var ErrStaticQRLimitExceeded = &scanpay.Error{Kind: scanpay.KindDeclined, Code: "static_qr_limit_exceeded", Param: "amount",
	Message: "this payment would pass the daily limit on payments through static codes"}

// chinaStandardTime is the day the allowance counts in, as the rules it
// follows do: UTC+8 all year round.
var chinaStandardTime = time.FixedZone("CST", 8*60*60)

// spendStaticAllowance takes what the payer pays for o from their
// allowance for static codes today, inside the payment's transaction. The
// one statement adds it to the day's total only if the total stays within
// the limit: on PostgreSQL a second payment of the same wallet waits for
// the first's row and then judges the total it left, so no two payments
// pass the limit together. A currency the limits do not name is not
// capped.
func (s *Service) spendStaticAllowance(tx *gorm.DB, walletID string, o orderRow, now time.Time) error {
	limit, capped := s.cfg.StaticQRDailyLimits[o.Currency]
	if !capped {
		return nil
	}
	day := now.In(chinaStandardTime).Format(time.DateOnly)
	if o.AmountPaid <= limit {
		res := tx.Exec(`INSERT INTO static_qr_spend (wallet_id, day, currency, amount) VALUES (?, ?, ?, ?)
ON CONFLICT (wallet_id, day, currency) DO UPDATE SET amount = static_qr_spend.amount + excluded.amount
WHERE static_qr_spend.amount + excluded.amount <= ?`, walletID, day, o.Currency, o.AmountPaid, limit)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return nil
		}
	}
	var spent []int64
	err := tx.Raw(`SELECT amount FROM static_qr_spend WHERE wallet_id = ? AND day = ? AND currency = ?`, walletID, day, o.Currency).
		Scan(&spent).Error
	if err != nil {
		return err
	}
	left := limit
	if len(spent) > 0 {
		left -= spent[0]
	}
	cur, _ := scanpay.LookupCurrency(o.Currency)
	return ErrStaticQRLimitExceeded.WithMessage(
		"payments through static codes are limited to %s %s a day per payer (China Standard Time); %s %s is left today",
		cur.FormatMajor(limit), cur.Code, cur.FormatMajor(max(left, 0)), cur.Code)
}
