package checkout

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scanpay/scanpay/storage/storagetest"
	"gorm.io/gorm/schema"
)

// The payment reads its order past gorm, scanning orderColumns into
// orderRow.fields: both lists must name the same field at each position,
// and together every column of the table.
func TestOrderColumnsScanIntoTheirOwnFields(t *testing.T) {
	db, _ := storagetest.Open(t)
	s, err := schema.Parse(&orderRow{}, &sync.Map{}, db.NamingStrategy)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for c := range strings.SplitSeq(orderColumns, ",") {
		cols = append(cols, strings.TrimPrefix(strings.TrimSpace(c), "orders."))
	}
	var r orderRow
	fields := r.fields()
	if len(fields) != len(cols) {
		t.Fatalf("%d columns, %d fields", len(cols), len(fields))
	}
	row := reflect.ValueOf(&r).Elem()
	for i, c := range cols {
		f := s.LookUpField(c)
		if f == nil {
			t.Fatalf("column %s is no field of orderRow", c)
		}
		want := row.FieldByIndex(f.StructField.Index).Addr().Pointer()
		if reflect.ValueOf(fields[i]).Pointer() != want {
			t.Errorf("column %d, %s, scans into another field than %s", i, c, f.Name)
		}
	}
	rows, err := db.Raw("SELECT * FROM orders WHERE 1 = 0").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	table, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(table)
	named := slices.Sorted(slices.Values(cols))
	if !slices.Equal(table, named) {
		t.Errorf("orders has columns %v; orderColumns names %v", table, named)
	}
}
