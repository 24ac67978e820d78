package gatewaytest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// Front is a proxy in front of the gateway that can go down, as a load
// balancer or a network does: it is how tests cut a client's connections,
// event streams included, and see it reconnect.
type Front struct {
	// URL is where clients reach the gateway through the front.
	URL  string
	srv  *httptest.Server
	down atomic.Bool
}

// Front starts a proxy to the gateway until the test ends.
func (g *Gateway) Front(tb testing.TB) *Front {
	tb.Helper()
	target, err := url.Parse(g.URL)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.FlushInterval = -1 // pass event streams through at once
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	f := &Front{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() {
			http.Error(w, "the gateway is down", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	f.URL = f.srv.URL
	tb.Cleanup(func() {
		// Close waits for open requests, which an event stream never ends.
		f.srv.Listener.Close()
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

// Down cuts every open connection and answers 503 until Up.
func (f *Front) Down() {
	f.down.Store(true)
	f.srv.CloseClientConnections()
}

// Up lets requests through again.
func (f *Front) Up() { f.down.Store(false) }
