package wallet_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage/storagetest"
	"github.com/scanpay/scanpay/wallet"
)

func TestCreateSession(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)

	token, err := e.wallet.CreateSession(e.ctx, "13800138000", testPIN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.wallet.Authenticate(token)
	if err != nil || s != (wallet.Session{WalletID: a.ID}) {
		t.Fatalf("Authenticate = %+v, %v", s, err)
	}

	_, wrong := e.wallet.CreateSession(e.ctx, testPhone, wrongPIN)
	_, unknown := e.wallet.CreateSession(e.ctx, "+86 139 0013 9000", testPIN)
	if !errors.Is(wrong, wallet.ErrInvalidCredentials) {
		t.Fatalf("wrong PIN: %v, want ErrInvalidCredentials", wrong)
	}
	we, _ := scanpay.ErrorOf(wrong)
	ue, _ := scanpay.ErrorOf(unknown)
	if ue == nil || *we != *ue || we.Kind != scanpay.KindUnauthenticated {
		t.Fatalf("wrong PIN gives %#v, unknown phone %#v; want the same 401", we, ue)
	}
	for _, err := range []error{wrong, unknown} {
		if strings.Contains(err.Error(), wrongPIN) || strings.Contains(err.Error(), testPIN) {
			t.Errorf("error %q shows the PIN", err)
		}
	}
	if n := e.failedAttempts(a.ID); n != 1 {
		t.Fatalf("%d failed attempts after one wrong PIN, want 1", n)
	}

	_, err = e.wallet.CreateSession(e.ctx, testPhone, "12ab56")
	wantCode(t, err, "parameter_invalid", "pin")
	_, err = e.wallet.CreateSession(e.ctx, "555", testPIN)
	wantCode(t, err, "parameter_invalid", "phone")
	if n := e.failedAttempts(a.ID); n != 1 {
		t.Fatalf("a malformed PIN was counted: %d failed attempts", n)
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	e.open(testPhone)
	token, err := e.wallet.CreateSession(e.ctx, testPhone, testPIN)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(wallet.DefaultSessionTTL - time.Second)
	if _, err := e.wallet.Authenticate(token); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	e.clock.Advance(2 * time.Second)
	if _, err := e.wallet.Authenticate(token); !errors.Is(err, wallet.ErrInvalidSession) {
		t.Fatalf("after expiry: %v, want ErrInvalidSession", err)
	}
}

func TestAuthenticateRefusesForgedAndStaleTokens(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	now := e.clock.Now()
	claims := func(change func(*jwt.RegisteredClaims)) *jwt.RegisteredClaims {
		c := &jwt.RegisteredClaims{Issuer: wallet.DefaultIssuer, Subject: a.ID, Audience: jwt.ClaimStrings{wallet.DefaultAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), ID: "j1"}
		if change != nil {
			change(c)
		}
		return c
	}
	sign := func(method jwt.SigningMethod, key any, c *jwt.RegisteredClaims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := []byte(strings.Repeat("x", 32))

	if _, err := e.wallet.Authenticate(sign(jwt.SigningMethodHS256, testKey, claims(nil))); err != nil {
		t.Fatalf("the well-formed control token is refused: %v", err)
	}
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"RS256", sign(jwt.SigningMethodRS256, rsaKey, claims(nil))},
		{"HS512 with the right key", sign(jwt.SigningMethodHS512, testKey, claims(nil))},
		{"another key", sign(jwt.SigningMethodHS256, otherKey, claims(nil))},
		{"expired", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second))
		}))},
		{"no exp", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }))},
		{"wrong issuer", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.Issuer = "evil" }))},
		{"no issuer", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.Issuer = "" }))},
		{"wrong audience", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) {
			c.Audience = jwt.ClaimStrings{"scanpay-dashboard"}
		}))},
		{"no audience", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.Audience = nil }))},
		{"no subject", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.Subject = "" }))},
		{"no issue time", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) { c.IssuedAt = nil }))},
		// Correctly signed, unexpired, but living longer than any session
		// we issue: a key leaked once must not mint year-long tokens.
		{"longer than a session", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(wallet.DefaultSessionTTL + time.Second))
		}))},
		{"issued in the past for a year", sign(jwt.SigningMethodHS256, testKey, claims(func(c *jwt.RegisteredClaims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(-365 * 24 * time.Hour))
		}))},
		{"garbage", "not.a.token"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := e.wallet.Authenticate(tc.token)
			if !errors.Is(err, wallet.ErrInvalidSession) || s != (wallet.Session{}) {
				t.Fatalf("Authenticate = %+v, %v; want ErrInvalidSession", s, err)
			}
			if got, _ := scanpay.ErrorOf(err); *got != *wallet.ErrInvalidSession {
				t.Fatalf("error %#v says more than ErrInvalidSession", got)
			}
		})
	}
}

