package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/checkout/qr/qrtest"
	"github.com/scanpay/scanpay/storage/storagetest"
)

// createOrder posts body and returns the order, failing on anything but 201.
func (e *env) createOrder(key, body string) map[string]any {
	e.t.Helper()
	r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: body})
	if r.Code != http.StatusCreated {
		e.t.Fatalf("create order: %d %s", r.Code, r.Body.String())
	}
	return r.json(e.t)
}

func TestCreateOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY","description":"2 coffees","reference":"A-1001","metadata":{"table":"7"}}`)
	id := o["id"].(string)
	if !strings.HasPrefix(id, "ord_") || o["object"] != "order" || o["status"] != "pending" || o["livemode"] != false {
		t.Fatalf("order %v", o)
	}
	if o["amount"] != 1250.0 || o["currency"] != "CNY" || o["description"] != "2 coffees" || o["reference"] != "A-1001" {
		t.Fatalf("order fields %v", o)
	}
	if o["metadata"].(map[string]any)["table"] != "7" || o["amount_paid"] != 0.0 || o["amount_refunded"] != 0.0 || o["paid_at"] != nil {
		t.Fatalf("order fields %v", o)
	}
	created, _ := time.Parse(time.RFC3339, o["created_at"].(string))
	expires, _ := time.Parse(time.RFC3339, o["expires_at"].(string))
	if expires.Sub(created) != 900*time.Second {
		t.Fatalf("default expiry %v after creation, want 15m", expires.Sub(created))
	}
	qrObj := o["qr"].(map[string]any)
	payload := qrObj["payload"].(string)
	code := strings.TrimPrefix(payload, baseURL+"/q/")
	if qrObj["format"] != "url" || code == payload || len(code) < 20 {
		t.Fatalf("url payload %q: want %s/q/<at least 96 bits>", payload, baseURL)
	}
	if qrObj["image_url"] != baseURL+"/v1/orders/"+id+"/qr.png" || o["checkout_url"] != baseURL+"/pay/"+id {
		t.Fatalf("links %v %v", qrObj["image_url"], o["checkout_url"])
	}
	got := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key})
	if got.Code != 200 || got.json(t)["qr"].(map[string]any)["payload"] != payload {
		t.Fatalf("get: %d %s", got.Code, got.Body.String())
	}
}

func TestAmountsAreExactIntegers(t *testing.T) {
	e := newEnvWith(t, envOptions{maxOrderAmount: math.MaxInt64})
	_, key := e.merchant("Coffee")
	const big = "9007199254740993" // 2^53 + 1: a float64 would round it
	r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":` + big + `,"currency":"JPY"}`})
	if r.Code != 201 || !strings.Contains(r.Body.String(), `"amount":`+big+`,`) {
		t.Fatalf("%d %s", r.Code, r.Body.String())
	}
	var stored int64
	storagetest.Scan(t, e.db, &stored, `SELECT amount FROM orders`)
	if fmt.Sprint(stored) != big {
		t.Fatalf("stored %d", stored)
	}
}

