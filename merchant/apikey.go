package merchant

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Errors Authenticate returns; all are 401s.
var (
	ErrAPIKeyMissing = &scanpay.Error{Kind: scanpay.KindUnauthenticated, Code: "api_key_missing",
		Message: "no API key: send Authorization: Bearer sk_test_..."}
	ErrAPIKeyInvalid = &scanpay.Error{Kind: scanpay.KindUnauthenticated, Code: "api_key_invalid",
		Message: "the API key is malformed or unknown"}
	ErrAPIKeyRevoked = &scanpay.Error{Kind: scanpay.KindUnauthenticated, Code: "api_key_revoked",
		Message: "the API key has been revoked"}
)

const (
	testKeyPrefix = "sk_test_"
	liveKeyPrefix = "sk_live_"
	keyRandBytes  = 32
	keyLookupLen  = 16 // 80 bits: unique in practice, retried if not
)

// Key describes an API key without its secret.
type Key struct {
	ID         string     `json:"id"`
	MerchantID string     `json:"merchant"`
	Livemode   bool       `json:"livemode"`
	Redacted   string     `json:"redacted"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Principal is who a merchant request acts as: a merchant in one mode.
// Test and live data are disjoint, so every query filters on both.
type Principal struct {
	MerchantID string
	Livemode   bool
}

type keyRow struct {
	ID         string
	MerchantID string
	Livemode   bool
	Lookup     string
	Hash       string
	Last4      string
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

func (keyRow) TableName() string { return "api_keys" }

func (r keyRow) toKey() Key {
	prefix := testKeyPrefix
	if r.Livemode {
		prefix = liveKeyPrefix
	}
	return Key{ID: r.ID, MerchantID: r.MerchantID, Livemode: r.Livemode, Redacted: prefix + "..." + r.Last4,
		CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}

// CreateKey issues another secret key for the merchant, in test or live
// mode. The secret is returned once and stored only as a hash.
func (s *Service) CreateKey(ctx context.Context, merchantID string, livemode bool) (Key, string, error) {
	if _, err := s.Get(ctx, merchantID); err != nil {
		return Key{}, "", err
	}
	row, secret, err := createKey(s.db.WithContext(ctx), merchantID, livemode, s.now())
	return row.toKey(), secret, err
}

// ListKeys returns the merchant's keys, newest first, revoked ones too.
func (s *Service) ListKeys(ctx context.Context, merchantID string) ([]Key, error) {
	var rows []keyRow
	if err := s.db.WithContext(ctx).Where("merchant_id = ?", merchantID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	keys := make([]Key, len(rows))
	for i, r := range rows {
		keys[i] = r.toKey()
	}
	return keys, nil
}

// RevokeKey stops a key from authenticating for good: at once in this
// process, and within CacheTTL in every other.
func (s *Service) RevokeKey(ctx context.Context, keyID string) (Key, error) {
	var row keyRow
	err := storage.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&keyRow{}).Where("id = ? AND revoked_at IS NULL", keyID).Update("revoked_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Where("id = ?", keyID).Take(&row).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return scanpay.NotFound("api key", keyID)
		} else if err != nil {
			return err
		}
		return nil
	})
	if err == nil {
		s.keys.drop(row.Hash)
	}
	return row.toKey(), err
}

// Authenticate finds the live key that secret is. The row is found by a
// prefix of the secret and then proven by comparing hashes in constant
// time, so the database never holds anything that can be used as a key.
// A key proven so is kept, by its hash, for CacheTTL: a revocation made
// elsewhere reaches this process within that time.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if secret == "" {
		return Principal{}, ErrAPIKeyMissing
	}
	random, livemode, ok := parseKey(secret)
	if !ok {
		return Principal{}, ErrAPIKeyInvalid
	}
	hash, now := hashKey(secret), s.now()
	row, cached := s.keys.get(hash, now)
	if !cached {
		err := s.db.WithContext(ctx).Where("lookup = ?", random[:keyLookupLen]).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Principal{}, ErrAPIKeyInvalid
		}
		if err != nil {
			return Principal{}, err
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(row.Hash)) != 1 {
			return Principal{}, ErrAPIKeyInvalid
		}
		s.keys.put(hash, row, now)
	}
	if row.Livemode != livemode {
		return Principal{}, ErrAPIKeyInvalid
	}
	if row.RevokedAt != nil {
		return Principal{}, ErrAPIKeyRevoked
	}
	return Principal{MerchantID: row.MerchantID, Livemode: row.Livemode}, nil
}

func createKey(tx *gorm.DB, merchantID string, livemode bool, now time.Time) (keyRow, string, error) {
	prefix := testKeyPrefix
	if livemode {
		prefix = liveKeyPrefix
	}
	random := scanpay.RandomToken(keyRandBytes)
	secret := prefix + random
	row := keyRow{
		ID: scanpay.NewID("key"), MerchantID: merchantID, Livemode: livemode,
		Lookup: random[:keyLookupLen], Hash: hashKey(secret), Last4: random[len(random)-4:], CreatedAt: now,
	}
	if err := tx.Create(&row).Error; err != nil {
		return keyRow{}, "", err
	}
	return row, secret, nil
}

// parseKey splits a secret into its random part and mode, rejecting
// anything that could not have been issued.
func parseKey(secret string) (random string, livemode bool, ok bool) {
	switch {
	case strings.HasPrefix(secret, testKeyPrefix):
		random = secret[len(testKeyPrefix):]
	case strings.HasPrefix(secret, liveKeyPrefix):
		random, livemode = secret[len(liveKeyPrefix):], true
	default:
		return "", false, false
	}
	if !scanpay.IsToken(random, keyRandBytes) {
		return "", false, false
	}
	return random, livemode, true
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
