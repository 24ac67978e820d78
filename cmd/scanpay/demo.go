package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/scanpay/scanpay/checkout/qr"
	"github.com/scanpay/scanpay/merchant"
)

// demo walks a newcomer through a whole checkout against a running
// gateway: a merchant (made in the database the gateway uses), a payer's
// wallet with money in it, an order with its QR code, the scan and the
// payment, all over the real HTTP API.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var gw string
	fs := newFlagSet("demo", stderr)
	fs.StringVar(&gw, "gateway", env("SCANPAY_BASE_URL", "http://localhost:8080"), "URL of the running gateway (SCANPAY_BASE_URL)")
	var m merchant.Merchant
	var key string
	err := withMerchants(ctx, fs, args, false, func(svc *merchant.Service) (err error) {
		m, key, err = svc.Create(ctx, merchant.CreateParams{Name: "Scanpay Demo Café", City: "Shanghai"})
		return err
	})
	if err != nil {
		return err
	}
	gw = strings.TrimRight(gw, "/")
	fmt.Fprintf(stdout, "1. merchant %s, test key %s\n", m.ID, key)

	c := apiClient{http: &http.Client{Timeout: 10 * time.Second}, base: gw}
	phone := fmt.Sprintf("139%08d", randomInt(1e8))
	var account struct{ Token string }
	if err := c.call(ctx, "POST", "/wallet/v1/accounts", "", "", map[string]any{"phone": phone, "pin": "135790"}, &account); err != nil {
		return fmt.Errorf("is the gateway running at %s? %w", gw, err)
	}
	if err := c.call(ctx, "POST", "/wallet/v1/topups", account.Token, "", map[string]any{"amount": 10000, "currency": "CNY"}, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "2. payer wallet for %s, topped up with ¥100.00\n", phone)

	var order struct {
		ID          string
		CheckoutURL string `json:"checkout_url"`
		QR          struct{ Payload string }
	}
	if err := c.call(ctx, "POST", "/v1/orders", key, "", map[string]any{"amount": 1250, "currency": "CNY", "description": "2 coffees"}, &order); err != nil {
		return err
	}
	art, err := qr.Terminal(order.QR.Payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "3. order %s for ¥12.50; scan it, or open %s\n%s", order.ID, order.CheckoutURL, art)

	var preview struct {
		MerchantName string `json:"merchant_name"`
	}
	if err := c.call(ctx, "POST", "/wallet/v1/scan", account.Token, "", map[string]any{"payload": order.QR.Payload}, &preview); err != nil {
		return err
	}
	var payment struct{ ID string }
	if err := c.call(ctx, "POST", "/wallet/v1/payments", account.Token, "", map[string]any{"order": order.ID}, &payment); err != nil {
		return err
	}
	var paid struct {
		Status string
		Fee    int64
	}
	if err := c.call(ctx, "GET", "/v1/orders/"+order.ID, key, "", nil, &paid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "4. the wallet scanned it (%s) and paid: %s; the order is %s, fee %d fen\n\n", preview.MerchantName, payment.ID, paid.Status, paid.Fee)
	fmt.Fprintf(stdout, "Try it yourself:\n  curl %s/v1/orders/%s -H 'Authorization: Bearer %s'\n", gw, order.ID, key)
	return nil
}

func randomInt(n int64) int64 {
	v, _ := rand.Int(rand.Reader, big.NewInt(n))
	return v.Int64()
}
