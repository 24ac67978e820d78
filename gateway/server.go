// Package gateway is the HTTP surface of Scanpay: routes, authentication,
// idempotency, the error table, request and response shapes, and the
// hosted checkout pages.
package gateway

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
	"gorm.io/gorm"
)

// Config is what the gateway needs to know about its surroundings.
type Config struct {
	// BaseURL is where payers and merchants reach this gateway, used in
	// QR payloads and links, without a trailing slash.
	BaseURL string
	// BodyLimit caps request bodies in bytes (1 MiB when zero).
	BodyLimit int64
	// SecretKey (32 bytes, derived from the master key) seals the stored
	// answers that hold secrets and keys the fingerprints of requests.
	SecretKey []byte
	// TrustedProxies are the addresses or CIDR ranges of the proxies whose
	// X-Forwarded-For names the client; none by default, so the client is
	// the connection's peer and cannot claim another address.
	TrustedProxies []string
	// SignInLimit is how many failed wallet sign-ins and sign-ups one
	// client address may make in 10 minutes (DefaultSignInLimit when zero).
	SignInLimit int
	// MetricsElsewhere keeps /metrics off this router: serve then answers
	// it on --metrics-addr.
	MetricsElsewhere bool
}

// Deps are the services the gateway calls; main builds them.
type Deps struct {
	DB        *gorm.DB
	Log       *slog.Logger
	Now       func() time.Time
	Merchants *merchant.Service
	Checkout  *checkout.Service
	// Settlement serves balances, settlements, bank accounts and payouts.
	Settlement *settlement.Service
	Wallets    *wallet.Service
	Webhooks   *webhooks.Service
	// WakeDispatcher, when set, starts webhook delivery at once after a
	// resend instead of at the dispatcher's next poll.
	WakeDispatcher func()
	// Metrics, when set, counts requests; Config.MetricsElsewhere says
	// whether /metrics is served here or on a listener of its own.
	Metrics *Metrics
}

// Server routes requests to the domain services.
type Server struct {
	cfg        Config
	db         *gorm.DB
	log        *slog.Logger
	now        func() time.Time
	merchants  *merchant.Service
	checkout   *checkout.Service
	settlement *settlement.Service
	wallets    *wallet.Service
	webhooks   *webhooks.Service
	events     *webhooks.Store
	wake       func()
	metrics    *Metrics
	// box seals stored answers; fingerprintKey keys request hashes.
	box            *seal.Box
	fingerprintKey []byte
	drain          sync.Once
	stopping       chan struct{} // closed by Drain: long-lived streams end
	handler        http.Handler
	routes         []Route
}

// Route is one registered method and path, in the router's syntax
// (/v1/orders/:id).
type Route struct {
	Method string
	Path   string
}

// New builds the gateway's router. It fails only when cfg.SecretKey is not
// seal.KeyLen bytes.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.SignInLimit == 0 {
		cfg.SignInLimit = DefaultSignInLimit
	}
	if len(cfg.SecretKey) != seal.KeyLen {
		return nil, fmt.Errorf("gateway: secret key is %d bytes, want %d", len(cfg.SecretKey), seal.KeyLen)
	}
	sealKey, err := hkdf.Key(sha256.New, cfg.SecretKey, nil, "scanpay idempotency answers", seal.KeyLen)
	if err != nil {
		return nil, err
	}
	box, err := seal.New(sealKey)
	if err != nil {
		return nil, err
	}
	fingerprintKey, err := hkdf.Key(sha256.New, cfg.SecretKey, nil, "scanpay request fingerprints", 32)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: deps.DB, log: deps.Log, now: deps.Now, merchants: deps.Merchants, checkout: deps.Checkout, wallets: deps.Wallets,
		settlement: deps.Settlement, webhooks: deps.Webhooks, events: webhooks.NewStore(deps.DB), wake: deps.WakeDispatcher, stopping: make(chan struct{}),
		box: box, fingerprintKey: fingerprintKey, metrics: deps.Metrics}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("gateway: trusted proxies: %w", err)
	}
	r.Use(withRequestID, s.logRequests, s.recoverPanics, s.limitBody, s.checkInput)
	r.NoRoute(func(c *gin.Context) { s.fail(c, errNoRoute) })
	if s.metrics != nil {
		r.Use(s.observe)
		if !cfg.MetricsElsewhere {
			r.GET("/metrics", gin.WrapH(s.metrics.Handler()))
		}
	}

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	r.GET("/v1/openapi.json", s.serveOpenAPI())
	s.pageRoutes(r)
	s.scriptRoutes(r)
	s.walletRoutes(r)
	base := r.Group("/v1")
	s.browserRoutes(base)
	v1 := base.Group("", s.authMerchant)
	s.merchantRoutes(v1)
	s.orderRoutes(v1)
	s.refundRoutes(v1)
	s.webhookRoutes(v1)
	s.couponRoutes(v1)
	s.cashbackRoutes(v1)
	s.settlementRoutes(v1)
	s.handler = r
	for _, ri := range r.Routes() {
		s.routes = append(s.routes, Route{Method: ri.Method, Path: ri.Path})
	}
	return s, nil
}

// Routes lists every route the gateway serves, so tests can hold each one
// to the rules (idempotency, the API description).
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *Server) wakeDispatcher() {
	if s.wake != nil {
		s.wake()
	}
}

// Drain makes /readyz fail so a load balancer stops sending new requests,
// and ends event streams, so that a graceful shutdown only waits for
// requests that are about to finish.
func (s *Server) Drain() { s.drain.Do(func() { close(s.stopping) }) }

func (s *Server) draining() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}