func TestCreateOrderBadInput(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	manyKeys := map[string]string{}
	for i := range 21 {
		manyKeys[fmt.Sprint("k", i)] = "v"
	}
	manyJSON, _ := json.Marshal(manyKeys)
	tests := []struct {
		name  string
		body  string
		code  string
		param string
	}{
		{"no amount", `{"currency":"CNY"}`, "parameter_missing", "amount"},
		{"zero amount", `{"amount":0,"currency":"CNY"}`, "parameter_invalid", "amount"},
		{"negative amount", `{"amount":-5,"currency":"CNY"}`, "parameter_invalid", "amount"},
		{"amount over the maximum", `{"amount":10000000001,"currency":"CNY"}`, "parameter_invalid", "amount"},
		{"amount with decimals", `{"amount":12.345,"currency":"CNY"}`, "parameter_invalid", "amount"},
		{"no currency", `{"amount":100}`, "parameter_missing", "currency"},
		{"lower-case currency", `{"amount":100,"currency":"cny"}`, "parameter_invalid", "currency"},
		{"unknown currency", `{"amount":100,"currency":"XYZ"}`, "parameter_invalid", "currency"},
		{"expiry too short", `{"amount":100,"currency":"CNY","expires_in":59}`, "parameter_invalid", "expires_in"},
		{"expiry too long", `{"amount":100,"currency":"CNY","expires_in":86401}`, "parameter_invalid", "expires_in"},
		{"unknown qr format", `{"amount":100,"currency":"CNY","qr_format":"png"}`, "parameter_invalid", "qr_format"},
		{"description too long", `{"amount":100,"currency":"CNY","description":"` + strings.Repeat("咖", 501) + `"}`, "parameter_invalid", "description"},
		{"control characters", `{"amount":100,"currency":"CNY","description":"a\u0007b"}`, "parameter_invalid", "description"},
		{"reference too long", `{"amount":100,"currency":"CNY","reference":"` + strings.Repeat("r", 65) + `"}`, "parameter_invalid", "reference"},
		{"too many metadata keys", `{"amount":100,"currency":"CNY","metadata":` + string(manyJSON) + `}`, "parameter_invalid", "metadata"},
		{"metadata key too long", `{"amount":100,"currency":"CNY","metadata":{"` + strings.Repeat("k", 41) + `":"v"}}`, "parameter_invalid", "metadata"},
		{"metadata value too long", `{"amount":100,"currency":"CNY","metadata":{"k":"` + strings.Repeat("v", 501) + `"}}`, "parameter_invalid", "metadata.k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.do(request{method: "POST", path: "/v1/orders", key: key, body: tt.body}).
				expectError(t, 400, "invalid_request_error", tt.code, tt.param)
		})
	}
	if n := e.count("orders"); n != 0 {
		t.Fatalf("%d orders stored by bad input", n)
	}
	// The edges themselves are fine.
	e.createOrder(key, `{"amount":10000000000,"currency":"CNY","expires_in":60,"metadata":`+string(manyJSON[:strings.LastIndex(string(manyJSON), ",")])+`}}`)
	e.createOrder(key, `{"amount":1,"currency":"JPY","expires_in":86400}`)
}

func TestReferenceIsUniquePerMerchant(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	_, other := e.merchant("Tea")
	e.createOrder(key, `{"amount":100,"currency":"CNY","reference":"A-1"}`)
	e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":200,"currency":"CNY","reference":"A-1"}`}).
		expectError(t, 409, "conflict_error", "reference_already_exists", "reference")
	e.createOrder(other, `{"amount":100,"currency":"CNY","reference":"A-1"}`)
	e.createOrder(key, `{"amount":100,"currency":"CNY"}`)
	e.createOrder(key, `{"amount":100,"currency":"CNY"}`) // no reference twice is fine
	if n := e.count("orders"); n != 4 {
		t.Fatalf("%d orders, want 4", n)
	}
}

func TestAnotherMerchantsOrderIsNotFound(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	_, other := e.merchant("Tea")
	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	for _, r := range []request{
		{method: "GET", path: "/v1/orders/" + id, key: other},
		{method: "POST", path: "/v1/orders/" + id + "/cancel", key: other},
		{method: "GET", path: "/v1/orders/" + id + "/qr.png", key: other},
		{method: "GET", path: "/v1/orders/ord_nope", key: key},
	} {
		e.do(r).expectError(t, 404, "not_found_error", "resource_missing", "id")
	}
}

