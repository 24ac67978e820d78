package gateway_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCheckoutPage(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY","description":"2 coffees <b>"}`)
	id := o["id"].(string)

	en := e.do(request{method: "GET", path: "/pay/" + id, headers: map[string]string{"Accept-Language": "en-US,en;q=0.9"}})
	if en.Code != 200 || en.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page: %d %s", en.Code, en.Header().Get("Content-Type"))
	}
	html := en.Body.String()
	for _, want := range []string{"Blue Bottle", "¥12.50", "2 coffees &lt;b&gt;", "<svg", "Scan with your wallet", `data-status="pending"`, "/pay/" + id + "/events", "Test mode"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Nothing is loaded from elsewhere, and only our own inline code runs.
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|<link|@import|url\(`).MatchString(html) {
		t.Error("page references an external asset")
	}
	csp := en.Header().Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`script-src 'nonce-([a-z0-9]+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(html, `<script nonce="`+nonce[1]+`">`) || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q does not pin the page's script", csp)
	}
	// The countdown starts from the server's clock.
	if !strings.Contains(html, `data-remaining="900"`) {
		t.Error("countdown does not start at 900 s")
	}

	zh := e.do(request{method: "GET", path: "/pay/" + id, headers: map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}}).Body.String()
	for _, want := range []string{`lang="zh"`, "请使用钱包扫码付款", "测试模式", "向 Blue Bottle 付款"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese page lacks %q", want)
		}
	}

	e.do(request{method: "GET", path: "/pay/ord_missing"}).expectError(t, 404, "not_found_error", "resource_missing", "id")
}

func TestCheckoutPageShowsOutcome(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	canceled := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	e.do(request{method: "POST", path: "/v1/orders/" + canceled + "/cancel", key: key})
	expired := e.createOrder(key, `{"amount":100,"currency":"CNY","expires_in":60}`)["id"].(string)
	e.clock.Advance(61 * time.Second)
	for id, status := range map[string]string{canceled: "canceled", expired: "expired"} {
		if page := e.do(request{method: "GET", path: "/pay/" + id}).Body.String(); !strings.Contains(page, `data-status="`+status+`"`) {
			t.Errorf("page of a %s order does not open on its screen", status)
		}
	}
}

func TestScanLandingRedirectsToCheckout(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	o := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)
	path := strings.TrimPrefix(o["qr"].(map[string]any)["payload"].(string), baseURL)
	r := e.do(request{method: "GET", path: path})
	if r.Code != http.StatusFound || r.Header().Get("Location") != "/pay/"+o["id"].(string) {
		t.Fatalf("%s: %d to %q", path, r.Code, r.Header().Get("Location"))
	}
	e.do(request{method: "GET", path: "/q/nosuchcode"}).expectError(t, 404, "not_found_error", "resource_missing", "id")
}

// sseEvents reads "event: status" data lines from a stream.
func sseEvents(t *testing.T, url string) <-chan string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 8)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				out <- data
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return out
}

func next(t *testing.T, events <-chan string) string {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			return "closed"
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
		return ""
	}
}

func TestCheckoutEventsFollowTheOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	srv := httptest.NewServer(e.server)
	defer srv.Close()

	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	events := sseEvents(t, srv.URL+"/pay/"+id+"/events")
	if ev := next(t, events); ev != `{"status":"pending"}` {
		t.Fatalf("first event %s", ev)
	}
	e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key})
	if ev := next(t, events); ev != `{"status":"canceled"}` {
		t.Fatalf("after cancel: %s", ev)
	}
	if ev := next(t, events); ev != "closed" {
		t.Fatalf("stream goes on after the outcome: %s", ev)
	}

	id = e.createOrder(key, `{"amount":100,"currency":"CNY","expires_in":60}`)["id"].(string)
	events = sseEvents(t, srv.URL+"/pay/"+id+"/events")
	next(t, events)
	e.clock.Advance(time.Minute)
	if ev := next(t, events); ev != `{"status":"expired"}` {
		t.Fatalf("after expiry: %s", ev)
	}
}

func TestDrainEndsEventStreams(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	srv := httptest.NewServer(e.server)
	defer srv.Close()
	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	events := sseEvents(t, srv.URL+"/pay/"+id+"/events")
	next(t, events)
	e.server.Drain()
	if ev := next(t, events); ev != "closed" {
		t.Fatalf("stream still open after drain: %s", ev)
	}
}
