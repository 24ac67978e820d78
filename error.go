// Package scanpay holds the vocabulary every part of the gateway shares:
// the error type with its kinds, money and currencies, and identifiers.
package scanpay

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. The gateway
// maps each kind to one HTTP status and error type, in one table.
type Kind string

const (
	KindInvalid         Kind = "invalid"         // the request is wrong; fix it
	KindUnauthenticated Kind = "unauthenticated" // no valid credentials
	KindForbidden       Kind = "forbidden"       // credentials valid, action refused
	KindNotFound        Kind = "not_found"       // no such object for this caller
	KindConflict        Kind = "conflict"        // the object's state forbids it now
	KindDeclined        Kind = "declined"        // a payment that cannot go through
	KindTooLarge        Kind = "too_large"       // the body is over the limit
	KindRateLimited     Kind = "rate_limited"    // slow down
	KindInternal        Kind = "internal"        // our fault; details are logged, not shown
	KindUnavailable     Kind = "unavailable"     // a dependency is down; retry later
)

// Error is the error every package returns for anything a client may see.
// Code is stable and machine-readable; Param names the offending field.
type Error struct {
	Kind    Kind
	Code    string
	Param   string
	Message string
}

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Param, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Is makes errors.Is match on the code, so a sentinel still matches a copy
// that carries a param or a more specific message.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Kind == e.Kind
}

// WithParam returns a copy of e that names the offending field.
func (e *Error) WithParam(param string) *Error {
	c := *e
	c.Param = param
	return &c
}

// WithMessage returns a copy of e with a more specific message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Invalid is the common 400: the field param is wrong, and why.
func Invalid(param, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Code: "parameter_invalid", Param: param, Message: fmt.Sprintf(format, args...)}
}

// Missing reports a required field that was not given.
func Missing(param string) *Error {
	return &Error{Kind: KindInvalid, Code: "parameter_missing", Param: param, Message: param + " is required"}
}

// NotFound reports an object the caller cannot see (another merchant's
// objects are not found, never forbidden).
func NotFound(object, id string) *Error {
	return &Error{Kind: KindNotFound, Code: "resource_missing", Param: "id", Message: fmt.Sprintf("no such %s: %q", object, id)}
}

// ErrorOf returns the *Error inside err, if any.
func ErrorOf(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
