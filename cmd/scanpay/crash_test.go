package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestKillingGatewaysNeverDoesTwiceNorAnswersWrong runs two real gateway
// processes on one database while clients pay, refund and top up with
// Idempotency-Keys, and kills one gateway with SIGKILL every few seconds.
// Every request is retried with its key, on either gateway, until it gets
// an answer. Then every answer must agree with the database: a payer told
// 201 paid, nobody told 409 about their own payment, no refund, top-up or
// order made twice, the ledger balanced, every wallet holding what its
// answers add up to, and every paid order's order.paid delivered.
func TestKillingGatewaysNeverDoesTwiceNorAnswersWrong(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real gateway processes for half a minute")
	}
	const (
		chaos    = 20 * time.Second
		killEach = 2500 * time.Millisecond
		payers   = 8
		workers  = 16
	)
	bin := buildScanpay(t)
	dbURL := storagetest.URL(t)
	if code, _, stderr := cli(t, "migrate", "--db", dbURL); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := storage.Open(context.Background(), dbURL, storage.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db)
	_, key, err := merchant.NewService(db, scanpay.Now).Create(context.Background(), merchant.CreateParams{Name: "Crash Café"})
	if err != nil {
		t.Fatal(err)
	}

	master := make([]byte, 32)
	rand.Read(master)
	gateways := make([]*gatewayProcess, 2)
	for i := range gateways {
		gateways[i] = &gatewayProcess{bin: bin, db: dbURL, port: freePort(t), master: base64.StdEncoding.EncodeToString(master)}
		gateways[i].start(t)
	}
	t.Cleanup(func() {
		for _, g := range gateways {
			g.kill()
		}
	})
	c := &retryingClient{t: t, urls: []string{gateways[0].url(), gateways[1].url()}}

	hooks := newHookLog(t)
	endpoint := c.must("POST", "/v1/webhook_endpoints", key, "setup-endpoint",
		`{"url":"`+hooks.URL+`","enabled_events":["order.paid"]}`, 201)
	hooks.setSecret(endpoint["secret"].(string))

	type payer struct {
		id, token string
		expected  atomic.Int64
	}
	wallets := make([]*payer, payers)
	for i := range wallets {
		signUp := c.must("POST", "/wallet/v1/accounts", "", fmt.Sprintf("setup-wallet-%d", i),
			fmt.Sprintf(`{"phone":"1390000%04d","pin":"135790"}`, i), 201)
		p := &payer{id: signUp["account"].(map[string]any)["id"].(string), token: signUp["token"].(string)}
		c.must("POST", "/wallet/v1/topups", p.token, fmt.Sprintf("setup-topup-%d", i), `{"amount":5000000,"currency":"CNY"}`, 201)
		p.expected.Store(5_000_000)
		wallets[i] = p
	}

	// The answers clients got, to hold against the database afterwards.
	var mu sync.Mutex
	var (
		orders   = map[string]bool{}
		payments = map[string]string{} // payment id → order id
		refunds  = map[string]bool{}
		topups   = map[string]bool{}
		wrong    []string
	)
	note := func(f func()) { mu.Lock(); f(); mu.Unlock() }

	ctx, stop := context.WithTimeout(context.Background(), chaos)
	defer stop()
	var kills atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(killEach):
			}
			g := gateways[i%len(gateways)]
			g.kill()
			kills.Add(1)
			time.Sleep(200 * time.Millisecond)
			g.start(t)
		}
	})
	for w := range workers {
		wg.Go(func() {
			p := wallets[w%payers]
			for j := 0; ctx.Err() == nil; j++ {
				id := fmt.Sprintf("%d-%d", w, j)
				amount := 100 + mathrand.Int64N(900)
				status, o := c.call("POST", "/v1/orders", key, "order-"+id, fmt.Sprintf(`{"amount":%d,"currency":"CNY"}`, amount))
				if status != 201 {
					note(func() { wrong = append(wrong, fmt.Sprintf("order %s: %d %v", id, status, o)) })
					continue
				}
				orderID := o["id"].(string)
				note(func() { orders[orderID] = true })
				status, pay := c.call("POST", "/wallet/v1/payments", p.token, "pay-"+id, `{"order":"`+orderID+`"}`)
				if status != 201 || pay["order"] != orderID {
					note(func() { wrong = append(wrong, fmt.Sprintf("payment of %s: %d %v", orderID, status, pay)) })
					continue
				}
				p.expected.Add(-amount)
				note(func() { payments[pay["id"].(string)] = orderID })
				if j%3 == 0 {
					status, r := c.call("POST", "/v1/refunds", key, "refund-"+id, `{"order":"`+orderID+`","amount":50}`)
					if status != 201 {
						note(func() { wrong = append(wrong, fmt.Sprintf("refund of %s: %d %v", orderID, status, r)) })
						continue
					}
					p.expected.Add(50)
					note(func() { refunds[r["id"].(string)] = true })
				}
				if j%4 == 0 {
					status, tr := c.call("POST", "/wallet/v1/topups", p.token, "topup-"+id, `{"amount":500,"currency":"CNY"}`)
					if status != 201 {
						note(func() { wrong = append(wrong, fmt.Sprintf("top-up %s: %d %v", id, status, tr)) })
						continue
					}
					p.expected.Add(500)
					note(func() { topups[tr["id"].(string)] = true })
				}
			}
		})
	}
	wg.Wait()

	if len(wrong) > 0 {
		t.Errorf("%d wrong answers, first: %s", len(wrong), wrong[0])
	}
	if kills.Load() < 5 || len(payments) < 50 {
		t.Fatalf("only %d kills and %d payments: the test proved little", kills.Load(), len(payments))
	}
	t.Logf("%d kills; %d orders, %d payments, %d refunds, %d top-ups answered", kills.Load(), len(orders), len(payments), len(refunds), len(topups))

	// Nothing happened that nobody was told of, and nothing twice.
	sameIDs := func(what, query string, answered map[string]bool) {
		var ids []string
		storagetest.Scan(t, db, &ids, query)
		if len(ids) != len(answered) {
			t.Errorf("%d %s in the database, %d answered", len(ids), what, len(answered))
		}
		for _, id := range ids {
			if !answered[id] {
				t.Errorf("%s %s exists, but no client was told of it", what, id)
			}
		}
	}
	paidOrders := map[string]bool{}
	for pay, order := range payments {
		paidOrders[order] = true
		var n int64
		storagetest.Scan(t, db, &n, `SELECT COUNT(*) FROM payments WHERE id = ? AND order_id = ?`, pay, order)
		if n != 1 {
			t.Errorf("payment %s of %s was answered but is not stored", pay, order)
		}
	}
	sameIDs("orders", `SELECT id FROM orders`, orders)
	sameIDs("paid orders", `SELECT order_id FROM payments`, paidOrders)
	sameIDs("refunds", `SELECT id FROM refunds`, refunds)
	sameIDs("top-ups", `SELECT id FROM wallet_transfers WHERE kind = 'topup' AND amount = 500`, topups)
	for _, p := range wallets {
		b, err := ledger.Balance(context.Background(), db, ledger.WalletAccount(p.id, "CNY", false))
		if err != nil {
			t.Fatal(err)
		}
		if b != p.expected.Load() {
			t.Errorf("wallet %s holds %d; its answers add up to %d", p.id, b, p.expected.Load())
		}
	}
	report, err := ledger.Verify(context.Background(), db, checkout.LedgerChecks()...)
	if err != nil || !report.OK() {
		t.Fatalf("ledger verify: %v %v", err, report.Problems)
	}

	// Every payment reaches the merchant, through whichever gateway lives:
	// a delivery claimed by a killed one goes out when its lease ends.
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && len(hooks.missing(paidOrders)) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	if missing := hooks.missing(paidOrders); len(missing) > 0 {
		t.Errorf("%d paid orders never had order.paid delivered, e.g. %s", len(missing), missing[0])
	}
	if bad := hooks.badSignatures.Load(); bad > 0 {
		t.Errorf("%d deliveries failed verification", bad)
	}
}

