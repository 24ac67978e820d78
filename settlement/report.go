package settlement

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/ledger"
	"github.com/scanpay/scanpay/merchant"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Errors VerifyReport returns.
var (
	ErrReportDigest    = errors.New("the file's SHA-256 is not the one given: it is not the report as signed, or not all of it")
	ErrReportSignature = errors.New("the signature does not verify with this public key: the report was changed, or another key signed it")
)

// reportHeader names the report's columns. Amounts are in minor units;
// discount_funded and cashback_funded repeat the gross of the lines that
// fund a discount or a cashback, so each column totals one settlement
// field.
var reportHeader = []string{"id", "type", "source", "order", "reference", "created", "available_on", "currency",
	"gross", "fee", "discount_funded", "cashback_funded", "net"}

// reportTime writes a line's time with a fixed number of digits, so the
// same line gives the same bytes on every database.
const reportTime = "2006-01-02T15:04:05.000000Z"

// buildReport writes the reconciliation report of a settlement's lines,
// given in id order: a header, one line per balance transaction, and a
// totals line. The same lines always give the same bytes.
func buildReport(currency string, lines []lineRow) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(reportHeader)
	var gross, fee, discounts, cashback, net int64
	for _, l := range lines {
		var discount, back int64
		switch l.Type {
		case ledger.LineCouponFunding:
			discount = l.Gross
		case ledger.LineCashbackFunding:
			back = l.Gross
		}
		gross, fee, discounts, cashback, net = gross+l.Gross, fee+l.Fee, discounts+discount, cashback+back, net+l.Net
		w.Write([]string{l.ID, l.Type, l.Source, deref(l.OrderID), deref(l.Reference), l.CreatedAt.UTC().Format(reportTime),
			deref(l.AvailableOn), l.Currency, itoa(l.Gross), itoa(l.Fee), itoa(discount), itoa(back), itoa(l.Net)})
	}
	w.Write([]string{"total", "", "", "", "", "", "", currency, itoa(gross), itoa(fee), itoa(discounts), itoa(cashback), itoa(net)})
	w.Flush() // writes to memory: no error to report
	return b.Bytes()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// signer signs reports with the gateway's key.
type signer struct {
	key ed25519.PrivateKey
	id  string
}

func newSigner(key ed25519.PrivateKey) signer {
	return signer{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// sign returns the report's SHA-256 in hex and its Ed25519 signature in
// base64.
func (s signer) sign(report []byte) (digest, signature string) {
	sum := sha256.Sum256(report)
	return hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, report))
}

func (s signer) publicKey() string {
	return base64.StdEncoding.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

// KeyID is the short, stable name of a report signing key: derived from
// its public half, so every gateway with the same master key gives the
// same one, and a rotated key another.
func KeyID(public ed25519.PublicKey) string {
	sum := sha256.Sum256(public)
	return "rsk_" + scanpay.Base32(sum[:10])
}

// ParsePublicKey reads a public key as GET /v1/signing_keys gives it: the
// standard base64 of its 32 raw bytes.
func ParsePublicKey(b64 string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the public key must be the base64 of %d bytes, as GET /v1/signing_keys gives it", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// VerifyReport checks a downloaded report against the settlement's
// report.sha256 (hex) and report.signature (base64), with the signing
// key's public half: offline, so a merchant need trust only the key. It
// returns ErrReportDigest or ErrReportSignature.
func VerifyReport(report []byte, sha256Hex, signatureB64 string, public ed25519.PublicKey) error {
	sum := sha256.Sum256(report)
	want, err := hex.DecodeString(strings.TrimSpace(sha256Hex))
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return ErrReportDigest
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	if err != nil || len(public) != ed25519.PublicKeySize || !ed25519.Verify(public, report, sig) {
		return ErrReportSignature
	}
	return nil
}

// SigningKey is the public half of a key that signs reports.
type SigningKey struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Algorithm string    `json:"algorithm"`
	PublicKey string    `json:"public_key"`
	CreatedAt time.Time `json:"created_at"`
}

type signingKeyRow struct {
	ID        string
	Algorithm string
	PublicKey string
	CreatedAt time.Time
}

func (signingKeyRow) TableName() string { return "signing_keys" }

// recordKey remembers the public half of the key that signs a report, in
// the settlement's transaction, so the report can be verified after the
// key is rotated.
func (s *Service) recordKey(tx *gorm.DB, now time.Time) error {
	return storage.Defer(tx, storage.Write{
		SQL:  `INSERT INTO signing_keys (id, algorithm, public_key, created_at) VALUES (?, 'ed25519', ?, ?) ON CONFLICT (id) DO NOTHING`,
		Args: []any{s.signer.id, s.signer.publicKey(), now},
	})
}

// SigningKeys lists the keys that have signed reports and the one that
// signs them now, newest first.
func (s *Service) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	var rows []signingKeyRow
	if err := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	keys := make([]SigningKey, 0, len(rows)+1)
	current := false
	for _, r := range rows {
		current = current || r.ID == s.signer.id
		keys = append(keys, SigningKey{ID: r.ID, Object: "signing_key", Algorithm: r.Algorithm, PublicKey: r.PublicKey, CreatedAt: r.CreatedAt})
	}
	if !current { // it has signed nothing yet
		keys = append([]SigningKey{{ID: s.signer.id, Object: "signing_key", Algorithm: "ed25519", PublicKey: s.signer.publicKey(),
			CreatedAt: s.now()}}, keys...)
	}
	return keys, nil
}

// Report returns the reconciliation report of one of the principal's
// settlements: built again from its balance transactions, and checked
// against the digest the settlement was signed with, so what is served is
// byte for byte what was signed. It returns a not-found error, or an
// internal error when the lines no longer give the signed bytes.
func (s *Service) Report(ctx context.Context, p merchant.Principal, id string) ([]byte, error) {
	row, err := merchant.Find[settlementRow](ctx, s.db, p, "settlement", id)
	if err != nil {
		return nil, err
	}
	var lines []lineRow
	if err := s.db.WithContext(ctx).Where("settlement_id = ?", row.ID).Order("id").Find(&lines).Error; err != nil {
		return nil, err
	}
	report := buildReport(row.Currency, lines)
	if sum := sha256.Sum256(report); hex.EncodeToString(sum[:]) != row.ReportSHA256 {
		return nil, fmt.Errorf("settlement %s: its balance transactions no longer give the report it signed", row.ID)
	}
	return report, nil
}
