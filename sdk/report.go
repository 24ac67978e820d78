package sdk

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Why a settlement report does not verify.
var (
	// ErrReportDigest: the report's SHA-256 is not the one given: it is
	// not the report the settlement names, or not all of it.
	ErrReportDigest = errors.New("scanpay: the report's SHA-256 is not the settlement's: it is not the report as signed, or not all of it")
	// ErrReportSignature: the signature does not verify with the public
	// key: the report was changed, or another key signed it.
	ErrReportSignature = errors.New("scanpay: the report's signature does not verify with this public key")
	// ErrInvalidPublicKey: the public key is not the base64 of 32 bytes,
	// as SigningKey.PublicKey gives it: a mistake in the caller, not in
	// the report.
	ErrInvalidPublicKey = errors.New("scanpay: the public key must be the base64 of 32 bytes, as GET /v1/signing_keys gives it")
)

// VerifyReport checks a settlement's reconciliation report offline: that
// report (the bytes SettlementService.Report gave, unchanged) has the
// SHA-256 sha256Hex and that signatureB64 is its Ed25519 signature by
// publicKey, as SettlementReport and SigningKey give them. Fetch the key
// once and keep it, so that a report is trusted on the key alone. It
// returns ErrInvalidPublicKey, ErrReportDigest or ErrReportSignature.
func VerifyReport(report []byte, sha256Hex, signatureB64, publicKey string) error {
	public, err := base64.StdEncoding.DecodeString(strings.TrimSpace(publicKey))
	if err != nil || len(public) != ed25519.PublicKeySize {
		return ErrInvalidPublicKey
	}
	sum := sha256.Sum256(report)
	want, err := hex.DecodeString(strings.TrimSpace(sha256Hex))
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return ErrReportDigest
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	if err != nil || !ed25519.Verify(public, report, sig) {
		return ErrReportSignature
	}
	return nil
}

// SigningKey is the public half of a key that signs settlement reports.
type SigningKey struct {
	// ID is what SettlementReport.KeyID names.
	ID     string `json:"id"`
	Object string `json:"object"`
	// Algorithm is "ed25519".
	Algorithm string `json:"algorithm"`
	// PublicKey is the raw 32-byte key in standard base64, as
	// VerifyReport takes it.
	PublicKey string    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
}

// SigningKeyService calls /v1/signing_keys.
type SigningKeyService struct{ c *Client }

// List returns every key that has signed reports and the one that signs
// them now, newest first. They are few, so the gateway gives them all at
// once, not in pages.
func (s *SigningKeyService) List(ctx context.Context) ([]*SigningKey, error) {
	var keys page[SigningKey]
	if err := s.c.call(ctx, request{method: http.MethodGet, path: "/v1/signing_keys"}, &keys); err != nil {
		return nil, err
	}
	return keys.Data, nil
}
