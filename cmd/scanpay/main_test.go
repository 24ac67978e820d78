package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// syncBuffer is a bytes.Buffer the server's logger and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs one command of the real command line and returns its exit code
// and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// startServe runs `scanpay serve` on a free port and returns its base URL
// and a function that stops it (as SIGTERM would) and returns its exit code.
// Flags are added to (and so override) the test's own.
func startServe(t *testing.T, db string, flags ...string) (string, func() int) {
	t.Helper()
	gw, stop, _ := startServeLogs(t, db, flags...)
	return gw, stop
}

// startServeLogs is startServe that also returns the server's log.
func startServeLogs(t *testing.T, db string, flags ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan int, 1)
	keyFile := filepath.Join(t.TempDir(), "scanpay.key")
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--secret-key-file", keyFile, "--webhook-allow-private"}, flags...)
	go func() {
		done <- run(ctx, args, strings.NewReader(""), io.Discard, logs)
	}()
	addr := regexp.MustCompile(`msg="scanpay listening" addr=(\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			var once sync.Once
			code := 0
			stopper := func() int {
				once.Do(func() { stop(); code = <-done })
				return code
			}
			t.Cleanup(func() { stopper() })
			return "http://" + m[1], stopper, logs
		}
		select {
		case c := <-done:
			t.Fatalf("serve exited with %d:\n%s", c, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", logs.String())
	return "", nil, nil
}

func call(t *testing.T, method, url, token, body string, want int) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// TestWalkthrough is the README's walkthrough against the real binary's
// code path: serve, a merchant from the CLI, a wallet, an order, a scan, a
// payment, a refund, and a ledger that verifies.
func TestWalkthrough(t *testing.T) {
	db := storagetest.URL(t)
	gw, stop := startServe(t, db)

	code, out, errOut := cli(t, "merchant", "create", "--name", "Blue Bottle", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("merchant create: %d %s", code, errOut)
	}
	var created struct {
		Merchant  struct{ ID string }
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || !strings.HasPrefix(created.SecretKey, "sk_test_") {
		t.Fatalf("merchant create --json: %v %s", err, out)
	}
	key := created.SecretKey

	// A receiver that checks every delivery with the Standard Webhooks
	// reference library.
	type delivery struct {
		typ string
		err error
	}
	deliveries := make(chan delivery, 16)
	var secret string
	var secretMu sync.Mutex
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		secretMu.Lock()
		hook, err := standardwebhooks.NewWebhook(secret)
		secretMu.Unlock()
		if err == nil {
			err = hook.Verify(body, r.Header)
		}
		var ev struct{ Type string }
		json.Unmarshal(body, &ev)
		deliveries <- delivery{ev.Type, err}
	}))
	defer receiver.Close()
	endpoint := call(t, "POST", gw+"/v1/webhook_endpoints", key, `{"url":"`+receiver.URL+`","enabled_events":["order.paid","refund.succeeded"]}`, 201)
	secretMu.Lock()
	secret = endpoint["secret"].(string)
	secretMu.Unlock()

	account := call(t, "POST", gw+"/wallet/v1/accounts", "", `{"phone":"13800138000","pin":"135790"}`, 201)
	token := account["token"].(string)
	call(t, "POST", gw+"/wallet/v1/topups", token, `{"amount":10000,"currency":"CNY"}`, 201)

	order := call(t, "POST", gw+"/v1/orders", key, `{"amount":1250,"currency":"CNY","description":"2 coffees"}`, 201)
	payload := order["qr"].(map[string]any)["payload"].(string)
	if !strings.HasPrefix(payload, gw+"/q/") {
		t.Fatalf("payload %q does not point at this gateway", payload)
	}
	preview := call(t, "POST", gw+"/wallet/v1/scan", token, `{"payload":"`+payload+`"}`, 200)
	call(t, "POST", gw+"/wallet/v1/payments", token, `{"order":"`+preview["order"].(string)+`"}`, 201)
	if o := call(t, "GET", gw+"/v1/orders/"+order["id"].(string), key, "", 200); o["status"] != "paid" {
		t.Fatalf("order %v", o)
	}
	call(t, "POST", gw+"/v1/refunds", key, `{"order":"`+order["id"].(string)+`","amount":250}`, 201)
	if b := call(t, "GET", gw+"/wallet/v1/balance", token, "", 200); b["available"].([]any)[0].(map[string]any)["amount"] != 10000.0-1250+250 {
		t.Fatalf("balance %v", b)
	}

	code, out, _ = cli(t, "ledger", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "ok:") {
		t.Fatalf("ledger verify: %d %s", code, out)
	}
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case d := <-deliveries:
			if d.err != nil {
				t.Fatalf("%s webhook does not verify: %v", d.typ, d.err)
			}
			got[d.typ] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("webhooks within 10 s: %v, want order.paid and refund.succeeded", got)
		}
	}
	if !got["order.paid"] || !got["refund.succeeded"] {
		t.Fatalf("webhooks %v", got)
	}
	if c := stop(); c != 0 {
		t.Fatalf("serve exited with %d", c)
	}
}

func TestLedgerVerifyFailsOnABrokenLedger(t *testing.T) {
	db := storagetest.URL(t)
	if code, _, errOut := cli(t, "migrate", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	gw, _ := startServe(t, db)
	account := call(t, "POST", gw+"/wallet/v1/accounts", "", `{"phone":"13800138000","pin":"135790"}`, 201)
	call(t, "POST", gw+"/wallet/v1/topups", account["token"].(string), `{"amount":10000,"currency":"CNY"}`, 201)
	if code, _, _ := cli(t, "ledger", "verify", "--db", db); code != 0 {
		t.Fatal("verify fails on a good ledger")
	}
	// Money appears from nowhere: a balance no entry explains.
	sqlExec(t, db, `UPDATE ledger_accounts SET balance = balance + 1 WHERE kind = 'wallet'`)
	code, out, _ := cli(t, "ledger", "verify", "--db", db)
	if code == 0 || !strings.Contains(out, "BROKEN:") {
		t.Fatalf("verify passed a broken ledger: %d %s", code, out)
	}
}

func TestMigrateIsSafeToRunTwice(t *testing.T) {
	db := storagetest.URL(t)
	code, out, errOut := cli(t, "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "applied 0001_foundation") {
		t.Fatalf("first migrate: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "migrate", "--db", db)
	if code != 0 || strings.TrimSpace(out) != "schema is up to date" {
		t.Fatalf("second migrate: %d %s", code, out)
	}
}

func TestShutdownEndsOpenCheckoutStreams(t *testing.T) {
	db := storagetest.URL(t)
	gw, stop := startServe(t, db)
	_, out, _ := cli(t, "merchant", "create", "--name", "Blue Bottle", "--db", db, "--json")
	var created struct {
		SecretKey string `json:"secret_key"`
	}
	json.Unmarshal([]byte(out), &created)
	order := call(t, "POST", gw+"/v1/orders", created.SecretKey, `{"amount":100,"currency":"CNY"}`, 201)
	resp, err := http.Get(gw + "/pay/" + order["id"].(string) + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if line, _ := bufio.NewReader(resp.Body).ReadString('\n'); !strings.HasPrefix(line, "event: status") {
		t.Fatalf("stream starts with %q", line)
	}
	start := time.Now()
	if c := stop(); c != 0 {
		t.Fatalf("serve exited with %d", c)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("shutdown took %v with a stream open", d)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"fly"}, {"merchant"}, {"ledger"}, {"serve", "--nope"}, {"merchant", "create", "extra"},
		{"report"}, {"report", "verify"}, {"settle", "extra"}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v exited %d, want 2", args, code)
		}
	}
	if code, _, errOut := cli(t, "merchant", "create", "--db", storagetest.URL(t)); code != 1 || !strings.Contains(errOut, "scanpay: --name is required") {
		t.Errorf("merchant create without a name: %d %q", code, errOut)
	}
}

func TestMasterKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scanpay.key")
	a, err := masterKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := masterKey("", path)
	if err != nil || !bytes.Equal(a, b) || len(a) != 32 {
		t.Fatalf("second read gave another key (%v)", err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", info.Mode().Perm())
	}
	if _, err := masterKey("not base64", path); err == nil {
		t.Fatal("bad SCANPAY_SECRET_KEY accepted")
	}
	if bytes.Equal(deriveKey(a, "wallet sessions"), deriveKey(a, "webhook secrets")) {
		t.Fatal("two purposes share a key")
	}
}

func sqlExec(t *testing.T, url, query string) {
	t.Helper()
	db, err := storage.Open(context.Background(), url, storage.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db)
	if err := db.Exec(query).Error; err != nil {
		t.Fatal(err)
	}
}

func TestDemoPaysAnOrder(t *testing.T) {
	db := storagetest.URL(t)
	gw, _ := startServe(t, db)
	code, out, errOut := cli(t, "demo", "--gateway", gw, "--db", db)
	if code != 0 || !strings.Contains(out, "the order is paid") || !strings.Contains(out, "█") {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := cli(t, "ledger", "verify", "--db", db); code != 0 {
		t.Fatalf("ledger after the demo: %s", out)
	}
}
