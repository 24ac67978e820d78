package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Write is a statement whose outcome nothing in its transaction reads
// before the commit: an insert of a new row, a balance update judged by a
// CHECK. Use cases hand such statements to Defer, and Transact sends them
// all together at the end, with the record of the request's key.
type Write struct {
	SQL  string
	Args []any
	// Classify turns the statement's failure into the error its caller
	// means (a unique violation into "this reference exists", say), and
	// returns nil for failures that are not its own. The writes are sent
	// together, so each classifies only what it recognises.
	Classify func(error) error
	// Expect, when set, is given how many rows the statement changed once
	// it has run; an error from it fails the writes, and so rolls back the
	// transaction they are in. A compare-and-set deferred with the writes
	// that follow from it says this way that it lost. It may refuse only a
	// write that changed no row: writes sent alone, outside a transaction
	// (commitAlone), are guarded against that alone, and have committed by
	// the time an Expect sees any other count.
	Expect func(rows int64) error
}

// Recorder writes down, inside the transaction of a request's effect, the
// result that request produced. The gateway gives one to every request that
// carries an Idempotency-Key: the key's record then commits with the effect
// it records, or not at all, so a retry after any crash either finds the
// answer or finds that nothing happened.
type Recorder interface {
	// Record returns the write that stores result. Transact sends it last,
	// after every deferred write, and gives Recorded how many rows it
	// changed; an error from either rolls the effect back.
	Record(result any) (Write, error)
	Recorded(rows int64) error
}

type recorderKey struct{}

// WithRecorder returns a copy of ctx whose Transact calls record with r.
func WithRecorder(ctx context.Context, r Recorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}

type queueKey struct{}

// queue holds the writes deferred in one Transact.
type queue struct {
	writes []Write
}

