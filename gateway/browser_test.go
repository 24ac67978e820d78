package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// browserScreen is what testdata/browser/checkout.js read off the page.
type browserScreen struct {
	Status         string `json:"status"`
	Lang           string `json:"lang"`
	Merchant       string `json:"merchant"`
	Amount         string `json:"amount"`
	Currency       string `json:"currency"`
	Hint           string `json:"hint"`
	Countdown      string `json:"countdown"`
	QRLoaded       bool   `json:"qrLoaded"`
	QRVisible      bool   `json:"qrVisible"`
	PaidVisible    bool   `json:"paidVisible"`
	ExpiredVisible bool   `json:"expiredVisible"`
	Title          string `json:"title"`
	Styled         bool   `json:"styled"`
	Outcomes       []struct {
		Event string `json:"event"`
		Order struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"order"`
	} `json:"outcomes"`
	Violations []string `json:"violations"`
}

type browserCheckout struct {
	Before browserScreen `json:"before"`
	After  browserScreen `json:"after"`
	Log    []string      `json:"log"`
}

// TestScanpayJSInChromium mounts the in-page checkout in headless
// Chromium, on a shop page whose Content-Security-Policy allows the
// gateway's origin and nothing else for scripts (besides the page's own
// file), styles, images and connections: the order shows, a wallet pays
// it through the API and onPaid fires as the screen turns to paid; an
// order left to expire calls onExpired. No policy is broken on the way,
// which the page, the console and the policy's reports would each tell,
// as a probe that breaks it on purpose shows. CI runs it (.ci/run installs
// chromium and playwright-core); elsewhere it is skipped when they are
// missing.
func TestScanpayJSInChromium(t *testing.T) {
	dir := filepath.Join("testdata", "browser")
	node, nodeErr := exec.LookPath("node")
	_, chromiumErr := os.Stat("/usr/bin/chromium")
	_, modulesErr := os.Stat(filepath.Join(dir, "node_modules", "playwright-core"))
	if nodeErr != nil || chromiumErr != nil || modulesErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run this test: node %v, chromium %v, playwright-core %v", nodeErr, chromiumErr, modulesErr)
		}
		t.Skipf("needs node, Debian's chromium and `npm ci --prefix %s`", dir)
	}

	clock := clocktest.New()
	g := gatewaytest.StartWith(t, gatewaytest.Options{Now: clock.Now})
	_, key := g.Merchant(t, "Blue Bottle")
	client := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	ctx := context.Background()
	toPay, err := client.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", Description: "2 coffees"})
	if err != nil {
		t.Fatal(err)
	}
	toExpire, err := client.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 900, Currency: "CNY", ExpiresIn: 60})
	if err != nil {
		t.Fatal(err)
	}
	payer := g.Payer(t, 10000, "CNY")

	shop := newStrictShop(t, g.URL, map[string]shopPage{
		"/probe":            {Gateway: g.URL, Probe: true},
		"/checkout/paid":    {Gateway: g.URL, ClientSecret: toPay.ClientSecret, Locale: "zh"},
		"/checkout/expired": {Gateway: g.URL, ClientSecret: toExpire.ClientSecret, Locale: "en"},
	})

	runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cfg, _ := json.Marshal(map[string]string{"shop": shop.URL, "screenshots": t.TempDir()})
	cmd := exec.CommandContext(runCtx, node, "checkout.js", string(cfg))
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var result struct {
		Probe struct {
			Violations []string `json:"violations"`
		} `json:"probe"`
		Paid    browserCheckout `json:"paid"`
		Expired browserCheckout `json:"expired"`
	}
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var msg struct {
			Ready  string          `json:"ready"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(lines.Bytes(), &msg); err != nil {
			t.Fatalf("checkout.js said %q: %v", lines.Text(), err)
		}
		switch {
		case msg.Ready == "paid":
			payer.Pay(t, toPay.ID) // the wallet pays through the wallet API
		case msg.Ready == "expired":
			clock.Advance(61 * time.Second) // the gateway's clock: the order is past its expiry
		case msg.Result != nil:
			if err := json.Unmarshal(msg.Result, &result); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("checkout.js: %v\n%s", err, stderr.String())
	}

	// The probe shows that a broken policy is noticed, both in the page and
	// by the policy's report.
	if len(result.Probe.Violations) == 0 {
		t.Fatal("the probe broke the policy and nobody noticed: the checks below prove nothing")
	}
	shop.waitForReport(t, "/probe")

	paid := result.Paid
	b, a := paid.Before, paid.After
	if b.Status != "pending" || b.Lang != "zh" || b.Merchant != "Blue Bottle" || b.Amount != "¥12.50" || b.Currency != "人民币 · CNY" ||
		b.Hint != "请使用钱包扫码付款" || !b.QRLoaded || !b.QRVisible || !b.Styled || !regexp.MustCompile(`^\d\d:\d\d$`).MatchString(b.Countdown) ||
		len(b.Outcomes) != 0 {
		t.Fatalf("before the payment the page showed %+v", b)
	}
	if a.Status != "paid" || !a.PaidVisible || a.QRVisible || a.Title != "支付成功" || len(a.Outcomes) != 1 ||
		a.Outcomes[0].Event != "paid" || a.Outcomes[0].Order.ID != toPay.ID || a.Outcomes[0].Order.Status != "paid" {
		t.Fatalf("after the payment the page showed %+v", a)
	}
	exp := result.Expired
	if exp.Before.Status != "pending" || exp.Before.Amount != "¥9.00" || exp.Before.Currency != "Chinese yuan · CNY" ||
		exp.Before.Hint != "Scan with your wallet to pay" {
		t.Fatalf("the expiring order showed %+v", exp.Before)
	}
	if ea := exp.After; ea.Status != "expired" || !ea.ExpiredVisible || ea.Title != "This code has expired" || len(ea.Outcomes) != 1 ||
		ea.Outcomes[0].Event != "expired" || ea.Outcomes[0].Order.ID != toExpire.ID {
		t.Fatalf("after the expiry the page showed %+v", ea)
	}
	for name, c := range map[string]browserCheckout{"paid": paid, "expired": exp} {
		if v := append(c.Before.Violations, c.After.Violations...); len(v) > 0 {
			t.Errorf("%s: policy violations %v", name, v)
		}
		for _, line := range c.Log {
			if strings.HasPrefix(line, "error") || strings.HasPrefix(line, "pageerror") || strings.Contains(line, "Content Security Policy") {
				t.Errorf("%s: console %s", name, line)
			}
		}
	}
	if reports := shop.reportsFrom("/checkout/"); len(reports) > 0 {
		t.Errorf("the policy reported violations: %v", reports)
	}
	if o, err := client.Orders.Get(ctx, toPay.ID); err != nil || o.Status != sdk.OrderPaid {
		t.Fatalf("paid order %+v, %v", o, err)
	}
}

// shopPage is one page of the test shop.
type shopPage struct {
	Gateway      string
	ClientSecret string
	Locale       string
	Probe        bool
}

// strictShop is a merchant's site on an origin of its own, whose pages
// allow the gateway's origin and nothing else for styles, images and
// connections, and for scripts only besides the page's own script file;
// no 'unsafe-inline' anywhere. It keeps the reports of violations.
type strictShop struct {
	*httptest.Server
	mu      sync.Mutex
	reports []string
}

var shopTemplate = template.Must(template.ParseFiles(filepath.Join("testdata", "browser", "shop.html")))

func newStrictShop(t *testing.T, gatewayURL string, pages map[string]shopPage) *strictShop {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("testdata", "browser", "shop.js"))
	if err != nil {
		t.Fatal(err)
	}
	csp := "default-src 'none'; script-src 'self' " + gatewayURL + "; style-src " + gatewayURL + "; img-src " + gatewayURL +
		"; connect-src " + gatewayURL + "; base-uri 'none'; form-action 'none'; report-uri /csp-report"
	s := &strictShop{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/shop.js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write(script)
		case r.URL.Path == "/csp-report" && r.Method == http.MethodPost:
			body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			s.mu.Lock()
			s.reports = append(s.reports, string(body))
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		default:
			page, ok := pages[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if err := shopTemplate.Execute(w, page); err != nil {
				t.Error(err)
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// reportsFrom returns the violation reports of pages whose path starts
// with prefix.
func (s *strictShop) reportsFrom(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.reports {
		var report struct {
			Body struct {
				DocumentURI string `json:"document-uri"`
			} `json:"csp-report"`
		}
		if json.Unmarshal([]byte(r), &report) != nil || strings.Contains(report.Body.DocumentURI, s.URL+prefix) {
			out = append(out, r)
		}
	}
	return out
}

// waitForReport waits for a violation report of the page at path.
func (s *strictShop) waitForReport(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(s.reportsFrom(path)) > 0 {
			return
		}
	}
	t.Fatalf("no violation report from %s: reports %v", path, s.reports)
}