func TestListOrders(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	var ids []string
	for i := range 5 {
		ids = append(ids, e.createOrder(key, fmt.Sprintf(`{"amount":%d,"currency":"CNY","reference":"R-%d"}`, 100+i, i))["id"].(string))
		e.clock.Advance(time.Millisecond) // ids sort by creation to the millisecond
	}
	page1 := e.do(request{method: "GET", path: "/v1/orders?limit=2", key: key}).json(t)
	data := page1["data"].([]any)
	if page1["object"] != "list" || page1["has_more"] != true || len(data) != 2 {
		t.Fatalf("page 1: %v", page1)
	}
	if data[0].(map[string]any)["id"] != ids[4] || data[1].(map[string]any)["id"] != ids[3] {
		t.Fatal("not newest first")
	}
	var seen []string
	cursor := ""
	for {
		page := e.do(request{method: "GET", path: "/v1/orders?limit=2&starting_after=" + cursor, key: key}).json(t)
		for _, o := range page["data"].([]any) {
			seen = append(seen, o.(map[string]any)["id"].(string))
			cursor = seen[len(seen)-1]
		}
		if page["has_more"] != true {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("walked %d orders, want 5", len(seen))
	}
	byRef := e.do(request{method: "GET", path: "/v1/orders?reference=R-2", key: key}).json(t)["data"].([]any)
	if len(byRef) != 1 || byRef[0].(map[string]any)["id"] != ids[2] {
		t.Fatalf("reference filter: %v", byRef)
	}
	e.do(request{method: "POST", path: "/v1/orders/" + ids[0] + "/cancel", key: key})
	canceled := e.do(request{method: "GET", path: "/v1/orders?status=canceled", key: key}).json(t)["data"].([]any)
	pending := e.do(request{method: "GET", path: "/v1/orders?status=pending", key: key}).json(t)["data"].([]any)
	if len(canceled) != 1 || len(pending) != 4 {
		t.Fatalf("canceled %d pending %d", len(canceled), len(pending))
	}
	for _, q := range []struct{ query, param string }{
		{"limit=0", "limit"}, {"limit=101", "limit"}, {"limit=x", "limit"}, {"status=lost", "status"},
	} {
		e.do(request{method: "GET", path: "/v1/orders?" + q.query, key: key}).expectError(t, 400, "invalid_request_error", "parameter_invalid", q.param)
	}
}

func TestCancelOrder(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	r := e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key})
	if r.Code != 200 || r.json(t)["status"] != "canceled" {
		t.Fatalf("cancel: %d %s", r.Code, r.Body.String())
	}
	e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key}).
		expectError(t, 409, "conflict_error", "order_not_cancelable", "")
	if n := e.countEvents("order.canceled", id); n != 1 {
		t.Fatalf("%d order.canceled events, want 1", n)
	}
}

func (e *env) countEvents(typ, orderID string) int64 {
	e.t.Helper()
	var n int64
	storagetest.Scan(e.t, e.db, &n, `SELECT COUNT(*) FROM events WHERE type = ? AND order_id = ?`, typ, orderID)
	return n
}

