package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

var (
	// errNothingDue ends a group's run: no pending day is due.
	errNothingDue = errors.New("settlement: nothing due")
	// errDoneElsewhere rolls back a step that another process took first,
	// as a unique constraint or a compare-and-set found.
	errDoneElsewhere = errors.New("settlement: done by another process")
)

// maxRaces bounds how often in a row one group's step may find another
// process took it first before a run leaves the group to the next run.
const maxRaces = 10

// group is one merchant's money in one mode and currency: what settles
// and pays out together.
type group struct {
	MerchantID string
	Livemode   bool
	Currency   string
}

func (g group) pending() ledger.Account {
	return ledger.MerchantPendingAccount(g.MerchantID, g.Currency, g.Livemode)
}

func (g group) available() ledger.Account {
	return ledger.MerchantAvailableAccount(g.MerchantID, g.Currency, g.Livemode)
}

func (g group) inTransit() ledger.Account {
	return ledger.MerchantInTransitAccount(g.MerchantID, g.Currency, g.Livemode)
}

// lines selects the group's balance transactions.
func (g group) lines(tx *gorm.DB) *gorm.DB {
	return tx.Model(&lineRow{}).Where("merchant_id = ? AND livemode = ? AND currency = ?", g.MerchantID, g.Livemode, g.Currency)
}

// SettleDue settles every business day that is due as of asOf: for each
// merchant, mode and currency with pending balance transactions, each day
// D with some whose settlement the merchant's delay allows (D + delay on
// or before asOf), oldest first, one settlement each. A zero asOf is today
// in each merchant's time zone. Any number of processes may run it at
// once, and again: a day is settled once (see settleNext). It returns the
// settlements it made; a group that fails does not stop the others, and
// its error is returned with theirs.
func (s *Service) SettleDue(ctx context.Context, asOf time.Time) ([]Settlement, error) {
	var groups []group
	err := s.db.WithContext(ctx).Model(&lineRow{}).Distinct("merchant_id", "livemode", "currency").
		Where("status = ?", LinePending).Order("merchant_id, livemode, currency").Scan(&groups).Error
	if err != nil {
		return nil, fmt.Errorf("settlement: find pending balances: %w", err)
	}
	var made []Settlement
	var errs []error
	for _, g := range groups {
		m, err := s.merchants.Get(ctx, g.MerchantID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		today := asOf
		if today.IsZero() {
			today = dayOf(s.now(), m.Location())
		}
		lastDue := today.AddDate(0, 0, -m.SettlementDelayDays)
		for raced := 0; ; {
			st, err := s.settleNext(ctx, g, m, lastDue)
			if errors.Is(err, errDoneElsewhere) && raced < maxRaces {
				raced++
				continue // the next step reads what the other process did
			}
			if errors.Is(err, errNothingDue) {
				break
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("settlement: settle %s %s: %w", g.MerchantID, g.Currency, err))
				break
			}
			made = append(made, st)
		}
	}
	if len(made) > 0 {
		s.wake()
	}
	return made, errors.Join(errs...)
}

