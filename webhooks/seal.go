package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// SecretKeyLen is the length of Config.SecretKey: an AES-256 key.
const SecretKeyLen = 32

// errSealed means a stored secret could not be opened: the key changed, or
// the row was altered. It never says more, since it ends up in logs.
var errSealed = errors.New("webhooks: cannot open sealed signing secret")

// sealer keeps signing secrets unreadable at rest. A database dump or a
// read-only SQL injection then yields nothing that can forge a webhook.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != SecretKeyLen {
		return nil, fmt.Errorf("webhooks: secret key is %d bytes, want %d", len(key), SecretKeyLen)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts secret for the endpoint endpointID and returns base64 of
// nonce and ciphertext. The endpoint id is authenticated with it, so a
// sealed secret copied onto another endpoint's row does not open there.
func (s *sealer) seal(endpointID, secret string) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), []byte(endpointID)))
}

// open reverses seal.
func (s *sealer) open(endpointID, sealed string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errSealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(endpointID))
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}
