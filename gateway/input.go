package gateway

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

// maxIDLen bounds an id or code in a path: none the gateway issues is
// longer, and a longer one is not looked up.
const maxIDLen = 255

// checkInput refuses, at the edge and before any handler or query runs,
// text that no id, code or filter can hold: bytes that are not UTF-8 and
// control characters (PostgreSQL cannot even store a NUL). A path segment
// that cannot be an id names nothing, so it is a 404, as an unknown id is;
// a query parameter is a 400 naming it. Both answers are the same on every
// database.
func (s *Server) checkInput(c *gin.Context) {
	for _, p := range c.Params {
		if !plainText(p.Value) || len(p.Value) > maxIDLen {
			s.fail(c, &scanpay.Error{Kind: scanpay.KindNotFound, Code: "resource_missing", Param: p.Key,
				Message: fmt.Sprintf("no such object: this %s cannot name one", p.Key)})
			return
		}
	}
	for name, values := range c.Request.URL.Query() {
		if !plainText(name) {
			s.fail(c, scanpay.Invalid("query", "a query parameter name is not plain text"))
			return
		}
		for _, v := range values {
			if !plainText(v) {
				s.fail(c, scanpay.Invalid(name, "%s must be valid UTF-8 without control characters", name))
				return
			}
		}
	}
	c.Next()
}

// plainText reports whether s is valid UTF-8 without control characters.
func plainText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// refuseNUL returns a 400 naming the field of v (a decoded request body)
// that holds a NUL character: JSON may carry one as \u0000, and PostgreSQL
// cannot store it in text. Free-text fields refuse every control character
// themselves; this catches the rest (ids, codes, map keys) in one place.
func refuseNUL(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return refuseNUL(v.Elem(), field)
		}
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			return scanpay.Invalid(field, "%s must not contain NUL characters", field)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if err := refuseNUL(v.Field(i), join(field, name)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			if strings.ContainsRune(k, 0) {
				return scanpay.Invalid(field, "the keys of %s must not contain NUL characters", field)
			}
			if err := refuseNUL(it.Value(), join(field, k)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := refuseNUL(v.Index(i), field); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}
