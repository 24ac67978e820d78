package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// PayOutDue makes the automatic payouts due as of asOf (a business day;
// zero is today in each merchant's time zone): for each merchant on the
// daily schedule, once per currency, mode and day, a payout of all its
// available money to its newest bank account. Run it after SettleDue, so
// the day's settlements are in it. A merchant gets none while its newest
// bank account of the currency is errored (until it adds another), nor
// while refunds not yet settled may need its available money (see
// payable). It returns the payouts it made; a merchant that fails does
// not stop the others, and its error is returned with theirs.
func (s *Service) PayOutDue(ctx context.Context, asOf time.Time) ([]Payout, error) {
	var groups []group
	err := s.db.WithContext(ctx).Table("ledger_accounts").Select("owner AS merchant_id, livemode, currency").
		Where("kind = ? AND balance > 0", string(ledger.MerchantAvailable)).Order("owner, livemode, currency").Scan(&groups).Error
	if err != nil {
		return nil, fmt.Errorf("settlement: find available balances: %w", err)
	}
	var made []Payout
	var errs []error
	for _, g := range groups {
		m, err := s.merchants.Get(ctx, g.MerchantID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m.PayoutSchedule != merchant.PayoutDaily {
			continue
		}
		day := asOf
		if day.IsZero() {
			day = dayOf(s.now(), m.Location())
		}
		p, err := s.payOutAll(ctx, g, m.Location(), day)
		switch {
		case errors.Is(err, errNothingDue), errors.Is(err, errDoneElsewhere):
		case err != nil:
			errs = append(errs, fmt.Errorf("settlement: automatic payout of %s %s: %w", g.MerchantID, g.Currency, err))
		default:
			made = append(made, p)
		}
	}
	if len(made) > 0 {
		s.wake()
	}
	return made, errors.Join(errs...)
}

// payOutAll makes the group's automatic payout of day, in one
// transaction: the payout row (unique per merchant, mode, currency and
// day: another process's insert changes nothing, and returns
// errDoneElsewhere), the claim of every available balance transaction
// that no payout carries yet, which together are the whole available
// balance, and the move of that balance to in transit (see payOut). It
// returns errNothingDue when there is nothing to pay out, no bank account
// to pay it to, or money held against unsettled refunds.
func (s *Service) payOutAll(ctx context.Context, g group, loc *time.Location, day time.Time) (Payout, error) {
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Payout, error) {
		account, ok, err := newestBankAccount(tx, g, false)
		if err != nil {
			return Payout{}, err
		}
		if !ok || account.Status == AccountErrored {
			return Payout{}, errNothingDue
		}
		payable, available, err := payable(tx, g)
		if err != nil {
			return Payout{}, err
		}
		if available <= 0 || payable < available {
			return Payout{}, errNothingDue
		}
		row := s.newPayout(g, available, account.ID, s.now())
		date := formatDay(day)
		row.AutomaticDate = &date
		insert, err := storage.Insert(tx, &row, nil)
		if err != nil {
			return Payout{}, err
		}
		res := tx.Exec(insert.SQL+` ON CONFLICT (merchant_id, livemode, currency, automatic_date) DO NOTHING`, insert.Args...)
		if res.Error != nil {
			return Payout{}, res.Error
		}
		if res.RowsAffected == 0 {
			return Payout{}, errDoneElsewhere
		}
		err = g.lines(tx).Where("status = ? AND payout_id IS NULL", LineAvailable).Update("payout_id", row.ID).Error
		if err != nil {
			return Payout{}, err
		}
		var claimed int64
		if err := tx.Raw(`SELECT CAST(COALESCE(SUM(net), 0) AS BIGINT) FROM balance_transactions WHERE payout_id = ?`, row.ID).Scan(&claimed).Error; err != nil {
			return Payout{}, err
		}
		if claimed != available {
			return Payout{}, fmt.Errorf("the available balance transactions no payout carries net to %d, but %d is available", claimed, available)
		}
		return s.payOut(tx, row, loc)
	})
}
