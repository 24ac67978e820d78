package webhooks

import (
	"context"
	"maps"
	"time"

	"github.com/scanpay/scanpay"
	"gorm.io/gorm"
)

// Lookback is how long after its id was made an event may still commit.
// An event's id is taken inside the transaction that writes it, and a
// payment then still waits for its ledger rows, so events do not commit in
// id order: a Feed keeps reading this far back for late ones.
const Lookback = 30 * time.Second

// Limits of one Feed.Next: how many ids it reads, and how many events it
// returns.
const (
	feedScan  = 1000
	feedBatch = 100
)

// Feed follows a merchant's event log as it grows, for a live stream. Its
// cursor is a position in the log, not an event: every event with an id at
// or below the cursor has been passed on (or came before the feed
// started), and those above it that were passed on are remembered. A feed
// started from a cursor may pass on again events just above it, so a
// follower drops ids it has seen: delivery is at least once, like webhooks.
type Feed struct {
	db         *gorm.DB
	merchantID string
	livemode   bool
	cursor     string
	passed     map[string]bool // ids above the cursor already passed on
	// now is the wall clock, which event ids are made from.
	now func() time.Time
}

// Follow starts a feed of the merchant's events after cursor (an event id,
// or a cursor a feed returned). Without one it starts at the newest event,
// so it passes on only what happens from now on.
func (s *Store) Follow(ctx context.Context, merchantID string, livemode bool, cursor string) (*Feed, error) {
	f := &Feed{db: s.db, merchantID: merchantID, livemode: livemode, cursor: cursor, passed: map[string]bool{}, now: time.Now}
	if cursor != "" {
		return f, nil
	}
	var newest []string
	if err := f.log(ctx).Order("id DESC").Limit(1).Pluck("id", &newest).Error; err != nil {
		return nil, err
	}
	if len(newest) == 1 {
		f.cursor = newest[0]
	} else {
		f.cursor = scanpay.FirstID("evt", f.now().Add(-Lookback))
	}
	return f, nil
}

func (f *Feed) log(ctx context.Context) *gorm.DB {
	return f.db.WithContext(ctx).Model(&Record{}).Where("merchant_id = ? AND livemode = ?", f.merchantID, f.livemode)
}

// Cursor is where a new feed would resume without losing an event.
func (f *Feed) Cursor() string { return f.cursor }

// Next returns the events committed since the last call that were not
// passed on yet, oldest first, at most 100; more is true when others are
// already waiting. The cursor moves past everything passed on that is
// older than Lookback.
func (f *Feed) Next(ctx context.Context) (events []Record, more bool, err error) {
	floor := scanpay.FirstID("evt", f.now().Add(-Lookback))
	var ids []string
	if err := f.log(ctx).Where("id > ?", f.cursor).Order("id").Limit(feedScan).Pluck("id", &ids).Error; err != nil {
		return nil, false, err
	}
	more = len(ids) == feedScan
	var fresh []string
	safe := f.cursor // everything up to safe is passed on once fresh is
	for _, id := range ids {
		if !f.passed[id] {
			if len(fresh) == feedBatch {
				more = true
				break
			}
			fresh = append(fresh, id)
		}
		if id <= floor {
			safe = id
		}
	}
	if !more && floor > safe {
		safe = floor
	}
	if len(fresh) > 0 {
		if err := f.log(ctx).Where("id IN ?", fresh).Order("id").Find(&events).Error; err != nil {
			return nil, false, err
		}
	}
	for _, id := range fresh {
		f.passed[id] = true
	}
	if safe > f.cursor {
		f.cursor = safe
		maps.DeleteFunc(f.passed, func(id string, _ bool) bool { return id <= safe })
	}
	return events, more, nil
}
