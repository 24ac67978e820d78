package webhooks

import (
	"time"

	"github.com/scanpay/scanpay/seal"

	"gorm.io/gorm"
)

// Config is what the operator sets for webhooks; main builds one and gives
// it to both NewService and NewDispatcher.
type Config struct {
	// SecretKey seals endpoint signing secrets in the database: seal.KeyLen
	// bytes, derived from the operator's master key. Changing it makes
	// every existing endpoint's secret unreadable.
	SecretKey []byte
	// Guard checks endpoint URLs when they are registered and every
	// connection a delivery makes; nil is the strict zero Guard.
	Guard *Guard
	// Workers is how many deliveries one dispatcher sends at a time;
	// zero means DefaultWorkers.
	Workers int
	// PollInterval is how often an idle dispatcher looks for due
	// deliveries; zero means DefaultPollInterval.
	PollInterval time.Duration
	// OnAttempt, when set, hears of every delivery attempt once it is
	// written down, and whether it delivered (for metrics).
	OnAttempt func(delivered bool)
	// Lease is how long a claimed delivery stays out of every other
	// dispatcher's sight; zero means DefaultLease. It must be longer than
	// a delivery's 10 s timeout, so that it runs out only when the process
	// that claimed the delivery is gone, and another then sends it.
	Lease time.Duration
}

// Dispatcher defaults.
const (
	DefaultWorkers      = 32
	DefaultPollInterval = 50 * time.Millisecond
	DefaultLease        = time.Minute
	// MinLease is the shortest lease: a delivery's timeout and a margin.
	MinLease = deliveryTimeout + time.Second
)

func (c Config) withDefaults() Config {
	if c.Guard == nil {
		c.Guard = &Guard{}
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	return c
}

// Service manages a merchant's webhook endpoints, their delivery log and
// resends. Every method is scoped to one merchant and mode: another
// merchant's object, or another mode's, is not found.
type Service struct {
	db     *gorm.DB
	now    func() time.Time
	guard  *Guard
	sealer *seal.Box
}

// NewService returns a Service on db; now is the clock (UTC, microseconds).
// It fails only when cfg.SecretKey is not seal.KeyLen bytes.
func NewService(db *gorm.DB, now func() time.Time, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	box, err := seal.New(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, now: now, guard: cfg.Guard, sealer: box}, nil
}