func TestExpiryCannotBeDodged(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	id := e.createOrder(key, `{"amount":100,"currency":"CNY","expires_in":60}`)["id"].(string)
	e.clock.Advance(59 * time.Second)
	if s := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t)["status"]; s != "pending" {
		t.Fatalf("status %v before expiry", s)
	}
	e.clock.Advance(time.Second)
	// Expired for every read before any sweeper has run...
	if s := e.do(request{method: "GET", path: "/v1/orders/" + id, key: key}).json(t)["status"]; s != "expired" {
		t.Fatalf("status %v at expiry", s)
	}
	if l := e.do(request{method: "GET", path: "/v1/orders?status=expired", key: key}).json(t)["data"].([]any); len(l) != 1 {
		t.Fatalf("expired list has %d", len(l))
	}
	if l := e.do(request{method: "GET", path: "/v1/orders?status=pending", key: key}).json(t)["data"].([]any); len(l) != 0 {
		t.Fatalf("pending list has %d", len(l))
	}
	// ...and cannot be canceled.
	e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key}).
		expectError(t, 409, "conflict_error", "order_not_cancelable", "")
	// The sweeper marks it once and writes one order.expired.
	for range 2 {
		if _, err := e.checkout.ExpireDue(context.Background(), 100); err != nil {
			t.Fatal(err)
		}
	}
	var status string
	storagetest.Scan(t, e.db, &status, `SELECT status FROM orders WHERE id = ?`, id)
	if status != "expired" || e.countEvents("order.expired", id) != 1 {
		t.Fatalf("stored status %q, %d events", status, e.countEvents("order.expired", id))
	}
	var payload string
	storagetest.Scan(t, e.db, &payload, `SELECT payload FROM events WHERE order_id = ?`, id)
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Object map[string]any `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(payload), &ev); err != nil || ev.Type != "order.expired" || ev.Data.Object["id"] != id || ev.Data.Object["status"] != "expired" {
		t.Fatalf("event payload %s", payload)
	}
}

func TestEMVCoOrders(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	for _, tt := range []struct {
		amount   string
		currency string
		numeric  string
		major    string
	}{
		{"1250", "CNY", "156", "12.50"},
		{"1250", "JPY", "392", "1250"},
		{"1250", "BHD", "048", "1.250"},
		{"5", "CNY", "156", "0.05"},
	} {
		o := e.createOrder(key, `{"amount":`+tt.amount+`,"currency":"`+tt.currency+`","qr_format":"emvco","reference":"R-`+tt.currency+tt.amount+`"}`)
		payload := o["qr"].(map[string]any)["payload"].(string)
		p, err := qr.ParseEMVCo(payload)
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if p.PointOfInitiation != "12" || p.Amount != tt.major || p.Currency != tt.numeric || p.MerchantName != "Coffee" ||
			p.Country != "CN" || p.MCC != "5999" || p.MerchantAccount.GUID != checkout.DefaultQRGUID || p.ReferenceLabel != "R-"+tt.currency+tt.amount {
			t.Fatalf("%s %s: parsed %+v", tt.amount, tt.currency, p)
		}
		png := e.do(request{method: "GET", path: "/v1/orders/" + o["id"].(string) + "/qr.png", key: key})
		if got := qrtest.ScanPNG(t, png.Body.Bytes()); got != payload {
			t.Fatalf("scanned %q, want %q", got, payload)
		}
	}
}

func TestQRImages(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Coffee")
	o := e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)
	id, payload := o["id"].(string), o["qr"].(map[string]any)["payload"].(string)

	png := e.do(request{method: "GET", path: "/v1/orders/" + id + "/qr.png?size=512", key: key})
	if png.Code != 200 || png.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", png.Code, png.Header().Get("Content-Type"))
	}
	img := qrtest.DecodePNG(t, png.Body.Bytes())
	if img.Bounds().Dx() != 512 {
		t.Fatalf("size %d, want 512", img.Bounds().Dx())
	}
	if got := qrtest.Scan(t, img); got != payload {
		t.Fatalf("scanned %q, want %q", got, payload)
	}
	etag := png.Header().Get("ETag")
	if etag == "" || !strings.Contains(png.Header().Get("Cache-Control"), "max-age") {
		t.Fatalf("caching headers: %v", png.Header())
	}
	again := e.do(request{method: "GET", path: "/v1/orders/" + id + "/qr.png?size=512", key: key, headers: map[string]string{"If-None-Match": etag}})
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Fatalf("revalidation: %d", again.Code)
	}
	def := e.do(request{method: "GET", path: "/v1/orders/" + id + "/qr.png", key: key})
	if qrtest.DecodePNG(t, def.Body.Bytes()).Bounds().Dx() != 256 || def.Header().Get("ETag") == etag {
		t.Fatal("default size is not 256, or shares the 512 ETag")
	}
	svg := e.do(request{method: "GET", path: "/v1/orders/" + id + "/qr.svg", key: key})
	if svg.Code != 200 || svg.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg.Body.String(), "<svg") {
		t.Fatalf("svg: %d %s", svg.Code, svg.Header().Get("Content-Type"))
	}
	for _, size := range []string{"127", "1025", "big"} {
		e.do(request{method: "GET", path: "/v1/orders/" + id + "/qr.png?size=" + size, key: key}).
			expectError(t, 400, "invalid_request_error", "parameter_invalid", "size")
	}
}
