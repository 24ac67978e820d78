package gateway_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/clocktest"
	"github.com/scanpay/scanpay/gateway"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/settlement"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
	"github.com/scanpay/scanpay/webhooks"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

const baseURL = "http://gw.test"

// testGatewayKey seals stored answers in tests; its value does not matter.
var testGatewayKey = []byte(strings.Repeat("g", seal.KeyLen))

// env is a gateway wired to a fresh database, as serve wires it.
type env struct {
	t         testing.TB
	db        *gorm.DB
	clock     *clocktest.Clock
	logs      *bytes.Buffer
	server    *gateway.Server
	merchants *merchant.Service
	checkout  *checkout.Service
	wallets   *wallet.Service
	// settlement's jobs are not running: tests call them.
	settlement *settlement.Service
	// dispatcher is the gateway's, not running: tests call RunOnce.
	dispatcher *webhooks.Dispatcher
}

func newEnv(t testing.TB) *env {
	return newEnvWith(t, envOptions{})
}

// envOptions change what newEnvWith wires.
type envOptions struct {
	// maxOrderAmount, when set, is the largest order amount.
	maxOrderAmount int64
	// db, when set, is the database to use instead of a fresh one.
	db *gorm.DB
	// allowPrivate lets webhook endpoints point at this machine.
	allowPrivate bool
}

// webhookKey seals endpoint secrets in tests.
var webhookKey = []byte(strings.Repeat("s", seal.KeyLen))

// reportKey signs settlement reports in tests; bankAccountKey seals bank
// account numbers.
var (
	reportKey      = ed25519.NewKeyFromSeed([]byte(strings.Repeat("r", ed25519.SeedSize)))
	bankAccountKey = []byte(strings.Repeat("b", seal.KeyLen))
)

func newEnvWith(t testing.TB, o envOptions) *env {
	t.Helper()
	db := o.db
	if db == nil {
		db, _ = storagetest.Open(t)
	}
	clk := clocktest.New()
	logs := &lockedBuffer{}
	stack, err := gateway.NewStack(db, slog.New(slog.NewTextHandler(logs, nil)), clk.Now, gateway.StackConfig{
		Gateway:        gateway.Config{BaseURL: baseURL, SecretKey: testGatewayKey},
		MaxOrderAmount: o.maxOrderAmount,
		Wallet:         wallet.Config{SessionKey: []byte(strings.Repeat("k", 32)), PINCost: bcrypt.MinCost},
		Webhooks:       webhooks.Config{SecretKey: webhookKey, Guard: &webhooks.Guard{AllowPrivate: o.allowPrivate}},
		Settlement:     settlement.Config{SigningKey: reportKey, BankAccountKey: bankAccountKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, clock: clk, logs: &logs.Buffer, server: stack.Server, merchants: stack.Merchants,
		checkout: stack.Checkout, wallets: stack.Wallets, settlement: stack.Settlement, dispatcher: stack.Dispatcher}
}

// lockedBuffer lets concurrent requests log into one buffer.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// merchant creates a merchant and returns its id and test key.
func (e *env) merchant(name string) (string, string) {
	e.t.Helper()
	m, key, err := e.merchants.Create(context.Background(), merchant.CreateParams{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return m.ID, key
}

type request struct {
	method  string
	path    string
	key     string
	body    string
	headers map[string]string
	remote  string // the client's address; httptest's default when empty
}

type response struct {
	*httptest.ResponseRecorder
}

func (e *env) do(r request) response {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = bytes.NewBufferString(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	record(req, r.body, rec)
	return response{rec}
}

// json decodes the response body into a generic map.
func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.Body.String())
	}
	return m
}

// apiError is the error object of an error response.
type apiError struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param"`
}

func (r response) apiError(t testing.TB) apiError {
	t.Helper()
	var body struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(r.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("not an error object (status %d): %s", r.Code, r.Body.String())
	}
	return *body.Error
}

// expectError asserts the status and the error's type, code and param.
func (r response) expectError(t testing.TB, status int, typ, code, param string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body.String())
	}
	e := r.apiError(t)
	if e.Type != typ || e.Code != code || e.Param != param {
		t.Fatalf("error %+v, want type=%s code=%s param=%s", e, typ, code, param)
	}
	if e.Message == "" {
		t.Fatal("error without a message")
	}
	if r.Header().Get("Request-Id") == "" {
		t.Fatal("error response without Request-Id")
	}
}

func (e *env) count(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Table(table).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// payer creates a wallet, tops it up with amount CNY when amount > 0, and
// returns its id and session token.
func (e *env) payer(phone string, amount int64) (string, string) {
	e.t.Helper()
	signUp, err := e.wallets.CreateAccount(context.Background(), phone, "135790")
	if err != nil {
		e.t.Fatal(err)
	}
	account, token := signUp.Account, signUp.Token
	if amount > 0 {
		if _, err := e.wallets.TopUp(context.Background(), account.ID, amount, "CNY"); err != nil {
			e.t.Fatal(err)
		}
	}
	return account.ID, token
}

// balance is what the wallet holds in CNY.
func (e *env) balance(walletID string) int64 {
	e.t.Helper()
	var b int64
	storagetest.Scan(e.t, e.db, &b, `SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE owner = ? AND currency = 'CNY'`, walletID)
	return b
}

// verifyLedger fails the test unless every ledger invariant holds.
func (e *env) verifyLedger() {
	e.t.Helper()
	report, err := ledger.Verify(context.Background(), e.db, append(checkout.LedgerChecks(), settlement.LedgerChecks()...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	if !report.OK() {
		e.t.Fatalf("ledger broken:\n%s", strings.Join(report.Problems, "\n"))
	}
}

// doAtOnce sends n requests together, the i-th made by req(i), and returns
// the responses in order. The goroutines wait at a gate so the requests
// really race.
func (e *env) doAtOnce(n int, req func(i int) request) []response {
	e.t.Helper()
	responses := make([]response, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-gate
			responses[i] = e.do(req(i))
		})
	}
	close(gate)
	wg.Wait()
	return responses
}

// scan runs a query and scans its result into dst, failing on any error.
func (e *env) scan(query string, dst any, args ...any) {
	e.t.Helper()
	storagetest.Scan(e.t, e.db, dst, query, args...)
}
