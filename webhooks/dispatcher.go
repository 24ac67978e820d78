package webhooks

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/scanpay/scanpay/seal"
	"gorm.io/gorm"
)

// Dispatcher delivers the outbox: it claims due deliveries, POSTs them to
// their endpoints, signed, and writes down each attempt and what follows
// from it. Any number of dispatchers, in one process or many, can share a
// database; a claim keeps each attempt to one of them. Delivery is at least
// once: a dispatcher that dies while sending leaves the delivery to be sent
// again when its lease runs out.
type Dispatcher struct {
	db      *gorm.DB
	now     func() time.Time
	log     *slog.Logger
	client  *http.Client
	sealer  *seal.Box
	workers int
	poll    time.Duration
	lease   time.Duration
	observe func(delivered bool)
	wake    chan struct{}
	// jitter returns a number uniform in [0, 1) that places a retry within
	// the schedule's spread.
	jitter func() float64
}

// NewDispatcher returns a Dispatcher on db; now is the clock (UTC,
// microseconds). It fails when cfg.SecretKey is not seal.KeyLen bytes or
// cfg.Lease is shorter than MinLease.
func NewDispatcher(db *gorm.DB, now func() time.Time, log *slog.Logger, cfg Config) (*Dispatcher, error) {
	cfg = cfg.withDefaults()
	if cfg.Lease < MinLease {
		return nil, fmt.Errorf("webhooks: a lease of %s is shorter than a delivery may take (%s)", cfg.Lease, MinLease)
	}
	box, err := seal.New(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	return &Dispatcher{
		db: db, now: now, log: log, client: cfg.Guard.Client(), sealer: box,
		workers: cfg.Workers, poll: cfg.PollInterval, lease: cfg.Lease, observe: cfg.OnAttempt,
		wake: make(chan struct{}, 1), jitter: rand.Float64,
	}, nil
}

// Wake makes an idle Run look for due deliveries now rather than at its
// next poll; call it after committing an event to cut its latency. It never
// blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the attempts in flight
// (each bounded by the client's 10 s timeout) and writes them down. Errors
// are logged, and it keeps going.
func (d *Dispatcher) Run(ctx context.Context) {
	d.pump(ctx, false)
}

// RunOnce makes one attempt at every delivery due now and writes them all
// down before it returns how many it made. It is Run for tests and
// one-shot commands: deliveries that fail are not retried until they are
// due again.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	return d.pump(ctx, true)
}

// pump claims deliveries whenever a worker is free and sends them, at most
// d.workers at a time, while one goroutine writes the outcomes down. A
// claim takes as many deliveries as there are free workers, so that one
// slow receiver holds up one worker and not a batch. After a claim that
// comes back short, nothing more is due: once returns then, and otherwise
// pump waits for a Wake or the poll interval.
func (d *Dispatcher) pump(ctx context.Context, once bool) (int, error) {
	// Attempts already sent are written down even after ctx ends;
	// abandoning them would only send them again when the lease ran out.
	background := context.WithoutCancel(ctx)
	results := make(chan result, d.workers)
	recorded := make(chan error, 1)
	go func() { recorded <- d.recordAll(background, results) }()

	slots := make(chan struct{}, d.workers)
	var sending sync.WaitGroup
	sent := 0
	var err error
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		// Checked after the select too, which picks at random when a slot
		// is free as well.
		if ctx.Err() != nil {
			if once {
				err = ctx.Err()
			}
			break
		}
		// pump alone takes slots, so the ones free now stay free.
		want := 1 + cap(slots) - len(slots)
		jobs, claimErr := d.claim(ctx, want)
		if claimErr != nil {
			<-slots
			if once {
				err = claimErr
				break
			}
			if ctx.Err() == nil {
				d.log.Error("webhooks: cannot claim deliveries", "err", claimErr)
			}
			d.idle(ctx)
			continue
		}
		if len(jobs) == 0 {
			<-slots
		}
		for i, j := range jobs {
			if i > 0 {
				slots <- struct{}{}
			}
			sending.Go(func() {
				results <- d.send(background, j)
				<-slots
			})
		}
		sent += len(jobs)
		if len(jobs) < want {
			if once {
				break
			}
			d.idle(ctx)
		}
	}
	sending.Wait()
	close(results)
	if recordErr := <-recorded; err == nil {
		err = recordErr
	}
	return sent, err
}

func (d *Dispatcher) idle(ctx context.Context) {
	t := time.NewTimer(d.poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.wake:
	case <-t.C:
	}
}
