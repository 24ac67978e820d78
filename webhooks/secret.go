package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// secretPrefix marks a Standard Webhooks symmetric secret, so a merchant can
// tell it from an API key at a glance and secret scanners can find leaks.
const secretPrefix = "whsec_"

// The Standard Webhooks spec asks for a symmetric key of 24 to 64 bytes; a
// shorter one is guessable, and we never issue a longer one.
const (
	minKeyLen = 24
	maxKeyLen = 64
)

// ErrInvalidSecret means a stored signing secret is not whsec_ followed by
// the standard base64 of a 24 to 64 byte key.
var ErrInvalidSecret = errors.New("webhooks: invalid signing secret")

// NewSecret returns a fresh endpoint signing secret: whsec_ followed by the
// standard base64 of 32 random bytes. It has no error result because
// crypto/rand.Read cannot fail since Go 1.24.
func NewSecret() string {
	var key [32]byte
	rand.Read(key[:])
	return secretPrefix + base64.StdEncoding.EncodeToString(key[:])
}

// decodeSecret returns the HMAC key inside secret. Its errors never quote
// the secret, because they end up in logs.
func decodeSecret(secret string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: no %s prefix", ErrInvalidSecret, secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: not standard base64", ErrInvalidSecret)
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d to %d", ErrInvalidSecret, len(key), minKeyLen, maxKeyLen)
	}
	return key, nil
}
