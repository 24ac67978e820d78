package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/seal"
	"github.com/scanpay/scanpay/storage"
	"gorm.io/gorm"
)

const (
	// IdempotencyTTL is how long a key and its answer are kept.
	IdempotencyTTL = 24 * time.Hour
	// maxIdempotencyKeyLen is the longest key, in characters.
	maxIdempotencyKeyLen = 255
	keyRecordKey         = "idempotency_record"
)

var (
	errIdempotencyKeyReused = &scanpay.Error{Kind: scanpay.KindConflict, Code: "idempotency_key_reused", Param: "Idempotency-Key",
		Message: "this Idempotency-Key was used with another request; use a new key for a new request"}
	errIdempotencyKeyInUse = &scanpay.Error{Kind: scanpay.KindConflict, Code: "idempotency_key_in_use", Param: "Idempotency-Key",
		Message: "a request with this Idempotency-Key is still running; retry shortly"}
	errIdempotencyKeyInvalid = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "parameter_invalid", Param: "Idempotency-Key",
		Message: "Idempotency-Key must be 1 to 255 characters of valid UTF-8 text without control characters"}
	// errKeyTaken rolls back an effect whose key another request recorded
	// first; the answer is then that request's.
	errKeyTaken = errors.New("idempotency key recorded by another request")
)

// idempotencyRow is the record of a key: written once, in the transaction
// of the effect it answers for. request_hash is an HMAC, since a body may
// hold a PIN that a plain hash would give away to a brute force.
type idempotencyRow struct {
	Scope        string
	IdemKey      string
	RequestHash  string
	StatusCode   int
	ResponseBody string
	Sealed       bool
	CreatedAt    time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// recordSQL writes a key's record, or takes over one older than the TTL
// that the pruner has not reached yet. A live record of another request
// makes it change nothing, which Record turns into errKeyTaken. On
// PostgreSQL a record being written by a concurrent transaction makes it
// wait for that transaction's outcome.
const recordSQL = `INSERT INTO idempotency_keys
	(scope, idem_key, request_hash, status_code, response_body, sealed, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (scope, idem_key) DO UPDATE SET
	request_hash = excluded.request_hash, status_code = excluded.status_code,
	response_body = excluded.response_body, sealed = excluded.sealed, created_at = excluded.created_at
WHERE idempotency_keys.created_at < ?`

// keyRecord is one request's Idempotency-Key. It is the storage.Recorder
// of the request: the use case's transaction records the answer through
// it, and the handler then sends exactly the recorded bytes.
type keyRecord struct {
	box    *seal.Box
	now    func() time.Time
	scope  string
	key    string
	hash   string
	status int
	// sealed is set on routes whose answer holds a secret (a signing
	// secret, a session token): the stored answer is then sealed.
	sealed bool

	body     []byte // the recorded answer
	recorded bool
	checked  bool // the stored record was looked up on the way to an error
}

// Record implements storage.Recorder: the write that stores the answer.
func (k *keyRecord) Record(result any) (storage.Write, error) {
	if k.recorded {
		return storage.Write{}, fmt.Errorf("idempotency: key %q recorded twice in one request", k.key)
	}
	body, err := json.Marshal(result)
	if err != nil {
		return storage.Write{}, fmt.Errorf("idempotency: encode answer: %w", err)
	}
	stored := string(body)
	if k.sealed {
		stored = k.box.Seal(k.bound(), body)
	}
	now := k.now()
	k.body = body
	return storage.Write{SQL: recordSQL, Args: []any{k.scope, k.key, k.hash, k.status, stored, k.sealed, now, now.Add(-IdempotencyTTL)}}, nil
}

// Recorded implements storage.Recorder: a write that changed nothing met
// the live record of another request with the key.
func (k *keyRecord) Recorded(rows int64) error {
	if rows == 0 {
		return errKeyTaken
	}
	k.recorded = true
	return nil
}

// bound ties a sealed answer to its key, so it opens for no other.
func (k *keyRecord) bound() string { return k.scope + "\x00" + k.key }

// idempotent makes a POST that changes something safe to retry. It
// registers the request's key as the recorder of its effect's transaction
// (storage.Transact), with status, the route's success status; sealed says
// the answer holds a secret. Nothing is written before the effect: a
// request either commits its effect with the record of its key, or leaves
// no trace, and a retry after a crash at any point replays the answer or
// runs anew. A retry that arrives while the first request runs waits for
// it on the database and then replays its answer (see fail).
func (s *Server) idempotent(status int, sealed bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		values, given := c.Request.Header["Idempotency-Key"]
		if !given {
			c.Next()
			return
		}
		if len(values) != 1 || values[0] == "" || scanpay.CheckText("Idempotency-Key", values[0], maxIdempotencyKeyLen) != nil {
			s.fail(c, errIdempotencyKeyInvalid)
			return
		}
		body, err := readBody(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		mac := hmac.New(sha256.New, s.fingerprintKey)
		io.WriteString(mac, c.Request.Method+" "+c.Request.URL.Path+"\n")
		mac.Write(body)
		k := &keyRecord{box: s.box, now: s.now, scope: c.GetString(scopeKey), key: values[0],
			hash: hex.EncodeToString(mac.Sum(nil)), status: status, sealed: sealed}
		c.Set(keyRecordKey, k)
		c.Request = c.Request.WithContext(storage.WithRecorder(c.Request.Context(), k))
		c.Next()
		if !k.recorded && !k.checked && c.Writer.Status() < 300 {
			s.log.Error("idempotency: a POST succeeded without recording its key", "request_id", requestID(c), "path", c.FullPath())
		}
	}
}

func keyRecordOf(c *gin.Context) *keyRecord {
	k, _ := c.Get(keyRecordKey)
	rec, _ := k.(*keyRecord)
	return rec
}

// replay answers a request that failed with the record of its key, when
// one exists: another request with the key committed an effect, so the
// failure (the order is paid, the key is taken) is that request's doing,
// and its answer is this one's. It reports whether it answered.
func (s *Server) replay(c *gin.Context, k *keyRecord) bool {
	k.checked = true
	var rows []idempotencyRow
	err := s.db.WithContext(context.WithoutCancel(c.Request.Context())).
		Where("scope = ? AND idem_key = ? AND created_at >= ?", k.scope, k.key, s.now().Add(-IdempotencyTTL)).
		Limit(1).Find(&rows).Error
	if err != nil {
		s.log.Error("idempotency: look up key", "request_id", requestID(c), "err", err)
		return false
	}
	if len(rows) == 0 {
		return false
	}
	row := rows[0]
	if !hmac.Equal([]byte(row.RequestHash), []byte(k.hash)) {
		s.fail(c, errIdempotencyKeyReused)
		return true
	}
	body := []byte(row.ResponseBody)
	if row.Sealed {
		if body, err = k.box.Open(k.bound(), row.ResponseBody); err != nil {
			s.log.Error("idempotency: open sealed answer", "request_id", requestID(c), "err", err)
			return false
		}
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(row.StatusCode, "application/json; charset=utf-8", body)
	c.Abort()
	return true
}

// PruneIdempotencyKeys deletes keys older than IdempotencyTTL and reports
// how many went. serve runs it periodically.
func PruneIdempotencyKeys(ctx context.Context, db *gorm.DB, now time.Time) (int64, error) {
	return storage.Exec(ctx, db, `DELETE FROM idempotency_keys WHERE created_at < ?`, now.Add(-IdempotencyTTL))
}
