package main

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

var orderIDRE = regexp.MustCompile(`(ord_[0-9a-z]{26}): scan to pay`)

// till runs `scanpay pos` with args against the gateway in the background
// and returns its output and a channel with its exit code.
func startTill(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (*syncBuffer, *syncBuffer, <-chan int) {
	t.Helper()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, append([]string{"pos"}, args...), stdin, stdout, stderr) }()
	return stdout, stderr, exited
}

func exitOf(t *testing.T, exited <-chan int, stderr *syncBuffer) int {
	t.Helper()
	select {
	case code := <-exited:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("the till did not exit:\n%s", stderr.String())
	}
	return -1
}

func TestPosChargesOneAmount(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Blue Bottle")
	payer := g.Payer(t, 10000, "CNY")
	stdout, stderr, exited := startTill(t, context.Background(), strings.NewReader(""),
		"--gateway", g.URL, "--key", key, "--amount", "12.50", "--currency", "CNY", "--reference", "T-1")
	id := waitFor(t, stdout, orderIDRE)[1]
	out := stdout.String()
	if !strings.Contains(out, "12.50 CNY  Blue Bottle") || !regexp.MustCompile(`Expires in 1[45]:\d\d, at `).MatchString(out) || !strings.Contains(out, "█") {
		t.Fatalf("the till shows:\n%s", out)
	}
	payer.Pay(t, id)
	if code := exitOf(t, exited, stderr); code != 0 {
		t.Fatalf("exit %d after the payment:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	receipt := stdout.String()[len(out):]
	for _, want := range []string{"Blue Bottle", "Amount     12.50 CNY", "Discount   0.00 CNY", "Paid       12.50 CNY", "Order      " + id, "Time       20", "PAID"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, receipt)
		}
	}
	o, err := sdk.NewClient(key, sdk.WithBaseURL(g.URL)).Orders.Get(context.Background(), id)
	if err != nil || o.Status != sdk.OrderPaid || o.Reference != "T-1" || o.Amount != 1250 {
		t.Fatalf("order %+v, %v", o, err)
	}
	if strings.Contains(stdout.String()+stderr.String(), key) {
		t.Fatal("the till printed the secret key")
	}
}

