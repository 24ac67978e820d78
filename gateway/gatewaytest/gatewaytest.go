// Package gatewaytest runs the real gateway in-process for the tests of
// other packages (the SDK, the command line, the examples): a fresh
// database from storagetest, the services wired by gateway.NewStack as
// `scanpay serve` wires them, the webhook dispatcher running and allowed to
// reach local receivers (--webhook-allow-private), on an httptest server.
package gatewaytest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Options change how Start builds the gateway.
type Options struct {
	// Now is the gateway's clock (a clocktest.Clock's Now, to move time);
	// nil is the real one.
	Now func() time.Time
}

// Gateway is a running gateway and the services behind it.
type Gateway struct {
	// URL is the gateway's base URL, without a trailing slash.
	URL string
	DB  *gorm.DB
	*gateway.Stack
	phones atomic.Int64
}

// Start runs a gateway on a fresh database until the test ends.
func Start(tb testing.TB) *Gateway { return StartWith(tb, Options{}) }

// StartWith runs a gateway built with opts until the test ends. Its log is
// shown when the test fails.
func StartWith(tb testing.TB, opts Options) *Gateway {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = scanpay.Now
	}
	db, _ := storagetest.Open(tb)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	stack, err := gateway.NewStack(db, log, opts.Now, gateway.StackConfig{
		Gateway: gateway.Config{BaseURL: url, SecretKey: randomKey(seal.KeyLen)},
		// The cheapest PIN hash keeps tests fast; nothing else differs.
		Wallet: wallet.Config{SessionKey: randomKey(32), PINCost: bcrypt.MinCost},
		Webhooks: webhooks.Config{
			SecretKey: randomKey(seal.KeyLen),
			Guard:     &webhooks.Guard{AllowPrivate: true},
		},
		Settlement: settlement.Config{
			SigningKey:     ed25519.NewKeyFromSeed(randomKey(ed25519.SeedSize)),
			BankAccountKey: randomKey(seal.KeyLen),
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv.Config.Handler = stack.Server
	srv.Start()
	jobs, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { stack.Dispatcher.Run(jobs) })
	tb.Cleanup(func() {
		stop()
		wg.Wait()
		stack.Server.Drain() // ends event streams, so Close does not wait for them
		srv.Close()
		if tb.Failed() {
			tb.Logf("gateway log:\n%s", logs.String())
		}
	})
	return &Gateway{URL: url, DB: db, Stack: stack}
}

func randomKey(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Merchant creates a merchant (as `scanpay merchant create` does) and
// returns its id and test secret key.
func (g *Gateway) Merchant(tb testing.TB, name string) (id, key string) {
	tb.Helper()
	m, key, err := g.Merchants.Create(context.Background(), merchant.CreateParams{Name: name})
	if err != nil {
		tb.Fatal(err)
	}
	return m.ID, key
}

// Count returns the number of rows in table.
func (g *Gateway) Count(tb testing.TB, table string) int64 {
	tb.Helper()
	var n int64
	if err := g.DB.Table(table).Count(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

// Payer is a test-mode wallet that pays through the wallet API.
type Payer struct {
	g     *Gateway
	ID    string
	Phone string
	PIN   string
}

// Payer signs up a wallet through the wallet API and tops it up with
// amount of currency.
func (g *Gateway) Payer(tb testing.TB, amount int64, currency string) *Payer {
	tb.Helper()
	p := &Payer{g: g, Phone: fmt.Sprintf("139%08d", g.phones.Add(1)), PIN: "135790"}
	var signup struct {
		Account struct{ ID string } `json:"account"`
		Token   string              `json:"token"`
	}
	g.Call(tb, "POST", "/wallet/v1/accounts", "", map[string]any{"phone": p.Phone, "pin": p.PIN}, &signup)
	p.ID = signup.Account.ID
	g.Call(tb, "POST", "/wallet/v1/topups", signup.Token, map[string]any{"amount": amount, "currency": currency}, nil)
	return p
}

// Pay signs the payer in and pays the order through the wallet API, as a
// wallet app does after a scan, and returns the payment's id.
func (p *Payer) Pay(tb testing.TB, orderID string) string {
	tb.Helper()
	var session struct{ Token string }
	p.g.Call(tb, "POST", "/wallet/v1/sessions", "", map[string]any{"phone": p.Phone, "pin": p.PIN}, &session)
	var payment struct{ ID string }
	p.g.Call(tb, "POST", "/wallet/v1/payments", session.Token, map[string]any{"order": orderID, "pin": p.PIN}, &payment)
	return payment.ID
}

// Call sends a JSON request to the gateway with a bearer token (a secret
// key or a wallet session) and decodes the answer into out when out is not
// nil. POSTs carry a fresh Idempotency-Key. Anything but a 2xx fails the
// test.
func (g *Gateway) Call(tb testing.TB, method, path, token string, body, out any) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, g.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", scanpay.RandomToken(16))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// lockedBuffer is the gateway's log, written by many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
