package main

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const masterKeyLen = 32

// masterKey returns the operator's master key: SCANPAY_SECRET_KEY when set
// (standard base64 of 32 bytes), else the key file, created with mode 0600
// on first use so the embedded default needs no set-up. Every gateway
// process of one deployment must use the same key: it signs payer
// sessions and seals webhook secrets.
func masterKey(encoded, path string) ([]byte, error) {
	if encoded != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil || len(key) != masterKeyLen {
			return nil, fmt.Errorf("SCANPAY_SECRET_KEY must be the base64 of %d random bytes (openssl rand -base64 32)", masterKeyLen)
		}
		return key, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createMasterKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != masterKeyLen {
		return nil, fmt.Errorf("secret key file %s does not hold the base64 of %d bytes", path, masterKeyLen)
	}
	return key, nil
}

// createMasterKey writes a new key to a temporary file and links it into
// place, so a process starting at the same moment sees either no file or a
// whole one, and both end up with the same key.
func createMasterKey(path string) ([]byte, error) {
	key := make([]byte, masterKeyLen)
	rand.Read(key)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".scanpay-key-*")
	if err != nil {
		return nil, fmt.Errorf("create secret key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write secret key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return masterKey("", path)
	} else if err != nil {
		return nil, fmt.Errorf("create secret key file: %w", err)
	}
	return key, nil
}

// deriveKey gives each use of the master key its own key, so that no two
// purposes ever share one.
func deriveKey(master []byte, purpose string) []byte {
	key, err := hkdf.Key(sha256.New, master, nil, "scanpay "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce; 32 is not one
	}
	return key
}
