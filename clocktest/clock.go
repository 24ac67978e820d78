// Package clocktest is a clock for tests: it starts at the real time, as
// scanpay.Now gives it, and moves only when a test says.
package clocktest

import (
	"sync"
	"time"

	"github.com/scanpay/scanpay"
)

// Clock is safe for concurrent use; pass its Now where a service takes a
// clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock set to now.
func New() *Clock { return &Clock{now: scanpay.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, forward or back.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC().Truncate(time.Microsecond)
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d).Truncate(time.Microsecond)
}
