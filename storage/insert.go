package storage

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
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
	shape := insertShapeOf(stmt.Schema)
	var b strings.Builder
	b.Grow(len(shape.prefix) + len(each)*(len(shape.row)+2))
	b.WriteString(shape.prefix)
	args := make([]any, 0, len(shape.fields)*len(each))
	for i, row := range each {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(shape.row)
		for _, f := range shape.fields {
			v, _ := f.ValueOf(context.Background(), row)
			args = append(args, v)
		}
	}
	return Write{SQL: b.String(), Args: args, Classify: classify}, nil
}

// insertShape is what Insert writes for every row of one model: the
// statement up to VALUES, one row's placeholders, and the fields they
// take, in order.
type insertShape struct {
	prefix, row string
	fields      []*schema.Field
}

// insertShapes holds each model's insertShape, made on its first insert.
var insertShapes sync.Map // shapeKey → insertShape

// shapeKey names a model by its type and table, not by its parsed schema:
// each database handle parses a model anew, into the same shape.
type shapeKey struct {
	model reflect.Type
	table string
}

func insertShapeOf(s *schema.Schema) insertShape {
	key := shapeKey{s.ModelType, s.Table}
	if shape, ok := insertShapes.Load(key); ok {
		return shape.(insertShape)
	}
	var shape insertShape
	var cols []string
	for _, f := range s.Fields {
		if f.DBName != "" && f.Creatable {
			cols = append(cols, f.DBName)
			shape.fields = append(shape.fields, f)
		}
	}
	shape.prefix = "INSERT INTO " + s.Table + " (" + strings.Join(cols, ", ") + ") VALUES "
	shape.row = "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	insertShapes.Store(key, shape)
	return shape
}

// DeferInsert defers the insert of row (see Insert and Defer).
func DeferInsert(tx *gorm.DB, row any, classify func(error) error) error {
	w, err := Insert(tx, row, classify)
	if err != nil {
		return err
	}
	return Defer(tx, w)
}
