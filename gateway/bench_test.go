package gateway_test

import (
	"net/http"
	"testing"
)

func BenchmarkCreateOrder(b *testing.B) {
	e := newEnv(b)
	_, key := e.merchant("Coffee")
	b.ReportAllocs()
	for b.Loop() {
		r := e.do(request{method: "POST", path: "/v1/orders", key: key, body: `{"amount":1250,"currency":"CNY"}`})
		if r.Code != http.StatusCreated {
			b.Fatalf("%d %s", r.Code, r.Body.String())
		}
	}
}

// BenchmarkQRImageCached serves one order's PNG again and again: after the
// first request it comes from memory.
func BenchmarkQRImageCached(b *testing.B) {
	e := newEnv(b)
	_, key := e.merchant("Coffee")
	path := "/v1/orders/" + e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string) + "/qr.png"
	e.do(request{method: "GET", path: path, key: key})
	b.ReportAllocs()
	for b.Loop() {
		if r := e.do(request{method: "GET", path: path, key: key}); r.Code != http.StatusOK {
			b.Fatal(r.Code)
		}
	}
}

// BenchmarkQRImageRendered serves each order's PNG once, so every request
// renders.
func BenchmarkQRImageRendered(b *testing.B) {
	e := newEnv(b)
	_, key := e.merchant("Coffee")
	var paths []string
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i == len(paths) {
			b.StopTimer()
			for range 100 {
				paths = append(paths, "/v1/orders/"+e.createOrder(key, `{"amount":1250,"currency":"CNY"}`)["id"].(string)+"/qr.png")
			}
			b.StartTimer()
		}
		if r := e.do(request{method: "GET", path: paths[i], key: key}); r.Code != http.StatusOK {
			b.Fatal(r.Code)
		}
	}
}
