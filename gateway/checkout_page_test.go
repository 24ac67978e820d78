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
	for _, want := range []string{"Blue Bottle", "¥12.50", "Chinese yuan · CNY", "2 coffees &lt;b&gt;", "<svg", "Scan with your wallet", `data-status="pending"`, "/pay/" + id + "/events", "Test mode"} {
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
	for _, want := range []string{`lang="zh"`, "请使用钱包扫码付款", "测试模式", "向 Blue Bottle 付款", "¥12.50", "人民币 · CNY"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese page lacks %q", want)
		}
	}

	if got := en.Header().Get("X-Frame-Options"); got != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the page may be framed: X-Frame-Options %q, CSP %q", got, csp)
	}
}

func TestCheckoutPageAmounts(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	for _, tt := range []struct {
		order, lang string
		want        []string
	}{
		{`{"amount":125000000,"currency":"CNY"}`, "zh-CN", []string{"¥1,250,000.00", "人民币 · CNY"}},
		{`{"amount":123456789,"currency":"CNY"}`, "en", []string{"¥1,234,567.89", "Chinese yuan · CNY"}},
		{`{"amount":1250,"currency":"JPY"}`, "zh-CN", []string{"JP¥1,250", "日元 · JPY"}},
		{`{"amount":1250,"currency":"JPY"}`, "en", []string{"JP¥1,250", "Japanese yen · JPY"}},
	} {
		id := e.createOrder(key, tt.order)["id"].(string)
		html := e.do(request{method: "GET", path: "/pay/" + id, headers: map[string]string{"Accept-Language": tt.lang}}).Body.String()
		for _, want := range tt.want {
			if !strings.Contains(html, want) {
				t.Errorf("%s page of %s lacks %q", tt.lang, tt.order, want)
			}
		}
		if tt.want[0] == "JP¥1,250" && strings.Contains(html, ">¥1,250<") {
			t.Errorf("yen shown as a bare ¥, as yuan are")
		}
	}
}

// TestPagesNotFound: a payer who opens a stale or mistyped link gets a page
// in their language with a 404, not an API error; an API client asking for
// JSON still gets the error object.
func TestPagesNotFound(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/pay/ord_missing", "/q/nosuchcode"} {
		browser := map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
		for lang, want := range map[string]string{"zh-CN,zh;q=0.9": "找不到此付款页面", "en-US,en;q=0.9": "Payment page not found"} {
			browser["Accept-Language"] = lang
			r := e.do(request{method: "GET", path: path, headers: browser})
			html := r.Body.String()
			if r.Code != 404 || r.Header().Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(html, want) {
				t.Errorf("%s in %s: %d %s\n%s", path, lang, r.Code, r.Header().Get("Content-Type"), html)
			}
			if !strings.Contains(html, r.Header().Get("Request-Id")) || r.Header().Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: error page without its request id or frame protection", path)
			}
		}
		// curl's default */* is a browser's too: a page.
		if r := e.do(request{method: "GET", path: path, headers: map[string]string{"Accept": "*/*"}}); r.Code != 404 || !strings.Contains(r.Body.String(), "<html") {
			t.Errorf("%s with */*: %d %s", path, r.Code, r.Body.String())
		}
		e.do(request{method: "GET", path: path, headers: map[string]string{"Accept": "application/json"}}).
			expectError(t, 404, "not_found_error", "resource_missing", "id")
	}
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
