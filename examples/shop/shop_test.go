package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/gateway/gatewaytest"
	"github.com/scanpay/scanpay/sdk"
)

// The shop is what a merchant copies: it must build with the standard
// library and the SDK alone.
func TestShopImportsOnlyTheSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	slices.Sort(deps)
	if want := []string{"github.com/scanpay/scanpay/examples/shop", "github.com/scanpay/scanpay/sdk"}; !slices.Equal(deps, want) {
		t.Fatalf("the shop depends on %v, want %v", deps, want)
	}
}

// browser is a customer's browser that does not follow redirects, so the
// test sees where the shop sends it.
var browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func page(t *testing.T, method, url string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(raw)
}

// The whole purchase: the shop and the real gateway, a wallet that pays on
// the hosted page's order, the webhook that tells the shop, and a refund.
func TestShopCheckoutPayAndRefund(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Corner Coffee")
	client := sdk.NewClient(key, sdk.WithBaseURL(g.URL))
	ctx := context.Background()

	srv := httptest.NewUnstartedServer(nil)
	shopURL := "http://" + srv.Listener.Addr().String()
	ep, err := client.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointCreateParams{
		URL: shopURL + "/webhooks", EnabledEvents: []string{sdk.EventOrderPaid, sdk.EventRefundSucceeded},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := newShop(client, []string{ep.Secret}, slog.New(slog.DiscardHandler))
	srv.Config.Handler = s
	srv.Start()
	defer srv.Close()

	if resp, body := page(t, "GET", shopURL+"/", nil); resp.StatusCode != 200 || !strings.Contains(body, "Flat white") || !strings.Contains(body, "¥28.00") {
		t.Fatalf("catalog: %d\n%s", resp.StatusCode, body)
	}
	resp, _ := page(t, "POST", shopURL+"/checkout", url.Values{"product": {"flat-white"}})
	checkoutURL := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(checkoutURL, g.URL+"/pay/ord_") {
		t.Fatalf("checkout: %d to %q, want a redirect to the hosted page", resp.StatusCode, checkoutURL)
	}
	if resp, body := page(t, "GET", checkoutURL, nil); resp.StatusCode != 200 || !strings.Contains(body, "Corner Coffee") {
		t.Fatalf("hosted page: %d", resp.StatusCode)
	}
	gatewayID := strings.TrimPrefix(checkoutURL, g.URL+"/pay/")
	o, err := client.Orders.Get(ctx, gatewayID)
	if err != nil {
		t.Fatal(err)
	}
	shopID := o.Reference
	if !strings.HasPrefix(shopID, "S-") || o.Amount != 2800 || o.Currency != "CNY" || o.Description != "Flat white" {
		t.Fatalf("the gateway order %+v", o)
	}
	orderPage := shopURL + "/orders/" + shopID
	if _, body := page(t, "GET", orderPage, nil); !strings.Contains(body, "awaiting payment") || strings.Contains(body, "Refund</button>") {
		t.Fatalf("order page before payment:\n%s", body)
	}

	g.Payer(t, 10_000, "CNY").Pay(t, gatewayID)
	var body string
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(body, `class="status">paid<`); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the shop never learnt of the payment:\n%s", body)
		}
		_, body = page(t, "GET", orderPage, nil)
	}
	if !strings.Contains(body, "Refund</button>") {
		t.Fatalf("a paid order without a refund button:\n%s", body)
	}

	// Refund, and a second click: one refund.
	for range 2 {
		resp, _ := page(t, "POST", orderPage+"/refund", url.Values{})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders/"+shopID {
			t.Fatalf("refund: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if _, body := page(t, "GET", orderPage, nil); !strings.Contains(body, `class="status">refunded<`) || !strings.Contains(body, "¥28.00 refunded") {
		t.Fatalf("order page after the refund:\n%s", body)
	}
	if o, err := client.Orders.Get(ctx, gatewayID); err != nil || o.Status != sdk.OrderRefunded || o.AmountRefunded != 2800 {
		t.Fatalf("the gateway order after the refund: %+v, %v", o, err)
	}
	var refunds int
	for _, err := range client.Refunds.List(ctx, &sdk.RefundListParams{Order: gatewayID}) {
		if err != nil {
			t.Fatal(err)
		}
		refunds++
	}
	if refunds != 1 {
		t.Fatalf("%d refunds, want 1", refunds)
	}

	// Deliveries that are not the gateway's change nothing.
	forged := httptest.NewRequest("POST", "/webhooks", strings.NewReader(`{"type":"order.paid"}`))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, forged)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("an unsigned webhook: %d, want 400", rec.Code)
	}
}

func TestShopRefusals(t *testing.T) {
	g := gatewaytest.Start(t)
	_, key := g.Merchant(t, "Corner Coffee")
	s := newShop(sdk.NewClient(key, sdk.WithBaseURL(g.URL)), []string{"whsec_" + strings.Repeat("A", 43) + "="}, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(s)
	defer srv.Close()
	if resp, _ := page(t, "POST", srv.URL+"/checkout", url.Values{"product": {"tea"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unknown product: %d", resp.StatusCode)
	}
	if resp, _ := page(t, "GET", srv.URL+"/orders/S-NOPE", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown order: %d", resp.StatusCode)
	}
	resp, _ := page(t, "POST", srv.URL+"/checkout", url.Values{"product": {"croissant"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout: %d", resp.StatusCode)
	}
	o, err := sdk.NewClient(key, sdk.WithBaseURL(g.URL)).Orders.Get(context.Background(), strings.TrimPrefix(resp.Header.Get("Location"), g.URL+"/pay/"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := page(t, "POST", srv.URL+"/orders/"+o.Reference+"/refund", url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("refunding an unpaid order: %d, want 409", resp.StatusCode)
	}
	bad := newShop(sdk.NewClient("sk_test_wrong", sdk.WithBaseURL(g.URL)), []string{"whsec_x"}, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/checkout", strings.NewReader("product=croissant"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	bad.ServeHTTP(rec, req)
	if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), "sk_test") {
		t.Fatalf("a shop with a wrong key: %d %q", rec.Code, rec.Body.String())
	}
}
