// Command shop is an example web shop that takes payment through Scanpay
// with the Go SDK alone. Run a gateway, make a merchant, then:
//
//	scanpay listen --key sk_test_... --forward-to http://localhost:4242/webhooks
//	SCANPAY_API_KEY=sk_test_... SCANPAY_WEBHOOK_SECRET=whsec_... go run ./examples/shop
//
// and open http://localhost:4242.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

func main() {
	addr := flag.String("addr", "localhost:4242", "where the shop listens")
	gateway := flag.String("gateway", envOr("SCANPAY_BASE_URL", sdk.DefaultBaseURL), "the Scanpay gateway (SCANPAY_BASE_URL)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	key, secrets := os.Getenv("SCANPAY_API_KEY"), strings.Fields(os.Getenv("SCANPAY_WEBHOOK_SECRET"))
	if key == "" || len(secrets) == 0 {
		fmt.Fprintln(os.Stderr, "shop: set SCANPAY_API_KEY (sk_test_...) and SCANPAY_WEBHOOK_SECRET (whsec_..., space-separated during a rotation)")
		os.Exit(2)
	}
	client := sdk.NewClient(key, sdk.WithBaseURL(*gateway), sdk.WithLogger(log))
	srv := &http.Server{Addr: *addr, Handler: newShop(client, secrets, log), ReadHeaderTimeout: 10 * time.Second}
	log.Info("shop open", "url", "http://"+*addr, "gateway", *gateway)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("shop closed", "err", err)
		os.Exit(1)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