// buildScanpay builds the real binary once for this test.
func buildScanpay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scanpay")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// gatewayProcess is `scanpay serve` as a process of its own, to be killed.
type gatewayProcess struct {
	bin, db, master string
	port            int
	mu              sync.Mutex
	cmd             *exec.Cmd
	logs            syncBuffer
}

func (g *gatewayProcess) url() string { return fmt.Sprintf("http://127.0.0.1:%d", g.port) }

func (g *gatewayProcess) start(t *testing.T) {
	g.mu.Lock()
	defer g.mu.Unlock()
	cmd := exec.Command(g.bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", g.port), "--db", g.db,
		"--webhook-allow-private", "--webhook-lease", "12s", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "SCANPAY_SECRET_KEY="+g.master)
	cmd.Stderr = &g.logs
	if err := cmd.Start(); err != nil {
		t.Errorf("start gateway: %v", err)
		return
	}
	g.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(g.url() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("gateway on %d did not become ready:\n%s", g.port, g.logs.String())
}

// kill ends the process with SIGKILL: no drain, no deferred work.
func (g *gatewayProcess) kill() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd != nil {
		g.cmd.Process.Kill()
		g.cmd.Wait()
		g.cmd = nil
	}
}

// retryingClient is a client that does what the API asks of one: it sends
// each request with its Idempotency-Key until an answer comes that is not
// the gateway's failure, switching gateways when one does not answer.
type retryingClient struct {
	t    *testing.T
	urls []string
	next atomic.Uint32
}