func TestWrongPINsLockThePIN(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	for i := 1; i < wallet.DefaultMaxPINAttempts; i++ {
		_, err := e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
		wantCode(t, err, "incorrect_pin", "pin")
	}
	_, err := e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
	wantCode(t, err, "pin_locked", "")
	if se, _ := scanpay.ErrorOf(err); se.Kind != scanpay.KindForbidden {
		t.Fatalf("pin_locked is %s, want forbidden", se.Kind)
	}
	if n := e.failedAttempts(a.ID); n != wallet.DefaultMaxPINAttempts {
		t.Fatalf("%d failed attempts, want %d", n, wallet.DefaultMaxPINAttempts)
	}

	// While locked the right PIN fails too, on every path that takes one.
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, testPIN)
	wantCode(t, err, "pin_locked", "")
	// Signing in says no more than for an unknown phone (see
	// TestSignInDoesNotTellLockedOrUnknownPhones).
	_, err = e.wallet.CreateSession(e.ctx, testPhone, testPIN)
	wantCode(t, err, "invalid_credentials", "")
	_, err = e.wallet.Unfreeze(e.ctx, a.ID, testPIN)
	wantCode(t, err, "pin_locked", "")
	// A payment small enough to need no PIN is not a PIN check.
	if _, err := e.wallet.Authorize(e.ctx, a.ID, 1, ""); err != nil {
		t.Fatalf("a no-PIN payment while the PIN is locked: %v", err)
	}

	// A lock is decided before bcrypt runs: with the hash replaced by
	// something bcrypt cannot read, a locked check still says pin_locked.
	var hash string
	storagetest.Scan(t, e.db, &hash, `SELECT pin_hash FROM wallets WHERE id = ?`, a.ID)
	storagetest.Exec(t, e.db, `UPDATE wallets SET pin_hash = 'unreadable' WHERE id = ?`, a.ID)
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, testPIN)
	wantCode(t, err, "pin_locked", "")
	storagetest.Exec(t, e.db, `UPDATE wallets SET pin_hash = ? WHERE id = ?`, hash, a.ID)

	e.clock.Advance(wallet.DefaultPINLockout - time.Second)
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, testPIN)
	wantCode(t, err, "pin_locked", "")
	e.clock.Advance(time.Second)
	if _, err := e.wallet.Authorize(e.ctx, a.ID, 1, testPIN); err != nil {
		t.Fatalf("the right PIN once the lockout is over: %v", err)
	}
	if n := e.failedAttempts(a.ID); n != 0 {
		t.Fatalf("%d failed attempts after the right PIN, want 0", n)
	}
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
	wantCode(t, err, "incorrect_pin", "pin")

	// Only a right PIN restarts the count: a wrong one after a lockout
	// locks again at once.
	for range wallet.DefaultMaxPINAttempts - 1 {
		e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
	}
	e.clock.Advance(wallet.DefaultPINLockout)
	_, err = e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
	wantCode(t, err, "pin_locked", "")
}

func TestConcurrentWrongPINsAreCountedExactly(t *testing.T) {
	e := newEnv(t)
	a := e.open(testPhone)
	const tries = 20
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.wallet.Authorize(e.ctx, a.ID, 1, wrongPIN)
		}()
	}
	wg.Wait()
	codes := map[string]int{}
	for _, err := range errs {
		se, ok := scanpay.ErrorOf(err)
		if !ok {
			t.Fatalf("err = %v, want a client error", err)
		}
		codes[se.Code]++
	}
	max := wallet.DefaultMaxPINAttempts
	if codes["incorrect_pin"] != max-1 || codes["pin_locked"] != tries-max+1 {
		t.Fatalf("outcomes %v, want %d incorrect_pin and the rest pin_locked", codes, max-1)
	}
	if n := e.failedAttempts(a.ID); n != max {
		t.Fatalf("%d failed attempts, want exactly %d", n, max)
	}
	_, err := e.wallet.Authorize(e.ctx, a.ID, 1, testPIN)
	wantCode(t, err, "pin_locked", "")
}

// TestSignInDoesNotTellLockedOrUnknownPhones locks one wallet by signing
// in with wrong PINs, then signs in as a stranger would probe: the locked
// phone with the right and a wrong PIN, an unregistered phone, and a
// registered unlocked phone with a wrong PIN. All four get the same error
// after the same database work, so neither the answer nor its timing tells
// a registered phone from another.
func TestSignInDoesNotTellLockedOrUnknownPhones(t *testing.T) {
	e := newEnv(t)
	locked := e.open(testPhone)
	other := e.open("+86 139 0013 9000")
	for range wallet.DefaultMaxPINAttempts {
		_, err := e.wallet.CreateSession(e.ctx, testPhone, wrongPIN)
		wantCode(t, err, "invalid_credentials", "")
	}
	if n := e.failedAttempts(locked.ID); n != wallet.DefaultMaxPINAttempts {
		t.Fatalf("%d failed attempts, want %d", n, wallet.DefaultMaxPINAttempts)
	}
	statements := storagetest.CountStatements(t, e.db)
	var first *scanpay.Error
	var firstCount int64
	for _, probe := range []struct{ name, phone, pin string }{
		{"locked, right PIN", testPhone, testPIN},
		{"locked, wrong PIN", testPhone, wrongPIN},
		{"unregistered", "+86 137 0013 7000", testPIN},
		{"registered, wrong PIN", "+86 139 0013 9000", wrongPIN},
	} {
		statements.Reset()
		token, err := e.wallet.CreateSession(e.ctx, probe.phone, probe.pin)
		got, ok := scanpay.ErrorOf(err)
		if !ok || token != "" {
			t.Fatalf("%s: %q, %v", probe.name, token, err)
		}
		if first == nil {
			first, firstCount = got, statements.Total()
			continue
		}
		if *got != *first {
			t.Errorf("%s answers %#v, unlike %#v", probe.name, got, first)
		}
		if n := statements.Total(); n != firstCount {
			t.Errorf("%s costs %d statements, unlike %d", probe.name, n, firstCount)
		}
	}
	if first.Kind != scanpay.KindUnauthenticated || firstCount != 2 {
		t.Fatalf("sign-in refusals are %s after %d statements, want a 401 after 2", first.Kind, firstCount)
	}
	if n := e.failedAttempts(other.ID); n != 1 {
		t.Fatalf("the unlocked wallet counts %d wrong PINs, want 1", n)
	}
	// The lock still ends, and the right PIN then signs in.
	e.clock.Advance(wallet.DefaultPINLockout)
	if _, err := e.wallet.CreateSession(e.ctx, testPhone, testPIN); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}
