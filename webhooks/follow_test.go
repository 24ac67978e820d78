package webhooks

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
)

// logEvent writes an event with the given id, as a transaction that took
// its id earlier and commits now would.
func (f *fixture) logEvent(t testing.TB, merchantID string, livemode bool, id string) {
	t.Helper()
	r := Record{ID: id, MerchantID: merchantID, Livemode: livemode, Type: OrderPaid, Payload: `{"id":"` + id + `"}`, CreatedAt: f.clock.Now()}
	if err := f.db.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
}

func next(t testing.TB, feed *Feed) ([]string, bool) {
	t.Helper()
	events, more, err := feed.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(events))
	for i, e := range events {
		if !strings.HasPrefix(e.Payload, `{"id":"`+e.ID+`"`) {
			t.Fatalf("event %s has payload %s", e.ID, e.Payload)
		}
		ids[i] = e.ID
	}
	return ids, more
}

func follow(t testing.TB, f *fixture, cursor string) *Feed {
	t.Helper()
	feed, err := NewStore(f.db).Follow(context.Background(), f.merchant, false, cursor)
	if err != nil {
		t.Fatal(err)
	}
	return feed
}

func TestFeedWithoutCursorStartsAtTheNewestEvent(t *testing.T) {
	f := newFixture(t)
	before := f.emit(t, f.merchant, false, OrderPaid)
	feed := follow(t, f, "")
	if got, _ := next(t, feed); len(got) != 0 {
		t.Fatalf("a new feed passed on %v, which happened before it started", got)
	}
	after := f.emit(t, f.merchant, false, OrderCanceled)
	if got, _ := next(t, feed); !slices.Equal(got, []string{after.ID}) {
		t.Fatalf("got %v, want [%s] (and not %s)", got, after.ID, before.ID)
	}
	if got, _ := next(t, feed); len(got) != 0 {
		t.Fatalf("passed on %v twice", got)
	}
}

func TestFeedOfAnEmptyLogPassesOnTheFirstEvent(t *testing.T) {
	f := newFixture(t)
	feed := follow(t, f, "")
	first := f.emit(t, f.merchant, false, OrderPaid)
	if got, _ := next(t, feed); !slices.Equal(got, []string{first.ID}) {
		t.Fatalf("got %v, want [%s]", got, first.ID)
	}
}

// Two payments take their event ids in one order and commit in the other:
// the one that commits second has the lower id and still comes through.
func TestFeedPassesOnAnEventThatCommitsAfterANewerOne(t *testing.T) {
	f := newFixture(t)
	feed := follow(t, f, "")
	older, newer := scanpay.NewID("evt"), scanpay.NewID("evt")
	f.logEvent(t, f.merchant, false, newer)
	if got, _ := next(t, feed); !slices.Equal(got, []string{newer}) {
		t.Fatalf("got %v, want [%s]", got, newer)
	}
	f.logEvent(t, f.merchant, false, older)
	if got, _ := next(t, feed); !slices.Equal(got, []string{older}) {
		t.Fatalf("got %v, want the late %s", got, older)
	}
	if got, _ := next(t, feed); len(got) != 0 {
		t.Fatalf("passed on %v again", got)
	}
}

// A feed started from another's cursor loses nothing and repeats at most
// the events of the last Lookback.
func TestFeedResumesFromACursor(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	clock := func() time.Time { return now }
	old1 := scanpay.FirstID("evt", now.Add(-3*time.Minute))
	old2 := scanpay.FirstID("evt", now.Add(-2*time.Minute))
	recent := scanpay.FirstID("evt", now.Add(-time.Second))
	for _, id := range []string{old1, old2, recent} {
		f.logEvent(t, f.merchant, false, id)
	}
	feed := follow(t, f, scanpay.FirstID("evt", now.Add(-time.Hour)))
	feed.now = clock
	if got, _ := next(t, feed); !slices.Equal(got, []string{old1, old2, recent}) {
		t.Fatalf("got %v, want %v", got, []string{old1, old2, recent})
	}
	cursor := feed.Cursor()
	if !(old2 < cursor && cursor < recent) {
		t.Fatalf("cursor %s, want it past the events older than Lookback (%s) and before the recent %s", cursor, old2, recent)
	}

	resumed := follow(t, f, cursor)
	resumed.now = clock
	if got, _ := next(t, resumed); !slices.Equal(got, []string{recent}) {
		t.Fatalf("resumed feed got %v, want only the recent %s again", got, recent)
	}
	late := scanpay.FirstID("evt", now.Add(-2*time.Second))
	f.logEvent(t, f.merchant, false, late)
	if got, _ := next(t, feed); !slices.Equal(got, []string{late}) {
		t.Fatalf("first feed got %v, want the late %s", got, late)
	}
	if got, _ := next(t, resumed); !slices.Equal(got, []string{late}) {
		t.Fatalf("resumed feed got %v, want the late %s", got, late)
	}
}

func TestFeedHandsOutABacklogInBatches(t *testing.T) {
	f := newFixture(t)
	feed := follow(t, f, "")
	var want []string
	for range 2*feedBatch + 50 {
		id := scanpay.NewID("evt")
		f.logEvent(t, f.merchant, false, id)
		want = append(want, id)
	}
	var got []string
	for _, wantMore := range []bool{true, true, false} {
		batch, more := next(t, feed)
		if more != wantMore || len(batch) > feedBatch {
			t.Fatalf("batch of %d, more=%v; want at most %d, more=%v", len(batch), more, feedBatch, wantMore)
		}
		got = append(got, batch...)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d events, want the %d in id order", len(got), len(want))
	}
}

func TestFeedShowsOnlyTheMerchantsEventsOfItsMode(t *testing.T) {
	f := newFixture(t)
	other := f.addMerchant(t)
	feed := follow(t, f, "")
	f.emit(t, other, false, OrderPaid)
	f.emit(t, f.merchant, true, OrderPaid)
	mine := f.emit(t, f.merchant, false, OrderPaid)
	if got, _ := next(t, feed); !slices.Equal(got, []string{mine.ID}) {
		t.Fatalf("got %v, want only [%s]", got, mine.ID)
	}
}
