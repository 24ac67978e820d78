package storage

import (
	"context"

	"gorm.io/gorm"
)

// Recorder writes down, inside the transaction of a request's effect, the
// result that request produced. The gateway gives one to every request that
// carries an Idempotency-Key: the key's record then commits with the effect
// it records, or not at all, so a retry after any crash either finds the
// answer or finds that nothing happened.
type Recorder interface {
	// Record stores result through tx. An error rolls the effect back.
	Record(tx *gorm.DB, result any) error
}

type recorderKey struct{}

// WithRecorder returns a copy of ctx whose Transact calls record with r.
func WithRecorder(ctx context.Context, r Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

// Transact runs fn in one database transaction and returns its result.
// When ctx carries a Recorder, the result is recorded in the same
// transaction after fn succeeds, so every use case that changes something
// on a client's request is made retry-safe by opening its transaction here
// and returning what the client is answered. A request makes at most one
// such call. Nothing fn wrote is kept when fn or the recording fails.
func Transact[T any](ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) (T, error)) (T, error) {
	var out T
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, err := fn(tx)
		if err != nil {
			return err
		}
		if r, ok := ctx.Value(recorderKey{}).(Recorder); ok {
			if err := r.Record(tx, v); err != nil {
				return err
			}
		}
		out = v
		return nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}
