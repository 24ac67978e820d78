package main

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
)

// product is something the shop sells; prices are in fen (CNY minor
// units), as the gateway counts them.
type product struct {
	ID    string
	Name  string
	Price int64
}

var catalog = []product{
	{"flat-white", "Flat white", 2800},
	{"pour-over", "Pour-over, Yunnan", 3500},
	{"croissant", "Butter croissant", 1800},
}

func findProduct(id string) (product, bool) {
	for _, p := range catalog {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}

// The life of a shop order, as the shop tracks it.
const (
	awaitingPayment = "awaiting payment"
	paid            = "paid"
	refunded        = "refunded"
)

// order is the shop's own order. Its ID is the reference the gateway's
// order carries, which is how a webhook finds it again.
type order struct {
	ID       string
	Product  product
	Status   string
	Gateway  string // the gateway's order id
	Refunded int64
}

// store keeps orders in memory: enough for an example, lost on restart.
type store struct {
	mu     sync.Mutex
	orders map[string]*order
}

func newStore() *store { return &store{orders: map[string]*order{}} }

func (s *store) create(p product) order {
	var b [4]byte
	rand.Read(b[:])
	o := &order{ID: "S-" + strings.ToUpper(hex.EncodeToString(b[:])), Product: p, Status: awaitingPayment}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
	return *o
}

func (s *store) get(id string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return order{}, false
	}
	return *o, true
}

// update changes an order under the lock; it reports whether the order
// exists.
func (s *store) update(id string, change func(*order)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if ok {
		change(o)
	}
	return ok
}

// byGateway finds the shop order of a gateway order.
func (s *store) byGateway(gatewayID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.Gateway == gatewayID {
			return o.ID, true
		}
	}
	return "", false
}
