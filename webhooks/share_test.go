package webhooks

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// tagged marks each request with the dispatcher that sent it.
type tagged struct {
	next http.RoundTripper
	tag  string
}

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Dispatcher", t.tag)
	return t.next.RoundTrip(r)
}

// TestTwoDispatchersNeverSendAnAttemptTwice runs two dispatchers, each on
// its own connection pool as two gateway processes would, over events
// committed while they run. On PostgreSQL they compete through FOR UPDATE
// SKIP LOCKED; on SQLite, through the file lock that IMMEDIATE transactions
// take, which is meaningful too since the two pools share nothing else.
func TestTwoDispatchersNeverSendAnAttemptTwice(t *testing.T) {
	const events = 200
	f := newFixture(t)
	// A receiver that takes a few milliseconds keeps one dispatcher's
	// workers busy long enough that the other always finds work too.
	rcv := newReceiver(t, func(int, http.ResponseWriter) { time.Sleep(5 * time.Millisecond) })
	e, _ := f.endpoint(t, f.merchant, false, rcv.URL, "*")

	db2, err := storage.Open(context.Background(), f.url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db2)
	var shared int64
	if storagetest.Scan(t, db2, &shared, `SELECT COUNT(*) FROM webhook_endpoints`); shared != 1 {
		t.Fatalf("the second pool sees %d endpoints, want the first pool's one", shared)
	}
	cfg := Config{SecretKey: testKey, Guard: &Guard{AllowPrivate: true}, Workers: 8, PollInterval: 5 * time.Millisecond}
	dispatchers := []*Dispatcher{f.newDispatcher(t, f.db, cfg), f.newDispatcher(t, db2, cfg)}
	// Half the events are due before the dispatchers start, so both meet
	// a backlog; the rest are committed while they run.
	for range events / 2 {
		f.emit(t, f.merchant, false, OrderPaid)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, d := range dispatchers {
		d.client.Transport = tagged{next: d.client.Transport, tag: string(rune('A' + i))}
		wg.Go(func() { d.Run(ctx) })
	}
	for range events / 2 {
		f.emit(t, f.merchant, false, OrderPaid)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(rcv.got()) < events && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Give a dispatcher that would send something twice the time to do it.
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()

	seen := map[string]int{}
	by := map[string]int{}
	for _, h := range rcv.got() {
		seen[h.header.Get("webhook-id")]++
		by[h.header.Get("X-Test-Dispatcher")]++
	}
	if len(seen) != events {
		t.Errorf("receiver saw %d distinct events, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s was sent %d times", id, n)
		}
	}
	var delivered, attempts int64
	storagetest.Scan(t, f.db, &delivered, `SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ? AND status = ? AND attempts = 1`, e.ID, deliveryDelivered)
	storagetest.Scan(t, f.db, &attempts, `SELECT COUNT(*) FROM webhook_attempts WHERE endpoint_id = ?`, e.ID)
	if delivered != events || attempts != events {
		t.Errorf("%d deliveries delivered at the first attempt and %d attempts logged, want %d of each", delivered, attempts, events)
	}
	// Sharing is the point: both must have sent, and between them all.
	if by["A"] == 0 || by["B"] == 0 || by["A"]+by["B"] != events {
		t.Errorf("dispatcher A sent %d and B %d; want both to share all %d", by["A"], by["B"], events)
	}
}
