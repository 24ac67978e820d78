package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// maxCachedStmts bounds each SQLite connection's compiled statements. The
// gateway's writes are a few dozen distinct texts; a workload of many more
// (lists of varying length, say) starts the cache afresh when it fills.
const maxCachedStmts = 256

// sqliteConn is what a modernc.org/sqlite connection offers database/sql.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmtCachingConnector opens SQLite connections that keep their writes
// compiled. SQLite compiles a statement's text into a program before it
// runs it, and the driver compiles anew for every call made without a
// prepared statement: under load that was more than a quarter of the
// gateway's CPU, nearly all of it while holding the one writer's turn.
type stmtCachingConnector struct {
	driver.Connector
}

// Connect opens a connection, trying again while the file is busy. A new
// connection's first statements set its pragmas, switching a new file to
// WAL among them, and SQLite refuses that with SQLITE_BUSY, without
// waiting out the busy timeout, while another connection switches or
// migrates the same file: processes starting together on a new file would
// otherwise fail at random.
func (c stmtCachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.connectWhileBusy(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks the context methods", conn)
	}
	return &stmtCachingConn{sqliteConn: sc, stmts: map[string]driver.Stmt{}}, nil
}

// connectWhileBusy connects, trying again after a pause that grows to
// 100 ms while the file is busy, for up to the busy timeout or until ctx
// ends.
func (c stmtCachingConnector) connectWhileBusy(ctx context.Context) (driver.Conn, error) {
	giveUp := time.Now().Add(busyTimeout)
	wait := time.Millisecond
	for {
		conn, err := c.Connector.Connect(ctx)
		if err == nil || sqliteCode(err)&0xff != sqliteBusy || !time.Now().Before(giveUp) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// stmtCachingConn runs each statement with arguments through a prepared
// statement it keeps for the next call with the same text, which SQLite
// then only rebinds and resets. Statements without arguments (BEGIN,
// SAVEPOINT with a fresh name, migrations) run as before, uncached. Only
// Exec is cached: a query's rows may still be open when the same text runs
// again on the connection, and one compiled program cannot serve both.
// database/sql uses a connection from one goroutine at a time, so the map
// needs no lock.
type stmtCachingConn struct {
	sqliteConn
	stmts map[string]driver.Stmt
}

func (c *stmtCachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	s, ok := c.stmts[query]
	if !ok {
		if len(c.stmts) >= maxCachedStmts {
			if err := c.closeStmts(); err != nil {
				return nil, err
			}
		}
		var err error
		if s, err = c.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.stmts[query] = s
	}
	return s.(driver.StmtExecContext).ExecContext(ctx, args)
}

// Unwrap gives the driver's own connection, as modernc.org/sqlite asks of a
// wrapper.
func (c *stmtCachingConn) Unwrap() driver.Conn { return c.sqliteConn }

func (c *stmtCachingConn) Close() error {
	err := c.closeStmts()
	if cerr := c.sqliteConn.Close(); err == nil {
		err = cerr
	}
	return err
}

func (c *stmtCachingConn) closeStmts() error {
	var err error
	for query, s := range c.stmts {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		delete(c.stmts, query)
	}
	return err
}
