package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// advanceBatch bounds the payouts of one status one AdvancePayouts looks at.
const advanceBatch = 200

// AdvancePayouts takes every payout one step further with its bank: a
// pending one is submitted (in transit, or failed at once), one in transit
// is paid or failed as the bank tracks it, and one paid within the bank's
// return window fails if the bank returned it. Each step is a
// compare-and-set in its own transaction, so any number of processes may
// run it at once; a bank must treat a transfer submitted twice under one
// reference as one. Payouts of a mode with no bank wait. It returns how
// many payouts changed; one that fails does not stop the others, and its
// error is returned with theirs.
func (s *Service) AdvancePayouts(ctx context.Context) (int, error) {
	now := s.now()
	var errs []error
	changed := 0
	for _, step := range []struct {
		status string
		since  func(Bank) time.Time // paid_at bound, for the paid ones
	}{
		{status: PayoutPending},
		{status: PayoutInTransit},
		{status: PayoutPaid, since: func(b Bank) time.Time { return now.Add(-b.ReturnWindow()) }},
	} {
		for livemode, bank := range s.banks {
			q := s.db.WithContext(ctx).Where("status = ? AND livemode = ?", step.status, livemode)
			if step.since != nil {
				q = q.Where("paid_at >= ?", step.since(bank))
			}
			var rows []payoutRow
			if err := q.Order("id").Limit(advanceBatch).Find(&rows).Error; err != nil {
				return changed, fmt.Errorf("settlement: find %s payouts: %w", step.status, err)
			}
			for _, row := range rows {
				moved, err := s.advance(ctx, bank, row, now)
				if errors.Is(err, errDoneElsewhere) {
					continue
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("settlement: payout %s: %w", row.ID, err))
					continue
				}
				if moved {
					changed++
				}
			}
		}
	}
	if changed > 0 {
		s.wake()
	}
	return changed, errors.Join(errs...)
}

// advance asks the bank about one payout and records its answer; it
// reports whether the payout changed.
func (s *Service) advance(ctx context.Context, bank Bank, row payoutRow, now time.Time) (bool, error) {
	t, err := s.transfer(ctx, row)
	if err != nil {
		return false, err
	}
	var refusal *Refusal
	if row.Status == PayoutPending {
		err := bank.Submit(ctx, t)
		switch {
		case errors.As(err, &refusal):
			return true, s.fail(ctx, row, refusal, now)
		case err != nil:
			return false, err // asked again next time
		}
		return true, s.step(ctx, row, PayoutPending, map[string]any{"status": PayoutInTransit, "submitted_at": now, "updated_at": now})
	}
	status, refusal, err := bank.Track(ctx, t, now)
	switch {
	case err != nil:
		return false, err
	case status == TransferFailed && refusal != nil:
		return true, s.fail(ctx, row, refusal, now)
	case status == TransferPaid && row.Status == PayoutInTransit:
		return true, s.paid(ctx, row, now)
	}
	return false, nil
}

// transfer is the payout as its bank sees it, with the account number
// opened from its seal.
func (s *Service) transfer(ctx context.Context, row payoutRow) (Transfer, error) {
	var account bankAccountRow
	if err := s.db.WithContext(ctx).Where("id = ?", row.BankAccountID).Take(&account).Error; err != nil {
		return Transfer{}, err
	}
	number, err := s.number(account)
	if err != nil {
		return Transfer{}, fmt.Errorf("bank account %s: %w", account.ID, err)
	}
	t := Transfer{Reference: row.ID, AccountNumber: number, Amount: row.Amount, Currency: row.Currency}
	if row.SubmittedAt != nil {
		t.SubmittedAt = *row.SubmittedAt
	}
	return t, nil
}

// step changes a payout from one status by compare-and-set, alone in its
// transaction; errDoneElsewhere when another process moved it first.
func (s *Service) step(ctx context.Context, row payoutRow, from string, changes map[string]any) error {
	_, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (struct{}, error) {
		return struct{}{}, casPayout(tx, row.ID, from, changes)
	})
	return err
}

