// Package sdk is the Go client of the Scanpay merchant API and the
// verifier of Scanpay webhooks. It imports the standard library only, so
// a merchant's build pulls in nothing else.
//
//	c := sdk.NewClient("sk_test_...", sdk.WithBaseURL("http://localhost:8080"))
//	o, err := c.Orders.Create(ctx, &sdk.OrderCreateParams{Amount: 1250, Currency: "CNY", Reference: "A-1001"})
//
// Each /v1 resource has a service on the Client (Orders, Refunds, Events,
// WebhookEndpoints, Merchant, CouponCampaigns, CashbackCampaigns,
// Cashbacks, Balance, BalanceTransactions, Settlements, SigningKeys,
// BankAccounts, Payouts) whose methods take a context first and a
// params struct for anything beyond an id. Params are the request's JSON
// body or query; a zero field is left out, so the gateway's default
// applies. Every POST carries an Idempotency-Key (IdempotencyKey in the
// params, or a random one) that its retries reuse, so a retried create
// never creates twice. Lists are iterators that fetch the next page as
// they go. Failures the gateway reports are *Error values.
package sdk

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// DefaultBaseURL is where `scanpay serve` listens by default.
const DefaultBaseURL = "http://localhost:8080"

// DefaultMaxRetries is how many times a failed request is retried when
// the failure may pass: a network error, 409 idempotency_key_in_use, 429
// or a 5xx.
const DefaultMaxRetries = 2

// userAgent lets the gateway's operators tell SDK traffic apart.
const userAgent = "scanpay-go/1"

// Client calls the merchant API with one secret key. It is safe for
// concurrent use; make one and share it.
type Client struct {
	Orders            *OrderService
	Refunds           *RefundService
	Events            *EventService
	WebhookEndpoints  *WebhookEndpointService
	Merchant          *MerchantService
	CouponCampaigns   *CouponCampaignService
	CashbackCampaigns *CashbackCampaignService
	Cashbacks         *CashbackService
	// Balance, BalanceTransactions, Settlements and SigningKeys say what
	// the merchant is owed and prove it; BankAccounts and Payouts pay it
	// out.
	Balance             *BalanceService
	BalanceTransactions *BalanceTransactionService
	Settlements         *SettlementService
	SigningKeys         *SigningKeyService
	BankAccounts        *BankAccountService
	Payouts             *PayoutService

	key        string
	baseURL    string
	http       *http.Client
	maxRetries int
	log        *slog.Logger
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at a gateway; the default is
// DefaultBaseURL.
func WithBaseURL(url string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(url, "/") }
}

// WithHTTPClient makes the client send its requests through hc, for a
// proxy, custom TLS or a test transport. Its Timeout applies to each
// attempt; event streams ignore it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// WithMaxRetries sets how many times a request is retried after a failure
// that may pass; zero turns retries off. The default is DefaultMaxRetries.
func WithMaxRetries(n int) Option {
	return func(c *Client) { c.maxRetries = max(n, 0) }
}

// WithLogger makes the client log each request (at debug level: method,
// path, status, request id, attempt, duration), each retry and each event
// stream reconnection (at warn level). It never logs headers or bodies, so
// the secret key stays out of logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.log = l }
}

// NewClient returns a client that authenticates with key, a secret key
// (sk_test_... or sk_live_...).
func NewClient(key string, opts ...Option) *Client {
	c := &Client{
		key:        key,
		baseURL:    DefaultBaseURL,
		http:       &http.Client{Timeout: 60 * time.Second},
		maxRetries: DefaultMaxRetries,
		log:        slog.New(slog.DiscardHandler),
	}
	for _, opt := range opts {
		opt(c)
	}
	c.Orders = &OrderService{c}
	c.CouponCampaigns = &CouponCampaignService{c}
	c.CashbackCampaigns = &CashbackCampaignService{c}
	c.Cashbacks = &CashbackService{c}
	c.Refunds = &RefundService{c}
	c.Events = &EventService{c}
	c.WebhookEndpoints = &WebhookEndpointService{c}
	c.Merchant = &MerchantService{c}
	c.Balance = &BalanceService{c}
	c.BalanceTransactions = &BalanceTransactionService{c}
	c.Settlements = &SettlementService{c}
	c.SigningKeys = &SigningKeyService{c}
	c.BankAccounts = &BankAccountService{c}
	c.Payouts = &PayoutService{c}
	return c
}
