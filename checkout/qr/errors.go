package qr

import (
	"errors"
	"fmt"
)

// The kinds of FormatError, for errors.Is.
var (
	// ErrCRC: data object 63 does not match the checksum of the payload.
	ErrCRC = errors.New("CRC mismatch")
	// ErrTruncated: a data object's header or value runs past the end of
	// the payload or of its template.
	ErrTruncated = errors.New("truncated")
	// ErrLength: a value is longer or shorter than its field allows,
	// including a required field that is missing.
	ErrLength = errors.New("length out of range")
	// ErrInvalid: everything else: a character outside the field's set, an
	// ID or length that is not two digits, a data object out of place.
	ErrInvalid = errors.New("invalid")
)

// FormatError reports an EMVCo payload that cannot be encoded or parsed.
//
// Field names the data object by its EMVCo ID, with a dot before the ID of a
// sub-object inside a template: "59" is the merchant name, "26.01" the code
// inside the merchant account template, "62.05" the reference label. When
// the ID itself is unreadable, Field is the enclosing template's ID, or ""
// for the payload as a whole. IDs rather than Go names because they are what
// a scheme's documentation and a payload dump show.
type FormatError struct {
	Field  string
	Reason string
	Err    error // one of ErrCRC, ErrTruncated, ErrLength, ErrInvalid
}

func (e *FormatError) Error() string {
	if e.Field == "" {
		return "emvco payload: " + e.Reason
	}
	return "emvco field " + e.Field + ": " + e.Reason
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatError(field string, kind error, format string, args ...any) *FormatError {
	return &FormatError{Field: field, Reason: fmt.Sprintf(format, args...), Err: kind}
}
