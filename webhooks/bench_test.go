package webhooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// benchReceiver answers 200 to everything and keeps only what the
// benchmarks measure: how many requests came, and when each event first
// arrived.
type benchReceiver struct {
	*httptest.Server
	hits    atomic.Int64
	mu      sync.Mutex
	arrived map[string]time.Time
}

func newBenchReceiver(b *testing.B) *benchReceiver {
	r := &benchReceiver{arrived: map[string]time.Time{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		now := time.Now()
		io.Copy(io.Discard, req.Body)
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		if _, ok := r.arrived[id]; !ok {
			r.arrived[id] = now
		}
		r.mu.Unlock()
		r.hits.Add(1)
	}))
	b.Cleanup(r.Close)
	return r
}

// runDispatcher runs d until the returned stop is called.
func runDispatcher(d *Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// BenchmarkDispatch measures how fast one dispatcher works through a
// backlog of b.N due deliveries to a local receiver: from the first claim
// until every outcome is written down.
func BenchmarkDispatch(b *testing.B) {
	f := newFixture(b)
	rcv := newBenchReceiver(b)
	f.endpoint(b, f.merchant, false, rcv.URL, "*")
	for i := 0; i < b.N; i += 100 {
		err := f.db.Transaction(func(tx *gorm.DB) error {
			for range min(100, b.N-i) {
				if _, err := Emit(tx, Event{Type: OrderPaid, MerchantID: f.merchant, Object: map[string]int{"amount": 1250}, CreatedAt: f.clock.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}

	b.ResetTimer()
	start := time.Now()
	stop := runDispatcher(f.disp)
	for rcv.hits.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	for {
		var pending int64
		if err := f.db.Table("webhook_deliveries").Where("status = ?", deliveryPending).Count(&pending).Error; err != nil {
			b.Fatal(err)
		}
		if pending == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	if n := rcv.hits.Load(); n != int64(b.N) {
		b.Fatalf("receiver got %d requests for %d deliveries", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkCommitToFirstAttempt measures the time from an event's commit
// to its first request reaching the receiver, with events committed one
// at a time, 2 ms apart, while a dispatcher runs: "poll" as the gateway
// runs today, waiting for the poll interval, and "wake" with Wake called
// after each commit.
func BenchmarkCommitToFirstAttempt(b *testing.B) {
	for _, wake := range []bool{false, true} {
		name := "poll"
		if wake {
			name = "wake"
		}
		b.Run(name, func(b *testing.B) {
			f := newFixture(b)
			rcv := newBenchReceiver(b)
			f.endpoint(b, f.merchant, false, rcv.URL, "*")
			stop := runDispatcher(f.disp)
			defer stop()

			committed := make(map[string]time.Time, b.N)
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			b.ResetTimer()
			for range b.N {
				r := f.emit(b, f.merchant, false, OrderPaid)
				committed[r.ID] = time.Now()
				if wake {
					f.disp.Wake()
				}
				<-tick.C
			}
			for rcv.hits.Load() < int64(b.N) {
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()

			rcv.mu.Lock()
			latencies := make([]time.Duration, 0, b.N)
			for id, at := range committed {
				latencies = append(latencies, max(rcv.arrived[id].Sub(at), 0))
			}
			rcv.mu.Unlock()
			slices.Sort(latencies)
			ms := func(q float64) float64 {
				return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
}
