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
// token. An unknown phone and a wrong PIN both give ErrInvalidCredentials,
// after the same bcrypt work, so the answer does not tell which phones are
// registered; a wrong PIN counts toward the lockout, and a locked PIN
// gives ErrPINLocked.
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
	if len(rows) == 0 {
		bcrypt.CompareHashAndPassword(s.dummyHash, []byte(pin))
		return "", ErrInvalidCredentials
	}
	if err := s.verifyPIN(ctx, rows[0], pin); err != nil {
		if errors.Is(err, ErrIncorrectPIN) {
			return "", ErrInvalidCredentials
		}
		return "", err
	}
	return s.issue(rows[0], s.now())
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
// key, expired or without expiry, another issuer or audience, no subject)
// gives ErrInvalidSession and nothing more, so a client learns nothing
// about why. iat is not checked against the clock: gateway processes'
// clocks differ a little, a token from one could look issued in the future
// to another, and exp bounds a token's life anyway.
func (s *Service) Authenticate(token string) (Session, error) {
	var claims sessionClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.SessionKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(s.cfg.Issuer),
		jwt.WithAudience(s.cfg.Audience),
		jwt.WithTimeFunc(s.now))
	if err != nil || claims.Subject == "" {
		return Session{}, ErrInvalidSession
	}
	return Session{WalletID: claims.Subject, Livemode: claims.Livemode}, nil
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
