package storage

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// sqliteDialector teaches gorm SQLite's dialect over a pool this package
// opened on modernc.org/sqlite (openSQLite). The schema comes from the SQL
// files in migrations, never from gorm, so it only needs to build
// statements: ? placeholders, quoted names, RETURNING, and no row locks,
// which SQLite's single writer makes needless.
type sqliteDialector struct {
	pool gorm.ConnPool
}

func (sqliteDialector) Name() string { return "sqlite" }

func (d sqliteDialector) Initialize(db *gorm.DB) error {
	db.ConnPool = d.pool
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	db.ClauseBuilders["FOR"] = func(c clause.Clause, b clause.Builder) {
		if _, locking := c.Expression.(clause.Locking); !locking {
			c.Build(b)
		}
	}
	return nil
}

// Migrator is gorm's generic one: nothing here migrates through gorm.
func (d sqliteDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d}}
}

func (sqliteDialector) DataTypeOf(field *schema.Field) string { return string(field.DataType) }

func (sqliteDialector) DefaultValueOf(field *schema.Field) clause.Expression {
	if field.AutoIncrement {
		return clause.Expr{SQL: "NULL"}
	}
	return clause.Expr{SQL: "DEFAULT"}
}

func (sqliteDialector) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) { w.WriteByte('?') }

// QuoteTo writes name, "table.column" as `table`.`column`, each part in
// backticks with its own backticks doubled. SQLite reads a double-quoted
// name that matches no column as a string; a backticked one is an error.
func (sqliteDialector) QuoteTo(w clause.Writer, name string) {
	for i, part := range strings.Split(name, ".") {
		if i > 0 {
			w.WriteByte('.')
		}
		w.WriteByte('`')
		w.WriteString(strings.ReplaceAll(part, "`", "``"))
		w.WriteByte('`')
	}
}

func (sqliteDialector) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `'`, vars...)
}

// SavePoint and RollbackTo go to the connection directly, as BEGIN and
// COMMIT do: transaction control, not statements of a use case.
func (sqliteDialector) SavePoint(tx *gorm.DB, name string) error {
	return execControl(tx, "SAVEPOINT "+name)
}

func (sqliteDialector) RollbackTo(tx *gorm.DB, name string) error {
	return execControl(tx, "ROLLBACK TO SAVEPOINT "+name)
}

func execControl(tx *gorm.DB, sql string) error {
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, sql)
	return err
}