var crashHTTP = &http.Client{Timeout: 15 * time.Second}

func (c *retryingClient) call(method, path, token, idemKey, body string) (int, map[string]any) {
	deadline := time.Now().Add(90 * time.Second)
	for {
		base := c.urls[c.next.Add(1)%uint32(len(c.urls))]
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Idempotency-Key", idemKey)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := crashHTTP.Do(req)
		if err == nil {
			raw, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out map[string]any
			json.Unmarshal(raw, &out)
			inUse := resp.StatusCode == 409 && strings.Contains(string(raw), "idempotency_key_in_use")
			if readErr == nil && resp.StatusCode < 500 && !inUse {
				return resp.StatusCode, out
			}
		}
		if time.Now().After(deadline) {
			return 0, map[string]any{"error": fmt.Sprint("no answer in time: ", err)}
		}
		time.Sleep(time.Duration(20+mathrand.IntN(40)) * time.Millisecond)
	}
}

func (c *retryingClient) must(method, path, token, idemKey, body string, want int) map[string]any {
	c.t.Helper()
	status, out := c.call(method, path, token, idemKey, body)
	if status != want {
		c.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// hookLog receives webhooks, verifying each with the Standard Webhooks
// reference library, and remembers the orders of the order.paid ones.
type hookLog struct {
	*httptest.Server
	mu            sync.Mutex
	wh            *standardwebhooks.Webhook
	paid          map[string]bool
	badSignatures atomic.Int64
}

func newHookLog(t *testing.T) *hookLog {
	h := &hookLog{paid: map[string]bool{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.wh == nil || h.wh.Verify(body, r.Header) != nil {
			h.badSignatures.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev struct {
			Type string
			Data struct{ Object struct{ ID string } }
		}
		json.Unmarshal(body, &ev)
		if ev.Type == "order.paid" {
			h.paid[ev.Data.Object.ID] = true
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookLog) setSecret(secret string) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		panic(err)
	}
	h.mu.Lock()
	h.wh = wh
	h.mu.Unlock()
}

// missing lists the orders of want that no order.paid has reached yet.
func (h *hookLog) missing(want map[string]bool) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for id := range want {
		if !h.paid[id] {
			out = append(out, id)
		}
	}
	return out
}
