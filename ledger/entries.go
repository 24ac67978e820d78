package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// EntryRecord is one line of an account's history, as the API shows it.
type EntryRecord struct {
	ID        string    `json:"id"`
	TxnID     string    `json:"transaction"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Kind      string    `json:"type"`
	Reference string    `json:"reference"`
	CreatedAt time.Time `json:"created_at"`
}

type entryRow struct {
	ID        string
	TxnID     string
	AccountID string
	Amount    int64
	Currency  string
	Kind      string
	Reference string
	CreatedAt time.Time
}

func (entryRow) TableName() string { return "ledger_entries" }

func (r entryRow) toRecord() EntryRecord {
	return EntryRecord{ID: r.ID, TxnID: r.TxnID, Amount: r.Amount, Currency: r.Currency, Kind: r.Kind,
		Reference: r.Reference, CreatedAt: r.CreatedAt}
}

// Entries returns up to limit of the account's entries (over all its
// stripes), newest first, and whether older ones remain. startingAfter,
// when not empty, is the id of the last entry of the previous page; entry
// ids sort by time, so the page continues from there however many entries
// arrive meanwhile.
func Entries(ctx context.Context, db *gorm.DB, a Account, limit int, startingAfter string) ([]EntryRecord, bool, error) {
	ids := a.rows(db.WithContext(ctx)).Select("id")
	return entries(db.WithContext(ctx).Where("account_id IN (?)", ids), a.ID(), limit, startingAfter)
}

// OwnerEntries is Entries across every account of one holder in one mode,
// whatever their kind or currency: a wallet's history in all its
// currencies reads as one list.
func OwnerEntries(ctx context.Context, db *gorm.DB, owner string, livemode bool, limit int, startingAfter string) ([]EntryRecord, bool, error) {
	q := db.WithContext(ctx).Where("account_id IN (SELECT id FROM ledger_accounts WHERE owner = ? AND livemode = ?)", owner, livemode)
	return entries(q, owner, limit, startingAfter)
}

func entries(q *gorm.DB, of string, limit int, startingAfter string) ([]EntryRecord, bool, error) {
	if limit < 1 {
		return nil, false, fmt.Errorf("ledger: entries limit %d, want at least 1", limit)
	}
	rows, hasMore, err := storage.Page[entryRow](q, limit, startingAfter)
	if err != nil {
		return nil, false, fmt.Errorf("ledger: entries of %s: %w", of, err)
	}
	records := make([]EntryRecord, len(rows))
	for i, r := range rows {
		records[i] = r.toRecord()
	}
	return records, hasMore, nil
}
