// Package seal keeps secrets unreadable at rest: AES-256-GCM under a key
// derived from the operator's master key, bound to the record it belongs
// to. A database dump, a backup or a read-only SQL injection then yields
// nothing that can forge a webhook, sign a payer in or reach a bank account.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeyLen is the length of a Box's key: an AES-256 key.
const KeyLen = 32

// ErrCannotOpen means a sealed value could not be opened: the key changed,
// the value was altered, or it was moved to another record. It never says
// more, since it ends up in logs.
var ErrCannotOpen = errors.New("seal: cannot open sealed value")

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box with key, which must be KeyLen bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeyLen {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeyLen)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain for the record named by bound (an id, a key) and
// returns the standard base64 of a fresh nonce and the ciphertext. bound is
// authenticated with it, so a sealed value copied onto another record does
// not open there.
func (b *Box) Seal(bound string, plain []byte) string {
	n := b.aead.NonceSize()
	nonce := make([]byte, n, n+len(plain)+b.aead.Overhead())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, plain, []byte(bound)))
}

// Open reverses Seal for the same bound, or returns ErrCannotOpen.
func (b *Box) Open(bound, sealed string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return nil, ErrCannotOpen
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(bound))
	if err != nil {
		return nil, ErrCannotOpen
	}
	return plain, nil
}
