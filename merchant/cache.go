package merchant

import (
	"sync"
	"time"
)

// CacheTTL is how long a process trusts what it read of a key or a
// merchant. Every request reads which key is whose, and every order and
// payment the merchant's name and fee plan; none of it changes often. A
// change made through a process takes effect there at once; one made
// through another process (a key revoked from the command line, say) takes
// effect everywhere within CacheTTL.
const CacheTTL = 5 * time.Second

// maxCached bounds each cache, so that it cannot grow without end.
const maxCached = 10_000

// cache keeps values for CacheTTL by the clock it is given.
type cache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]cached[V]
}

type cached[V any] struct {
	v  V
	at time.Time
}

func newCache[K comparable, V any]() *cache[K, V] {
	return &cache[K, V]{entries: map[K]cached[V]{}}
}

func (c *cache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.Sub(e.at) >= CacheTTL || now.Before(e.at) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *cache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCached {
		// Dropping everything is crude but bounded, and a full cache
		// refills from the database within one TTL anyway.
		clear(c.entries)
	}
	c.entries[k] = cached[V]{v: v, at: now}
}

func (c *cache[K, V]) drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, k)
}