// Transact runs fn in one database transaction and returns its result.
// The writes fn defers (Defer) are sent after it returns, together with
// the record of the result when ctx carries a Recorder: on PostgreSQL as
// one statement, one round trip however many there are. So every use case
// that changes something on a client's request is made retry-safe by
// opening its transaction here and returning what the client is answered.
// A request makes at most one such call. Nothing fn wrote is kept when fn,
// a write or the recording fails.
//
// On PostgreSQL the transaction begins with the first statement fn sends
// (lazyTx): a use case that reads nothing in it, only deferring writes,
// costs one round trip in all, its writes committed as one statement.
func Transact[T any](ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) (T, error)) (T, error) {
	var out T
	db = db.WithContext(ctx)
	if pool, outermost := poolOf(db); outermost && DialectOf(db) == Postgres {
		err := retrying(ctx, func() (err error) {
			out, err = transactLazily(ctx, db, pool, fn)
			return err
		})
		return out, err
	}
	err := InTx(ctx, db, func(tx *gorm.DB) error {
		v, writes, err := deferring(ctx, tx, fn)
		if err == nil {
			err = send(tx, writes, false)
		}
		out = v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// transactLazily is one try of Transact on PostgreSQL, in a transaction
// that begins with the first statement fn sends, if any.
func transactLazily[T any](ctx context.Context, db *gorm.DB, pool *sql.DB, fn func(tx *gorm.DB) (T, error)) (T, error) {
	var zero T
	l := &lazyTx{ctx: ctx, pool: pool}
	tx := db.WithContext(ctx)
	tx.Statement.ConnPool = l
	ended := false
	defer func() {
		if !ended { // fn or a write failed, or panicked
			l.Rollback()
		}
	}()
	v, writes, err := deferring(ctx, tx, fn)
	switch {
	case err != nil:
	case l.began():
		err = send(tx, writes, false)
	default:
		err = commitAlone(db, writes)
	}
	if err == nil {
		ended = true
		err = l.Commit()
	}
	if l.err != nil { // the transaction could not begin
		err = l.err
	}
	if err != nil {
		return zero, err
	}
	return v, nil
}

// deferring runs fn with a queue for its deferred writes on tx, and
// returns its result and the writes, the record of the result last when
// ctx carries a Recorder.
func deferring[T any](ctx context.Context, tx *gorm.DB, fn func(tx *gorm.DB) (T, error)) (T, []Write, error) {
	var zero T
	q := &queue{}
	v, err := fn(tx.WithContext(context.WithValue(tx.Statement.Context, queueKey{}, q)))
	if err != nil {
		return zero, nil, err
	}
	if r, recording := ctx.Value(recorderKey{}).(Recorder); recording {
		w, err := r.Record(v)
		if err != nil {
			return zero, nil, err
		}
		w.Expect = r.Recorded
		q.writes = append(q.writes, w)
	}
	return v, q.writes, nil
}

// Commit commits writes atomically when no use case's transaction is
// around them: on PostgreSQL as one statement, one round trip and no BEGIN
// or COMMIT (commitAlone); on SQLite in one transaction. Two writes must
// not change the same row: sent as one statement, their order would be
// PostgreSQL's to choose. CommitInOrder is for writes that do.
func Commit(ctx context.Context, db *gorm.DB, writes ...Write) error {
	db = db.WithContext(ctx)
	if DialectOf(db) == Postgres {
		return commitAlone(db, writes)
	}
	return CommitInOrder(ctx, db, writes...)
}

// commitAlone commits writes on PostgreSQL as one statement outside any
// transaction, which PostgreSQL runs as a transaction of its own. A
// statement that has committed is past any Expect's veto, so each write
// with an Expect guards the statement instead: the statement fails,
// changing nothing, when that write changed no row. The writes then run
// again in a transaction, where their Expects judge what they changed.
func commitAlone(db *gorm.DB, writes []Write) error {
	if _, outermost := poolOf(db); !outermost {
		// Inside a transaction the guard's failure would abort it: the
		// transaction is what makes the writes atomic there.
		return send(db, writes, false)
	}
	err := send(db, writes, true)
	if !isGuardFailure(err) {
		return err
	}
	return InTx(db.Statement.Context, db, func(tx *gorm.DB) error { return send(tx, writes, false) })
}

// CommitInOrder commits writes in one transaction, one statement each, in
// order.
func CommitInOrder(ctx context.Context, db *gorm.DB, writes ...Write) error {
	return InTx(ctx, db, func(tx *gorm.DB) error {
		for _, w := range writes {
			if err := send(tx, []Write{w}, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Defer queues w to be sent before tx's transaction commits, when tx comes
// from Transact; anywhere else it is sent at once. Its failure then comes
// from Transact (or Flush), classified by w.Classify.
func Defer(tx *gorm.DB, w Write) error {
	if q, ok := tx.Statement.Context.Value(queueKey{}).(*queue); ok {
		q.writes = append(q.writes, w)
		return nil
	}
	return send(tx, []Write{w}, false)
}

// Flush sends the writes deferred so far in tx's transaction, for a use
// case that must know their outcome before it goes on (a bank is paid only
// once the ledger has released the money).
func Flush(tx *gorm.DB) error {
	q, ok := tx.Statement.Context.Value(queueKey{}).(*queue)
	if !ok {
		return nil
	}
	err := send(tx, q.writes, false)
	q.writes = nil
	return err
}

// send runs writes in order, giving each Expect the rows its write
// changed. On PostgreSQL, where every statement is a round trip, several
// go as one statement: each a data-modifying WITH, which PostgreSQL runs to
// completion whatever the main statement reads, with foreign keys checked
// at the end of the whole statement; the main statement counts the rows of
// the writes whose Expect asks (each returning 1 per row). The writes are
// independent by contract, so they need not see each other. guarded, on
// PostgreSQL, makes the statement fail with a division by zero when a
// write with an Expect changed no row (see commitAlone).
func send(tx *gorm.DB, writes []Write, guarded bool) error {
	if len(writes) == 0 {
		return nil
	}
	postgres := DialectOf(tx) == Postgres
	if !postgres || len(writes) == 1 && !(guarded && writes[0].Expect != nil) {
		for _, w := range writes {
			res := tx.Exec(w.SQL, w.Args...)
			if res.Error != nil {
				return classify(writes, res.Error)
			}
			if w.Expect != nil {
				if err := w.Expect(res.RowsAffected); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var args []any
	for _, w := range writes {
		args = append(args, w.Args...)
	}
	direct := plainArgs(args)
	var b strings.Builder
	b.Grow(statementSize(writes, len(args)))
	var counted []int
	b.WriteString("WITH ")
	n := 0
	for i, w := range writes {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "w%d AS (", i)
		if direct {
			n = writeNumbered(&b, w.SQL, n)
		} else {
			b.WriteString(w.SQL)
		}
		if w.Expect != nil {
			b.WriteString(" RETURNING 1")
			counted = append(counted, i)
		}
		b.WriteString(")")
	}
	b.WriteString("\nSELECT 1")
	count := "COUNT(*)"
	if guarded {
		count = "COUNT(*) / LEAST(COUNT(*), 1)" // the count, or 0 / 0
	}
	counts := make([]int64, len(counted))
	dest := []any{new(int)}
	for j, i := range counted {
		fmt.Fprintf(&b, ", (SELECT %s FROM w%d)", count, i)
		dest = append(dest, &counts[j])
	}
	var row *sql.Row
	if direct {
		row = tx.Statement.ConnPool.QueryRowContext(tx.Statement.Context, b.String(), args...)
	} else {
		row = tx.Raw(b.String(), args...).Row()
	}
	if err := row.Scan(dest...); err != nil {
		if guarded && isGuardFailure(err) {
			return err
		}
		return classify(writes, err)
	}
	for j, i := range counted {
		if err := writes[i].Expect(counts[j]); err != nil {
			return err
		}
	}
	return nil
}

// statementSize is about the length of send's statement for writes with
// args arguments in all, a little over rather than under: built in one
// allocation, it was a tenth of the gateway's memory allocated per paid
// order.
func statementSize(writes []Write, args int) int {
	n := 64 + 4*args // the SELECT; each $n is at most 4 bytes longer than its ?
	for _, w := range writes {
		n += len(w.SQL) + 80 // "wN AS (...) RETURNING 1", ", (SELECT ... FROM wN)"
	}
	return n
}

// plainArgs reports whether args are all plain values, which the driver
// takes as they are: no list for gorm to expand into (?, ?), no gorm
// expression. send then numbers the placeholders itself and hands the
// statement straight to the driver: gorm, which builds a statement by
// walking it and reflecting on every argument, spent a tenth of the
// gateway's CPU of a paid order on its hundred arguments.
func plainArgs(args []any) bool {
	for _, a := range args {
		if !plainArg(reflect.ValueOf(a)) {
			return false
		}
	}
	return true
}

func plainArg(v reflect.Value) bool {
	if !v.IsValid() {
		return true // nil
	}
	if _, ok := v.Interface().(driver.Valuer); ok {
		return true
	}
	switch v.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Pointer:
		return v.IsNil() || plainArg(v.Elem())
	case reflect.Slice:
		return v.Type().Elem().Kind() == reflect.Uint8 // []byte
	case reflect.Struct:
		return v.Type() == reflect.TypeFor[time.Time]()
	}
	return false
}

// writeNumbered writes query to b with each ? as PostgreSQL's $n, counting
// from after n, and returns the last n. Like gorm, it takes every ? for a
// placeholder: no statement here has one in a literal.
func writeNumbered(b *strings.Builder, query string, n int) int {
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return n
		}
		n++
		b.WriteString(query[:i])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}

// classify gives each write the chance to name err as its own.
func classify(writes []Write, err error) error {
	for _, w := range writes {
		if w.Classify == nil {
			continue
		}
		if mapped := w.Classify(err); mapped != nil {
			return mapped
		}
	}
	return err
}
