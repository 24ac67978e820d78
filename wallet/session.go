package wallet

import (
	"context"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/scanpay/scanpay"
	"golang.org/x/crypto/bcrypt"
)

// Session is who a wallet request acts as.
type Session struct {
	WalletID string
	Livemode bool
}

// CreateSession signs a payer in with phone and PIN and returns a session
// token. Every refusal (an unknown phone, a wrong PIN, a PIN locked after
// too many wrong ones) is ErrInvalidCredentials, after the same work: one
// read, one bcrypt comparison and one counting update, which matches no
// row for an unknown phone or a locked wallet. So neither the answer nor
// its timing tells which phones are registered or locked. A wrong PIN
// counts toward the lockout.
func (s *Service) CreateSession(ctx context.Context, phone, pin string) (string, error) {
	phone, err := normalizePhone(phone)
	if err != nil {
		return "", err
	}
	if err := checkPINFormat(pin); err != nil {
		return "", err
	}
	var rows []walletRow
	if err := s.db.WithContext(ctx).Where("phone = ?", phone).Limit(1).Find(&rows).Error; err != nil {
		return "", err
	}
	now := s.now()
	hash := s.dummyHash
	if len(rows) == 1 {
		hash = []byte(rows[0].PINHash)
	}
	right := bcrypt.CompareHashAndPassword(hash, []byte(pin)) == nil
	if len(rows) == 1 && right && !rows[0].locked(now) {
		switch err := s.resetPINAttempts(ctx, rows[0].ID, now); {
		case err == nil:
			return s.issue(rows[0], now)
		case !errors.Is(err, ErrPINLocked):
			return "", err
		}
	}
	if err := s.countWrongPIN(ctx, "phone = ?", phone, now); err != nil && !isPINError(err) {
		return "", err
	}
	return "", ErrInvalidCredentials
}

// sessionClaims is what a session token says: the standard claims, with
// the wallet as subject, and the wallet's mode, which never changes, so
// that a request need not read the wallet just to learn it.
type sessionClaims struct {
	jwt.RegisteredClaims
	Livemode bool `json:"livemode"`
}

// Authenticate returns the session a token carries, from the token alone:
// it is on every wallet request, and the calls that act on the wallet read
// it anyway. Every way a token can be wrong (another algorithm, another
// key, expired or without expiry, another issuer or audience, no subject,
// no issue time, or a life longer than SessionTTL, which no token we issue
// has) gives ErrInvalidSession and nothing more, so a client learns
// nothing about why. iat is not checked against the clock: gateway processes'
// clocks differ a little, a token from one could look issued in the future
// to another, and exp bounds a token's life anyway. A token accepted once is
// remembered until it expires (verifiedTokens).
func (s *Service) Authenticate(token string) (Session, error) {
	now := s.now()
	if session, ok := s.verified.get(token, now); ok {
		return session, nil
	}
	var claims sessionClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.SessionKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(s.cfg.Issuer),
		jwt.WithAudience(s.cfg.Audience),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || claims.Subject == "" || claims.IssuedAt == nil ||
		claims.ExpiresAt.Sub(claims.IssuedAt.Time) > s.cfg.SessionTTL {
		return Session{}, ErrInvalidSession
	}
	session := Session{WalletID: claims.Subject, Livemode: claims.Livemode}
	s.verified.put(token, session, claims.ExpiresAt.Time, now)
	return session, nil
}

// issue signs a session token for the wallet, valid for SessionTTL from now.
func (s *Service) issue(w walletRow, now time.Time) (string, error) {
	claims := sessionClaims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    s.cfg.Issuer,
		Subject:   w.ID,
		Audience:  jwt.ClaimStrings{s.cfg.Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.SessionTTL)),
		ID:        scanpay.RandomToken(16),
	}, Livemode: w.Livemode}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.SessionKey)
}

// isPINError reports whether err is one of the PIN verdicts, as opposed to
// a failure to reach the database.
func isPINError(err error) bool {
	return errors.Is(err, ErrIncorrectPIN) || errors.Is(err, ErrPINLocked)
}
