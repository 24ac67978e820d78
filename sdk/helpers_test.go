package sdk_test

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// env is the real gateway on a fresh database, a merchant, and an SDK
// client with its key whose requests go through a recording transport.
type env struct {
	g          *gatewaytest.Gateway
	merchantID string
	key        string
	tr         *transport
	c          *sdk.Client
}

func newEnv(t *testing.T, opts ...sdk.Option) *env {
	t.Helper()
	return newEnvWith(t, gatewaytest.Options{}, opts...)
}

// newEnvWith is newEnv with a gateway built with gw (its clock, say).
func newEnvWith(t *testing.T, gw gatewaytest.Options, opts ...sdk.Option) *env {
	t.Helper()
	g := gatewaytest.StartWith(t, gw)
	id, key := g.Merchant(t, "Blue Bottle")
	tr := &transport{}
	opts = append([]sdk.Option{sdk.WithBaseURL(g.URL), sdk.WithHTTPClient(&http.Client{Transport: tr})}, opts...)
	return &env{g: g, merchantID: id, key: key, tr: tr, c: sdk.NewClient(key, opts...)}
}

// order creates a 12.50 CNY order.
func (e *env) order(t *testing.T, params *sdk.OrderCreateParams) *sdk.Order {
	t.Helper()
	if params == nil {
		params = &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY"}
	}
	o, err := e.c.Orders.Create(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// paidOrder creates an order and pays it from a new wallet.
func (e *env) paidOrder(t *testing.T, amount int64) *sdk.Order {
	t.Helper()
	o := e.order(t, &sdk.OrderCreateParams{Amount: amount, Currency: "CNY"})
	e.g.Payer(t, amount, "CNY").Pay(t, o.ID)
	return o
}

// attempt is a request the client sent.
type attempt struct {
	method, path, query string
	header              http.Header
	// replayed is the gateway's Idempotent-Replayed header, when it
	// answered.
	replayed string
}

// transport sends requests to the gateway and records them; fault, when
// set, decides what the client sees of the n-th request (0-based): it may
// call send and return its answer, change it, or never send.
type transport struct {
	mu       sync.Mutex
	attempts []attempt
	fault    func(n int, send func() (*http.Response, error)) (*http.Response, error)
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr.mu.Lock()
	n := len(tr.attempts)
	tr.attempts = append(tr.attempts, attempt{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, header: req.Header.Clone()})
	fault := tr.fault
	tr.mu.Unlock()
	send := func() (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err == nil {
			tr.mu.Lock()
			tr.attempts[n].replayed = resp.Header.Get("Idempotent-Replayed")
			tr.mu.Unlock()
		}
		return resp, err
	}
	if fault != nil {
		return fault(n, send)
	}
	return send()
}

func (tr *transport) sent() []attempt {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]attempt(nil), tr.attempts...)
}

func (tr *transport) reset(fault func(int, func() (*http.Response, error)) (*http.Response, error)) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.attempts, tr.fault = nil, fault
}

// errDropped is the network losing an answer.
var errDropped = errors.New("connection reset by peer (injected)")

// dropFirstAnswer lets the first request reach the gateway, which handles
// it, and loses its answer on the way back.
func dropFirstAnswer(n int, send func() (*http.Response, error)) (*http.Response, error) {
	resp, err := send()
	if n == 0 && err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errDropped
	}
	return resp, err
}

// answer is a response made up by the transport, as a proxy in front of
// the gateway would give.
func answer(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: header,
		Body: io.NopCloser(strings.NewReader(body)), ProtoMajor: 1, ProtoMinor: 1}
}

// collect runs a list to its end.
func collect[T any](t *testing.T, seq iter.Seq2[*T, error]) []*T {
	t.Helper()
	var out []*T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// listError runs a list that must fail, and returns its error.
func listError[T any](t *testing.T, seq iter.Seq2[*T, error]) error {
	t.Helper()
	for v, err := range seq {
		if err != nil {
			return err
		}
		t.Fatalf("the list gave %+v, want an error", v)
	}
	t.Fatal("the list ended without an error")
	return nil
}

// apiError asserts err is an *sdk.Error with the given status, type, code
// and param, and a message and request id.
func apiError(t *testing.T, err error, status int, typ, code, param string) *sdk.Error {
	t.Helper()
	e, ok := errors.AsType[*sdk.Error](err)
	if !ok {
		t.Fatalf("error %v (%T), want an *sdk.Error", err, err)
	}
	if e.HTTPStatus != status || e.Type != typ || e.Code != code || e.Param != param {
		t.Fatalf("error %+v, want status %d type %s code %s param %q", e, status, typ, code, param)
	}
	if e.Message == "" || !strings.HasPrefix(e.RequestID, "req_") {
		t.Fatalf("error %+v without a message or request id", e)
	}
	return e
}