// settleNext settles the group's oldest business day that has pending
// balance transactions and no settlement yet, if it is on or before
// lastDue, in one transaction: the day's settlement row (unique per
// merchant, mode, currency and day: a second process's insert changes
// nothing, and its transaction rolls back), its pending lines made
// available with the settlement's id and available day, the report built
// from them and signed, the ledger posting that moves their net from
// pending to available (or back, on a negative day), and
// settlement.created. It returns errNothingDue when no day is due, and
// errDoneElsewhere when another process settled the day first.
//
// The day is the one after the last settled day when that is later than
// the oldest pending line's: a line whose transaction committed after its
// day was settled goes into the next settlement, not into none.
func (s *Service) settleNext(ctx context.Context, g group, m merchant.Merchant, lastDue time.Time) (Settlement, error) {
	loc := m.Location()
	return storage.Transact(ctx, s.db, func(tx *gorm.DB) (Settlement, error) {
		now := s.now()
		// The balances are locked first, in the order refunds lock them,
		// so settlements, payouts and refunds of the merchant take turns.
		if _, _, err := lockBalances(tx, g); err != nil {
			return Settlement{}, err
		}
		var oldest []time.Time
		err := g.lines(tx).Where("status = ?", LinePending).Order("created_at").Limit(1).Pluck("created_at", &oldest).Error
		if err != nil {
			return Settlement{}, err
		}
		if len(oldest) == 0 {
			return Settlement{}, errNothingDue
		}
		day := dayOf(oldest[0], loc)
		var last []string
		err = tx.Model(&settlementRow{}).Where("merchant_id = ? AND livemode = ? AND currency = ?", g.MerchantID, g.Livemode, g.Currency).
			Order("date DESC").Limit(1).Pluck("date", &last).Error
		if err != nil {
			return Settlement{}, err
		}
		if len(last) > 0 {
			settled, err := time.Parse(dayLayout, last[0])
			if err != nil {
				return Settlement{}, fmt.Errorf("settlement of %s on %q: %w", g.MerchantID, last[0], err)
			}
			if !day.After(settled) {
				day = settled.AddDate(0, 0, 1)
			}
		}
		if day.After(lastDue) {
			return Settlement{}, errNothingDue
		}
		row := settlementRow{ID: scanpay.NewID("stl"), MerchantID: g.MerchantID, Livemode: g.Livemode, Currency: g.Currency,
			Date: formatDay(day), Timezone: m.Timezone, AvailableOn: formatDay(day.AddDate(0, 0, m.SettlementDelayDays)), CreatedAt: now}
		err = g.lines(tx).Where("status = ? AND created_at < ?", LinePending, startOf(day.AddDate(0, 0, 1), loc)).
			Updates(map[string]any{"status": LineAvailable, "settlement_id": row.ID, "available_on": row.AvailableOn}).Error
		if err != nil {
			return Settlement{}, err
		}
		var lines []lineRow
		if err := tx.Where("settlement_id = ?", row.ID).Order("id").Find(&lines).Error; err != nil {
			return Settlement{}, err
		}
		for _, l := range lines {
			row.add(l)
		}
		row.ReportSHA256, row.ReportSignature = s.signer.sign(buildReport(row.Currency, lines))
		row.ReportKeyID = s.signer.id
		insert, err := storage.Insert(tx, &row, nil)
		if err != nil {
			return Settlement{}, err
		}
		res := tx.Exec(insert.SQL+` ON CONFLICT (merchant_id, livemode, currency, date) DO NOTHING`, insert.Args...)
		if res.Error != nil {
			return Settlement{}, res.Error
		}
		if res.RowsAffected == 0 {
			return Settlement{}, errDoneElsewhere
		}
		if err := s.recordKey(tx, now); err != nil {
			return Settlement{}, err
		}
		posting := ledger.Transaction{Kind: ledger.SettlementKind, Reference: row.ID, CreatedAt: now}
		if row.Net >= 0 {
			posting.Move(g.pending(), g.available(), row.Net)
		} else {
			posting.Move(g.available(), g.pending(), -row.Net)
		}
		if row.Net != 0 {
			if err := ledger.Post(tx, posting); err != nil {
				return Settlement{}, err
			}
		}
		st := s.toSettlement(row)
		_, err = webhooks.Emit(tx, webhooks.Event{Type: webhooks.SettlementCreated, MerchantID: g.MerchantID,
			Livemode: g.Livemode, Object: st, CreatedAt: now})
		return st, err
	})
}

// lockBalances reads the group's pending and available balances and
// holds them until the transaction ends, in the order a refund locks them
// (checkout's coverRefund), so that no two of them wait on each other.
func lockBalances(tx *gorm.DB, g group) (pending, available int64, err error) {
	if pending, err = ledger.LockedBalance(tx, g.pending()); err != nil {
		return 0, 0, err
	}
	if available, err = ledger.LockedBalance(tx, g.available()); err != nil {
		return 0, 0, err
	}
	return pending, available, nil
}
