package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

const (
	// IdempotencyTTL is how long a key and its response are kept.
	IdempotencyTTL = 24 * time.Hour
	// idempotencyLease bounds how long a request that crashed can hold its
	// key; after it, a retry may run. Requests finish well within it.
	idempotencyLease = time.Minute
)

var (
	errIdempotencyKeyReused = &scanpay.Error{Kind: scanpay.KindConflict, Code: "idempotency_key_reused", Param: "Idempotency-Key",
		Message: "this Idempotency-Key was used with another request; use a new key for a new request"}
	errIdempotencyKeyInUse = &scanpay.Error{Kind: scanpay.KindConflict, Code: "idempotency_key_in_use", Param: "Idempotency-Key",
		Message: "a request with this Idempotency-Key is still running; retry shortly"}
	errIdempotencyKeyInvalid = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "parameter_invalid", Param: "Idempotency-Key",
		Message: "Idempotency-Key must be 1 to 255 characters"}
)

type idempotencyRow struct {
	Scope        string
	IdemKey      string
	RequestHash  string
	StatusCode   *int
	ResponseBody *string
	LockedUntil  *time.Time
	CreatedAt    time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// idempotent makes a POST safe to retry. The first request with a key
// claims it by inserting a row (the primary key makes the claim atomic
// across processes); its response is stored and replayed to any retry with
// the same body. Server errors release the key, since their transaction
// rolled back and a retry should run for real.
func (s *Server) idempotent(c *gin.Context) {
	key, given := c.Request.Header["Idempotency-Key"]
	if !given {
		c.Next()
		return
	}
	if len(key) != 1 || len(key[0]) == 0 || len(key[0]) > 255 {
		s.fail(c, errIdempotencyKeyInvalid)
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))

	sum := sha256.Sum256([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n" + string(body)))
	row := idempotencyRow{Scope: c.GetString(scopeKey), IdemKey: key[0], RequestHash: hex.EncodeToString(sum[:])}
	ctx := c.Request.Context()
	replay, err := s.claimIdempotencyKey(ctx, &row)
	if err != nil {
		s.fail(c, err)
		return
	}
	if replay != nil {
		c.Header("Idempotent-Replayed", "true")
		c.Data(*replay.StatusCode, "application/json; charset=utf-8", []byte(*replay.ResponseBody))
		c.Abort()
		return
	}

	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	finished := false
	defer func() {
		if !finished { // a panic: free the key, then let recovery answer
			s.releaseIdempotencyKey(context.WithoutCancel(ctx), row)
		}
	}()
	c.Next()
	finished = true

	status := rec.Status()
	if status >= 500 {
		s.releaseIdempotencyKey(context.WithoutCancel(ctx), row)
		return
	}
	response := rec.body.String()
	err = s.db.WithContext(context.WithoutCancel(ctx)).Model(&idempotencyRow{}).
		Where("scope = ? AND idem_key = ?", row.Scope, row.IdemKey).
		Updates(map[string]any{"status_code": status, "response_body": response, "locked_until": nil}).Error
	if err != nil {
		s.log.Error("store idempotent response", "request_id", requestID(c), "err", err)
	}
}

// claimIdempotencyKey inserts the key for this request. It returns the
// stored row when the request is a replay of a finished one, and an error
// when the key belongs to another request or to one still running.
func (s *Server) claimIdempotencyKey(ctx context.Context, row *idempotencyRow) (*idempotencyRow, error) {
	db := s.db.WithContext(ctx)
	for range 3 {
		now := s.now()
		lease := now.Add(idempotencyLease)
		row.CreatedAt, row.LockedUntil = now, &lease
		err := db.Create(row).Error
		if err == nil {
			return nil, nil
		}
		if !storage.IsUniqueViolation(err) {
			return nil, err
		}
		var prev idempotencyRow
		err = db.Where("scope = ? AND idem_key = ?", row.Scope, row.IdemKey).Take(&prev).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // released or pruned in between: claim it again
		}
		if err != nil {
			return nil, err
		}
		switch {
		case prev.CreatedAt.Before(now.Add(-IdempotencyTTL)):
			// Expired but not yet pruned: it no longer counts.
			if err := db.Where("scope = ? AND idem_key = ? AND created_at = ?", prev.Scope, prev.IdemKey, prev.CreatedAt).
				Delete(&idempotencyRow{}).Error; err != nil {
				return nil, err
			}
			continue
		case prev.RequestHash != row.RequestHash:
			return nil, errIdempotencyKeyReused
		case prev.StatusCode != nil:
			return &prev, nil
		case prev.LockedUntil != nil && prev.LockedUntil.After(now):
			return nil, errIdempotencyKeyInUse
		}
		// The first request died without answering: take its lease over,
		// unless another retry just did.
		res := db.Model(&idempotencyRow{}).
			Where("scope = ? AND idem_key = ? AND status_code IS NULL AND locked_until = ?", prev.Scope, prev.IdemKey, prev.LockedUntil).
			Update("locked_until", lease)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
		return nil, errIdempotencyKeyInUse
	}
	return nil, errIdempotencyKeyInUse
}

func (s *Server) releaseIdempotencyKey(ctx context.Context, row idempotencyRow) {
	err := s.db.WithContext(ctx).Where("scope = ? AND idem_key = ? AND status_code IS NULL", row.Scope, row.IdemKey).
		Delete(&idempotencyRow{}).Error
	if err != nil {
		s.log.Error("release idempotency key", "err", err)
	}
}

// PruneIdempotencyKeys deletes keys older than IdempotencyTTL and reports
// how many went. serve runs it periodically.
func PruneIdempotencyKeys(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	res := db.WithContext(ctx).Where("created_at < ?", now.Add(-IdempotencyTTL)).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}

// recorder keeps a copy of the response so it can be replayed.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.body.WriteString(s)
	return r.ResponseWriter.WriteString(s)
}