func casPayout(tx *gorm.DB, id, from string, changes map[string]any) error {
	res := tx.Model(&payoutRow{}).Where("id = ? AND status = ?", id, from).Updates(changes)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errDoneElsewhere
	}
	return nil
}

// paid records a payout's arrival, in one transaction: in transit → paid
// by compare-and-set, its money from in transit out through bank
// clearing, its bank account verified, and payout.paid.
func (s *Service) paid(ctx context.Context, row payoutRow, now time.Time) error {
	_, err := storage.Transact(ctx, s.db, func(tx *gorm.DB) (struct{}, error) {
		if err := casPayout(tx, row.ID, PayoutInTransit, map[string]any{"status": PayoutPaid, "paid_at": now, "updated_at": now}); err != nil {
			return struct{}{}, err
		}
		g := row.group()
		posting := ledger.Transaction{Kind: "payout_paid", Reference: row.ID, CreatedAt: now}
		posting.Move(g.inTransit(), ledger.BankClearingAccount(g.Currency, g.Livemode), row.Amount)
		if err := ledger.Post(tx, posting); err != nil {
			return struct{}{}, err
		}
		err := tx.Model(&bankAccountRow{}).Where("id = ? AND status = ?", row.BankAccountID, AccountNew).
			Updates(map[string]any{"status": AccountVerified, "updated_at": now}).Error
		if err != nil {
			return struct{}{}, err
		}
		row.Status, row.PaidAt, row.UpdatedAt = PayoutPaid, &now, now
		_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.PayoutPaid, MerchantID: row.MerchantID,
			Livemode: row.Livemode, Object: row.toPayout(), CreatedAt: now})
		return struct{}{}, err
	})
	return err
}

// fail records the bank's refusal or return of a payout, in one
// transaction: its status → failed by compare-and-set with the bank's
// code and message, its money back to available (from in transit, or
// from bank clearing when it had been paid) with a payout_failure
// balance transaction, its bank account errored, which holds automatic
// payouts until the merchant adds another, and payout.failed.
func (s *Service) fail(ctx context.Context, row payoutRow, refusal *Refusal, now time.Time) error {
	m, err := s.merchants.Get(ctx, row.MerchantID)
	if err != nil {
		return err
	}
	_, err = storage.Transact(ctx, s.db, func(tx *gorm.DB) (struct{}, error) {
		err := casPayout(tx, row.ID, row.Status, map[string]any{"status": PayoutFailed, "failure_code": refusal.Code,
			"failure_message": refusal.Message, "failed_at": now, "updated_at": now})
		if err != nil {
			return struct{}{}, err
		}
		g := row.group()
		from := g.inTransit()
		if row.Status == PayoutPaid {
			from = ledger.BankClearingAccount(g.Currency, g.Livemode)
		}
		posting := ledger.Transaction{Kind: "payout_failure", Reference: row.ID, CreatedAt: now}
		posting.Move(from, g.available(), row.Amount)
		posting.Line(ledger.Line{Account: g.available(), Type: ledger.LinePayoutFailure, Source: row.ID, Gross: row.Amount,
			AvailableOn: formatDay(dayOf(now, m.Location()))})
		if err := ledger.Post(tx, posting); err != nil {
			return struct{}{}, err
		}
		err = tx.Model(&bankAccountRow{}).Where("id = ?", row.BankAccountID).
			Updates(map[string]any{"status": AccountErrored, "updated_at": now}).Error
		if err != nil {
			return struct{}{}, err
		}
		row.Status, row.FailureCode, row.FailureMessage, row.FailedAt, row.UpdatedAt = PayoutFailed, &refusal.Code, &refusal.Message, &now, now
		_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.PayoutFailed, MerchantID: row.MerchantID,
			Livemode: row.Livemode, Object: row.toPayout(), CreatedAt: now})
		return struct{}{}, err
	})
	return err
}
