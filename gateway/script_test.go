package gateway_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestScanpayJS: the script and its stylesheet are served with a long
// cache and an ETag, the hosted page's texts are in the script, and it
// holds nothing a strict Content-Security-Policy refuses.
func TestScanpayJS(t *testing.T) {
	e := newEnv(t)
	js := e.do(request{method: "GET", path: "/js/v1/scanpay.js"})
	etag := js.Header().Get("ETag")
	if js.Code != 200 || js.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || etag == "" ||
		js.Header().Get("Cache-Control") != "public, max-age=86400" {
		t.Fatalf("scanpay.js: %d %v", js.Code, js.Header())
	}
	src := js.Body.String()
	for _, want := range []string{"mountCheckout", "请使用钱包扫码付款", "Scan with your wallet to pay", "测试模式：不会产生真实扣款", "/js/v1/scanpay.css"} {
		if !strings.Contains(src, want) {
			t.Errorf("scanpay.js lacks %q", want)
		}
	}
	// What 'unsafe-inline' or 'unsafe-eval' would be needed for, or would
	// let a merchant's data become markup.
	for _, banned := range []string{"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
		`setAttribute("style"`, ".style.", "cssText", "<style", "/* messages */"} {
		if strings.Contains(src, banned) {
			t.Errorf("scanpay.js holds %q", banned)
		}
	}
	if r := e.do(request{method: "GET", path: "/js/v1/scanpay.js", headers: map[string]string{"If-None-Match": etag}}); r.Code != 304 || r.Body.Len() != 0 {
		t.Fatalf("revalidation: %d", r.Code)
	}
	head := e.do(request{method: "HEAD", path: "/js/v1/scanpay.js"})
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(len(src)) {
		t.Fatalf("HEAD: %d %v", head.Code, head.Header())
	}
	css := e.do(request{method: "GET", path: "/js/v1/scanpay.css"})
	if css.Code != 200 || css.Header().Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(css.Body.String(), ".scanpay-checkout") ||
		css.Header().Get("ETag") == "" || css.Header().Get("ETag") == etag {
		t.Fatalf("scanpay.css: %d %v", css.Code, css.Header())
	}
	// Every rule stays inside the checkout, so the merchant's page keeps
	// its own looks.
	for _, line := range strings.Split(css.Body.String(), "\n") {
		if strings.Contains(line, "{") && !strings.HasPrefix(strings.TrimSpace(line), ".scanpay-checkout") {
			t.Errorf("scanpay.css rule outside .scanpay-checkout: %s", line)
		}
	}
}
