package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// localReceiver is a developer's webhook handler on their laptop: it
// verifies every delivery with the SDK and the secret listen printed.
type localReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	got    chan *sdk.Event
	errs   chan error
}

func newLocalReceiver(t *testing.T) *localReceiver {
	r := &localReceiver{got: make(chan *sdk.Event, 100), errs: make(chan error, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret := r.secret
		r.mu.Unlock()
		ev, err := sdk.VerifyWebhook(body, req.Header, secret)
		if err != nil {
			r.errs <- err
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.got <- ev
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *localReceiver) next(t *testing.T) *sdk.Event {
	t.Helper()
	select {
	case ev := <-r.got:
		return ev
	case err := <-r.errs:
		t.Fatalf("a forwarded event did not verify: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("nothing forwarded within 10s")
	}
	return nil
}

// waitFor waits until out matches re and returns the submatches.
func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m
		}
	}
	t.Fatalf("no %s in the output:\n%s", re, out.String())
	return nil
}

func TestListenForwardsEventsSignedWithItsSecret(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Laptop Café")
	front := g.Front(t)
	recv := newLocalReceiver(t)
	client := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	payer := g.Payer(t, 100_000, "CNY")
	pay := func(amount int64) string {
		o, err := client.Orders.Create(context.Background(), &sdk.OrderCreateParams{Amount: amount, Currency: "CNY"})
		if err != nil {
			t.Fatal(err)
		}
		payer.Pay(t, o.ID)
		return o.ID
	}

	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"listen", "--gateway", front.URL, "--key", key, "--forward-to", recv.URL + "/webhooks"}, strings.NewReader(""), stdout, stderr)
	}()
	secret := waitFor(t, stdout, regexp.MustCompile(`signing secret is (whsec_\S+)`))[1]
	recv.mu.Lock()
	recv.secret = secret
	recv.mu.Unlock()
	if strings.Contains(stdout.String()+stderr.String(), key) {
		t.Fatal("listen printed the secret key")
	}

	first := pay(1250)
	ev := recv.next(t)
	if o, err := ev.Order(); err != nil || ev.Type != sdk.EventOrderPaid || o.ID != first || o.Status != sdk.OrderPaid {
		t.Fatalf("forwarded %s %+v (%v), want order.paid of %s", ev.Type, o, err, first)
	}
	waitFor(t, stdout, regexp.MustCompile(`order\.paid\s+`+ev.ID+`\s+-> \[202 Accepted\]`))

	// The connection to the gateway drops; what happens meanwhile arrives
	// once it is back, once each.
	front.Down()
	during := pay(2000)
	front.Up()
	after := pay(3000)
	var got []string
	for _, want := range []string{during, after} {
		ev := recv.next(t)
		o, err := ev.Order()
		if err != nil || o.ID != want {
			t.Fatalf("forwarded %+v (%v), want the order.paid of %s", o, err, want)
		}
		got = append(got, ev.ID)
	}
	last := pay(4000)
	ev = recv.next(t)
	if o, _ := ev.Order(); o == nil || o.ID != last {
		t.Fatalf("after the reconnection came %+v, want %s and no repeat", o, last)
	}
	waitFor(t, stdout, regexp.MustCompile(ev.ID))
	var logged []string
	for _, m := range regexp.MustCompile(`order\.paid\s+(evt_\S+)`).FindAllStringSubmatch(stdout.String(), -1) {
		logged = append(logged, m[1])
	}
	if len(logged) != 4 || !slices.Equal(logged[1:3], got) {
		t.Fatalf("printed events %v, want 4 lines with %v in the middle", logged, got)
	}

	stop()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("listen exited %d on ^C:\n%s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("listen did not stop")
	}
}

func TestListenRefusals(t *testing.T) {
	g := gatewaytest.Start(t)
	if code, _, errOut := cli(t, "listen", "--gateway", g.URL, "--key", "sk_test_x"); code != 2 || !strings.Contains(errOut, "--forward-to") {
		t.Fatalf("without --forward-to: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "listen", "--gateway", g.URL, "--key", "sk_test_x", "--forward-to", "localhost:4242"); code != 2 || !strings.Contains(errOut, "not an http(s) URL") {
		t.Fatalf("a forward-to without a scheme: %d %s", code, errOut)
	}
	code, out, errOut := cli(t, "listen", "--gateway", g.URL, "--key", "sk_test_wrong", "--forward-to", "http://localhost:4242")
	if code != 1 || !strings.Contains(errOut, "refused") || strings.Contains(out, "whsec_") {
		t.Fatalf("a wrong key: %d %q %q", code, out, errOut)
	}
}
