package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/scanpay/scanpay/storage"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// merchantKey creates a merchant through the CLI and returns its test key.
func merchantKey(t *testing.T, db string) string {
	t.Helper()
	code, out, errOut := cli(t, "merchant", "create", "--name", "Load Test Café", "--db", db, "--json")
	var created struct {
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal([]byte(out), &created); code != 0 || err != nil || created.SecretKey == "" {
		t.Fatalf("merchant create: %d %v %s", code, err, errOut)
	}
	return created.SecretKey
}

// queryInt runs a query that returns one integer on the database at url.
func queryInt(t *testing.T, url, query string, args ...any) int64 {
	t.Helper()
	db, err := storage.Open(context.Background(), url, storage.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer storage.Close(db)
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLoadtestAgreesWithTheDatabase runs the load tool for two seconds
// against the real serve, then checks its report against the database:
// every order it counts as paid is paid there, and the ledger verifies.
func TestLoadtestAgreesWithTheDatabase(t *testing.T) {
	db := storagetest.URL(t)
	gw, _ := startServe(t, db)
	key := merchantKey(t, db)

	code, out, errOut := cli(t, "loadtest", "--gateway", gw, "--key", key, "--clients", "4", "--duration", "2s", "--json")
	if code != 0 {
		t.Fatalf("loadtest exited %d:\n%s\n%s", code, out, errOut)
	}
	var r loadReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out)
	}
	if r.Paid == 0 || r.Created != r.Paid || r.PaidPerSecond <= 0 {
		t.Fatalf("created %d, paid %d (%g/s)", r.Created, r.Paid, r.PaidPerSecond)
	}
	if r.Errors.Total != 0 || r.Webhooks.Missing != 0 || r.Webhooks.BadSignature != 0 || r.Failures != 0 {
		t.Fatalf("errors %+v, webhooks %+v", r.Errors, r.Webhooks)
	}
	if r.Webhooks.Received != r.Paid || r.Latency.Pay.Count != r.Paid || r.Latency.CommitToWebhook.Count != r.Paid {
		t.Fatalf("%d paid, %d webhooks, %d pay latencies, %d commit-to-webhook", r.Paid, r.Webhooks.Received,
			r.Latency.Pay.Count, r.Latency.CommitToWebhook.Count)
	}
	if l := r.Latency.Pay; l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Fatalf("pay latency %+v", l)
	}
	if r.ToolCPU.Seconds <= 0 || r.ToolCPU.Cores <= 0 || r.Mode != "closed" || r.Schedule != nil {
		t.Fatalf("cpu %+v, mode %s, schedule %+v", r.ToolCPU, r.Mode, r.Schedule)
	}

	if paid := queryInt(t, db, `SELECT COUNT(*) FROM orders WHERE status = ?`, "paid"); paid != r.Paid {
		t.Fatalf("the database has %d paid orders, the tool counted %d", paid, r.Paid)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM webhook_endpoints WHERE status <> ?`, "deleted"); n != 0 {
		t.Fatalf("%d webhook endpoints left behind", n)
	}
	if code, out, _ := cli(t, "ledger", "verify", "--db", db); code != 0 {
		t.Fatalf("ledger verify after the load: %s", out)
	}
}

func TestLoadtestOpenLoop(t *testing.T) {
	db := storagetest.URL(t)
	gw, _ := startServe(t, db)
	key := merchantKey(t, db)
	code, out, errOut := cli(t, "loadtest", "--gateway", gw+","+gw, "--key", key, "--clients", "2", "--duration", "1s", "--rate", "20")
	if code != 0 {
		t.Fatalf("loadtest exited %d:\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"open loop at 20/s", "schedule      intended 20, started", "errors        none", "missing 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// TestLoadtestRefusesClearly: a wrong key, a gateway that is not there, and
// a gateway that will not deliver to the tool's receiver each stop the tool
// before it creates anything, with a message that says what to do.
func TestLoadtestRefusesClearly(t *testing.T) {
	db := storagetest.URL(t)
	gw, _ := startServe(t, db)
	strict, _ := startServe(t, db, "--webhook-allow-private=false")
	key := merchantKey(t, db)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no key", []string{"--gateway", gw}, "--key is required"},
		{"no clients", []string{"--gateway", gw, "--key", key, "--clients", "0"}, "--clients must be at least 1"},
		{"a wrong key", []string{"--gateway", gw, "--key", "sk_test_0000000000000000000000000000000000000000000000000000"}, "refused the key (401"},
		{"the second gateway not there", []string{"--gateway", gw + ",http://127.0.0.1:1", "--key", key}, "cannot reach the gateway at http://127.0.0.1:1"},
		{"no gateway there", []string{"--gateway", "http://127.0.0.1:1", "--key", key}, "cannot reach the gateway at http://127.0.0.1:1"},
		{"webhooks to private addresses refused", []string{"--gateway", strict, "--key", key}, "--webhook-allow-private"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := cli(t, append([]string{"loadtest", "--duration", "1s"}, c.args...)...)
			if code != 1 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, errOut, c.want)
			}
		})
	}
	if code, _, _ := cli(t, "loadtest", "--gateway", gw, "--key", key, "--nope"); code != 2 {
		t.Fatalf("an unknown flag exits %d, want 2", code)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM wallets`); n != 0 {
		t.Fatalf("refused runs opened %d wallets", n)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM webhook_endpoints`); n != 0 {
		t.Fatalf("refused runs registered %d endpoints", n)
	}
}
