package storage

import (
	"context"
	"database/sql"
)

// lazyTx is the connection pool of a PostgreSQL transaction that begins
// with its first statement. Transact gives one to its use case: every
// statement the use case sends, reads included, runs in the transaction,
// and a use case that sends none, only deferring writes, needs no
// transaction at all, its writes going as one statement that is its own
// (commitAlone). That saves BEGIN and COMMIT, two round trips of three.
type lazyTx struct {
	ctx  context.Context // the transaction's, as BeginTx takes it
	pool *sql.DB
	tx   *sql.Tx
	err  error
}

// begin begins the transaction the first time it is asked for.
func (l *lazyTx) begin() (*sql.Tx, error) {
	if l.tx == nil && l.err == nil {
		l.tx, l.err = l.pool.BeginTx(l.ctx, nil)
	}
	return l.tx, l.err
}

// began reports whether any statement has begun the transaction.
func (l *lazyTx) began() bool { return l.tx != nil || l.err != nil }

// PrepareContext implements gorm.ConnPool.
func (l *lazyTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	tx, err := l.begin()
	if err != nil {
		return nil, err
	}
	return tx.PrepareContext(ctx, query)
}

// ExecContext implements gorm.ConnPool.
func (l *lazyTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx, err := l.begin()
	if err != nil {
		return nil, err
	}
	return tx.ExecContext(ctx, query, args...)
}

// QueryContext implements gorm.ConnPool.
func (l *lazyTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx, err := l.begin()
	if err != nil {
		return nil, err
	}
	return tx.QueryContext(ctx, query, args...)
}

// QueryRowContext implements gorm.ConnPool. A *sql.Row gets its error only
// from a query, so when the transaction could not begin the query goes to
// the pool on a context already ended, which fails it before it reaches
// the database; Transact then returns the error that began nothing.
func (l *lazyTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	tx, err := l.begin()
	if err != nil {
		ended, end := context.WithCancel(ctx)
		end()
		return l.pool.QueryRowContext(ended, query, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// Commit implements gorm.TxCommitter, which also makes a transaction
// nested in this one a savepoint.
func (l *lazyTx) Commit() error {
	if l.tx == nil {
		return l.err
	}
	return l.tx.Commit()
}

// Rollback implements gorm.TxCommitter.
func (l *lazyTx) Rollback() error {
	if l.tx == nil {
		return nil
	}
	return l.tx.Rollback()
}
