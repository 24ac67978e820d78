package gateway_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
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

// BenchmarkPay pays orders end to end through the router: session check,
// scan-free pay call, the payment transaction. Orders are made outside the
// timer. It reports the statements one payment issues.
func BenchmarkPay(b *testing.B) {
	e := newEnv(b)
	_, key := e.merchant("Blue Bottle")
	_, token := e.payer("13800138000", 4_000_000)
	counter := storagetest.CountStatements(b, e.db)
	var ids []string
	var stmts, txStmts int64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i == len(ids) {
			b.StopTimer()
			stmts += counter.Outside.Load()
			txStmts += counter.InTx.Load()
			for range 200 {
				ids = append(ids, e.createOrder(key, `{"amount":1,"currency":"CNY"}`)["id"].(string))
			}
			counter.Reset()
			b.StartTimer()
		}
		if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(ids[i])}); r.Code != http.StatusCreated {
			b.Fatalf("%d %s", r.Code, r.Body.String())
		}
	}
	stmts += counter.Outside.Load()
	txStmts += counter.InTx.Load()
	b.ReportMetric(float64(txStmts)/float64(b.N), "tx-stmts/op")
	b.ReportMetric(float64(stmts)/float64(b.N), "other-stmts/op")
}

// BenchmarkPayParallel pays from 32 concurrent payers, each with its own
// wallet, to one merchant: the throughput one gateway process sustains,
// and the contention on the merchant's and the platform's accounts.
func BenchmarkPayParallel(b *testing.B) {
	e := newEnv(b)
	_, key := e.merchant("Blue Bottle")
	const payers = 32
	orders := make(chan string, 1<<16)
	tokens := make(chan string, payers)
	for i := range payers {
		_, token := e.payer(fmt.Sprintf("1390000%04d", i), 4_000_000)
		tokens <- token
	}
	fill := func(n int) {
		for range n {
			orders <- e.createOrder(key, `{"amount":1,"currency":"CNY"}`)["id"].(string)
		}
	}
	fill(b.N + payers)
	b.SetParallelism(payers / 2) // GOMAXPROCS is 2 here: 32 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		token := <-tokens
		for pb.Next() {
			if r := e.do(request{method: "POST", path: "/wallet/v1/payments", key: token, body: payBody(<-orders)}); r.Code != http.StatusCreated {
				b.Errorf("%d %s", r.Code, r.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payments/s")
}
