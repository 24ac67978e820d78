package gateway

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

// Defaults of the sign-in limit: failed attempts per client address and
// window.
const (
	DefaultSignInLimit = 20
	signInWindow       = 10 * time.Minute
)

var errRateLimited = &scanpay.Error{Kind: scanpay.KindRateLimited, Code: "rate_limited",
	Message: "too many failed attempts from this address; try again later"}

// hitSQL counts one hit in a bucket's current fixed window, starting a new
// window when the stored one has ended, in one statement that any number
// of gateway processes can run at once.
const hitSQL = `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
ON CONFLICT (bucket) DO UPDATE SET
	hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END,
	window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END`

// limitFailures refuses routes to a client address that has failed on it
// limit times within the window, and counts each failure: a refused
// credential (401) or a registered phone (409), the answers a sweep learns
// from. Only failures count: a till or a test opening many
// wallets from one address is not slowed, a stranger guessing PINs or
// probing which phones are registered is. The address is the connection's,
// or the one a trusted proxy reports (Config.TrustedProxies).
func (s *Server) limitFailures(name string) gin.HandlerFunc {
	limit := s.cfg.SignInLimit
	return func(c *gin.Context) {
		bucket := name + ":" + c.ClientIP()
		now := s.now()
		var rows []struct {
			WindowStart time.Time
			Hits        int
		}
		err := s.db.WithContext(c.Request.Context()).Table("rate_limits").Select("window_start, hits").
			Where("bucket = ? AND window_start > ?", bucket, now.Add(-signInWindow)).Limit(1).Scan(&rows).Error
		if err != nil {
			s.fail(c, err)
			return
		}
		if len(rows) == 1 && rows[0].Hits >= limit {
			wait := rows[0].WindowStart.Add(signInWindow).Sub(now)
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.fail(c, errRateLimited.WithMessage("too many failed attempts from this address; try again in %d seconds", int(math.Ceil(wait.Seconds()))))
			return
		}
		c.Next()
		if st := c.Writer.Status(); st == http.StatusUnauthorized || st == http.StatusConflict {
			_, err := storage.Exec(context.WithoutCancel(c.Request.Context()), s.db,
				hitSQL, bucket, now, now.Add(-signInWindow), now.Add(-signInWindow))
			if err != nil {
				s.log.Error("count a failed attempt", "request_id", requestID(c), "err", err)
			}
		}
	}
}

// PruneRateLimits deletes counters whose window ended before now and
// reports how many went. serve runs it periodically.
func PruneRateLimits(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	n, err := storage.Exec(ctx, db, `DELETE FROM rate_limits WHERE window_start <= ?`, now.Add(-signInWindow))
	if err != nil {
		return 0, fmt.Errorf("prune rate limits: %w", err)
	}
	return n, nil
}
