package storage

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
)

// Insert returns the write that inserts rows: a gorm model (a pointer to a
// struct with TableName) or a slice of them, with every column gorm would
// write, as one statement, so that a use case can Defer it or Commit it.
// classify is the write's Classify.
func Insert(tx *gorm.DB, rows any, classify func(error) error) (Write, error) {
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(rows); err != nil {
		return Write{}, fmt.Errorf("storage: insert %T: %w", rows, err)
	}
	rv := reflect.Indirect(reflect.ValueOf(rows))
	each := []reflect.Value{rv}
	if rv.Kind() == reflect.Slice {
		each = make([]reflect.Value, rv.Len())
		for i := range each {
			each[i] = reflect.Indirect(rv.Index(i))
		}
	}
	var cols []string
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" && f.Creatable {
			cols = append(cols, f.DBName)
		}
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + stmt.Schema.Table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(cols)*len(each))
	for i, row := range each {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		for _, f := range stmt.Schema.Fields {
			if f.DBName != "" && f.Creatable {
				v, _ := f.ValueOf(context.Background(), row)
				args = append(args, v)
			}
		}
	}
	return Write{SQL: b.String(), Args: args, Classify: classify}, nil
}

// DeferInsert defers the insert of row (see Insert and Defer).
func DeferInsert(tx *gorm.DB, row any, classify func(error) error) error {
	w, err := Insert(tx, row, classify)
	if err != nil {
		return err
	}
	return Defer(tx, w)
}
