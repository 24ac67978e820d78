package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

// readBody reads the whole (size-limited) body.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge
	}
	if err != nil {
		return nil, &scanpay.Error{Kind: scanpay.KindInvalid, Code: "body_unreadable", Message: "the request body could not be read"}
	}
	return body, nil
}

// decode reads a JSON object into dst. Unknown fields, wrong types and
// malformed JSON are 400s that name the field; an empty body is {}.
func decode(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON("the body holds more than one JSON value")
	}
	return refuseNUL(reflect.ValueOf(dst), "")
}

func invalidJSON(format string, args ...any) *scanpay.Error {
	return &scanpay.Error{Kind: scanpay.KindInvalid, Code: "invalid_json", Message: fmt.Sprintf(format, args...)}
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return invalidJSON("the body is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalidJSON("the body is not valid JSON: it ends too early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalidJSON("the body must be a JSON object")
		}
		return &scanpay.Error{Kind: scanpay.KindInvalid, Code: "parameter_invalid", Param: typ.Field,
			Message: fmt.Sprintf("%s: expected %s, got %s", typ.Field, describeType(typ.Type), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &scanpay.Error{Kind: scanpay.KindInvalid, Code: "parameter_unknown", Param: field,
			Message: fmt.Sprintf("unknown field %q", field)}
	}
	return invalidJSON("the body is not valid JSON: %s", err)
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer within range"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return describeType(t.Elem())
	}
	return "of type " + t.String()
}
