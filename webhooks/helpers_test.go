package webhooks

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm"
)

// testKey seals secrets in tests; its value does not matter.
var testKey = bytes.Repeat([]byte{0x5c}, seal.KeyLen)

// fixture is a migrated database with a merchant, a webhook Service and a
// Dispatcher on one test clock. Both let local receivers through.
type fixture struct {
	db       *gorm.DB
	url      string
	clock    *clocktest.Clock
	svc      *Service
	disp     *Dispatcher
	merchant string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, url := storagetest.Open(t)
	f := &fixture{db: db, url: url, clock: clocktest.New()}
	cfg := Config{SecretKey: testKey, Guard: &Guard{AllowPrivate: true}}
	var err error
	if f.svc, err = NewService(db, f.clock.Now, cfg); err != nil {
		t.Fatal(err)
	}
	f.disp = f.newDispatcher(t, db, cfg)
	f.merchant = f.addMerchant(t)
	return f
}

func (f *fixture) newDispatcher(t testing.TB, db *gorm.DB, cfg Config) *Dispatcher {
	t.Helper()
	d, err := NewDispatcher(db, f.clock.Now, slog.New(slog.DiscardHandler), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) addMerchant(t testing.TB) string {
	t.Helper()
	id := scanpay.NewID("mch")
	if err := f.db.Exec(`INSERT INTO merchants (id, name, country, city, mcc, created_at) VALUES (?, 'Tea House', 'CN', 'Shanghai', '5814', ?)`,
		id, f.clock.Now()).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// emit commits one event of typ, as a business transaction would.
func (f *fixture) emit(t testing.TB, merchantID string, livemode bool, typ string) Record {
	t.Helper()
	var r Record
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		r, err = Emit(tx, Event{Type: typ, MerchantID: merchantID, Livemode: livemode,
			Object: map[string]any{"id": "ord_1", "amount": 1250}, CreatedAt: f.clock.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) endpoint(t testing.TB, merchantID string, livemode bool, url string, events ...string) (Endpoint, string) {
	t.Helper()
	e, err := f.svc.CreateEndpoint(context.Background(), merchantID, livemode, EndpointParams{URL: url, EnabledEvents: events})
	if err != nil {
		t.Fatal(err)
	}
	return e.Endpoint, e.Secret
}

// runOnce makes every attempt due now and returns how many.
func (f *fixture) runOnce(t testing.TB) int {
	t.Helper()
	n, err := f.disp.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deliveryState is a delivery row as the tests look at it.
type deliveryState struct {
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	ClaimToken    *string
	LastError     *string
}

func (f *fixture) delivery(t testing.TB, endpointID, eventID string) deliveryState {
	t.Helper()
	var d deliveryState
	err := f.db.Raw(`SELECT status, attempts, next_attempt_at, claim_token, last_error FROM webhook_deliveries
		WHERE endpoint_id = ? AND event_id = ?`, endpointID, eventID).Scan(&d).Error
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) count(t testing.TB, table string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) attempts(t testing.TB, endpointID string) []Attempt {
	t.Helper()
	a, _, err := f.svc.ListDeliveries(context.Background(), f.merchant, false, endpointID, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
}

// receiver is a webhook receiver on 127.0.0.1 that keeps what it gets and
// answers through answer, given the 0-based number of the request; nil
// answers 200.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(n int, w http.ResponseWriter)
}

func newReceiver(t testing.TB, answer func(n int, w http.ResponseWriter)) *receiver {
	t.Helper()
	return newReceiverOn(t, nil, answer)
}

// newReceiverOn starts a receiver on ln, or on a port of its own when ln
// is nil.
func newReceiverOn(t testing.TB, ln net.Listener, answer func(n int, w http.ResponseWriter)) *receiver {
	t.Helper()
	r := &receiver{answer: answer}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if ln != nil {
		r.Listener.Close()
		r.Listener = ln
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.hits)
	r.hits = append(r.hits, hit{header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	if r.answer != nil {
		r.answer(n, w)
	}
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

// status answers every request with code.
func status(code int) func(int, http.ResponseWriter) {
	return func(_ int, w http.ResponseWriter) { w.WriteHeader(code) }
}