func TestPosJSONAndExpiry(t *testing.T) {
	clock := clocktest.New()
	g := gatewaytest.StartWith(t, gatewaytest.Options{Now: clock.Now})
	_, key := g.Merchant(t, "Blue Bottle")
	stdout, stderr, exited := startTill(t, context.Background(), strings.NewReader(""),
		"--gateway", g.URL, "--key", key, "--amount", "9", "--expires-in", "60", "--json")
	first := waitFor(t, stdout, regexp.MustCompile(`^(\{.*\})\n`))[1]
	var created sdk.Order
	if err := json.Unmarshal([]byte(first), &created); err != nil || created.Status != sdk.OrderPending || created.Amount != 900 ||
		!strings.HasPrefix(created.QR.Payload, g.URL+"/q/") {
		t.Fatalf("first line %s (%v)", first, err)
	}
	clock.Advance(61 * time.Second)
	if code := exitOf(t, exited, stderr); code != 3 {
		t.Fatalf("exit %d when the code expired, want 3:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var ended sdk.Order
	if len(lines) != 2 || json.Unmarshal([]byte(lines[1]), &ended) != nil || ended.ID != created.ID || ended.Status != sdk.OrderExpired {
		t.Fatalf("output %q", lines)
	}
	if !strings.Contains(stderr.String(), "expired") {
		t.Fatalf("stderr %q", stderr.String())
	}
}

// Ctrl-C while the till waits cancels the order through the API.
func TestPosCtrlCCancelsTheOrder(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Blue Bottle")
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	stdout, stderr, exited := startTill(t, ctx, strings.NewReader(""), "--gateway", g.URL, "--key", key, "--amount", "30")
	id := waitFor(t, stdout, orderIDRE)[1]
	interrupt()
	if code := exitOf(t, exited, stderr); code != 4 {
		t.Fatalf("exit %d after Ctrl-C, want 4:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	o, err := sdk.NewClient(key, sdk.WithBaseURL(g.URL)).Orders.Get(context.Background(), id)
	if err != nil || o.Status != sdk.OrderCanceled {
		t.Fatalf("order %+v, %v", o, err)
	}
	if !strings.Contains(stdout.String(), id+" canceled: no payment was taken") {
		t.Fatalf("output:\n%s", stdout.String())
	}
}

// The interactive till, fed through a pipe: bad amounts are refused and
// asked again, each order is shown, paid and printed, and the till closes
// at the end of its input.
func TestPosInteractive(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Blue Bottle")
	payer := g.Payer(t, 10000, "CNY")
	in, feed := io.Pipe()
	stdout, stderr, exited := startTill(t, context.Background(), in, "--gateway", g.URL, "--key", key)
	say := func(s string) {
		if _, err := io.WriteString(feed, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, stdout, regexp.MustCompile(`Scanpay till for Blue Bottle \(test mode\)\. Amounts in CNY`))
	say("twelve")
	waitFor(t, stdout, regexp.MustCompile(`"twelve" is not an amount of CNY`))
	say("12.345")
	waitFor(t, stdout, regexp.MustCompile(`"12.345" is not an amount of CNY: a positive number with at most 2 decimals`))
	say("12.50")
	say("T-9")
	first := waitFor(t, stdout, orderIDRE)[1]
	payer.Pay(t, first)
	waitFor(t, stdout, regexp.MustCompile(`Order      `+first+`(?s:.*)PAID\n(?s:.*)Amount \(CNY\): $`))
	say("3")
	say("")
	second := waitFor(t, stdout, regexp.MustCompile(`scan to pay(?s:.*)(ord_[0-9a-z]{26}): scan to pay`))[1]
	if second == first {
		t.Fatal("the second amount showed the first order")
	}
	payer.Pay(t, second)
	waitFor(t, stdout, regexp.MustCompile(`Paid       3.00 CNY\n  Order      `+second))
	feed.Close()
	if code := exitOf(t, exited, stderr); code != 0 {
		t.Fatalf("exit %d at the end of input:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	c := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	for id, want := range map[string]struct {
		amount    int64
		reference string
	}{first: {1250, "T-9"}, second: {300, ""}} {
		o, err := c.Orders.Get(context.Background(), id)
		if err != nil || o.Status != sdk.OrderPaid || o.Amount != want.amount || o.Reference != want.reference {
			t.Fatalf("order %+v, %v; want %+v paid", o, err, want)
		}
	}
	if n := g.Count(t, "orders"); n != 2 {
		t.Fatalf("%d orders; bad amounts made some", n)
	}
}

func TestPosRefusals(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Blue Bottle")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--gateway", g.URL}, 2, "--key"},
		{[]string{"--gateway", g.URL, "--key", key, "--json"}, 2, "--json needs --amount"},
		{[]string{"--gateway", g.URL, "--key", key, "--reference", "R"}, 2, "--reference needs --amount"},
		{[]string{"--gateway", g.URL, "--key", key, "--amount", "12.345"}, 1, "--amount: \"12.345\" is not an amount of CNY"},
		{[]string{"--gateway", g.URL, "--key", key, "--amount", "0"}, 1, "is not an amount of CNY"},
		{[]string{"--gateway", g.URL, "--key", key, "--amount", "5", "--currency", "yen"}, 1, `--currency "yen"`},
		{[]string{"--gateway", g.URL, "--key", "sk_test_nope", "--amount", "5"}, 1, "refused the key"},
		{[]string{"--gateway", g.URL, "--key", key, "--amount", "5", "--expires-in", "10"}, 1, "expires_in must be between 60 and 86400"},
	} {
		code, out, errOut := func() (int, string, string) {
			var stdout, stderr strings.Builder
			code := run(context.Background(), append([]string{"pos"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			return code, stdout.String(), stderr.String()
		}()
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("pos %v: exit %d, stderr %q; want %d and %q (stdout %q)", tt.args, code, errOut, tt.code, tt.want, out)
		}
	}
	if n := g.Count(t, "orders"); n != 0 {
		t.Fatalf("%d orders made by refused commands", n)
	}
}
