package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

// errorClass is what a kind of error looks like on the wire.
type errorClass struct {
	status int
	typ    string
}

// errorTable is the one place where domain errors become HTTP: every
// scanpay.Kind maps to a status and an API error type; the code, param and
// message come from the error itself.
var errorTable = map[scanpay.Kind]errorClass{
	scanpay.KindInvalid:         {http.StatusBadRequest, "invalid_request_error"},
	scanpay.KindUnauthenticated: {http.StatusUnauthorized, "authentication_error"},
	scanpay.KindDeclined:        {http.StatusPaymentRequired, "invalid_request_error"},
	scanpay.KindForbidden:       {http.StatusForbidden, "permission_error"},
	scanpay.KindNotFound:        {http.StatusNotFound, "not_found_error"},
	scanpay.KindConflict:        {http.StatusConflict, "conflict_error"},
	scanpay.KindTooLarge:        {http.StatusRequestEntityTooLarge, "invalid_request_error"},
	scanpay.KindRateLimited:     {http.StatusTooManyRequests, "rate_limit_error"},
	scanpay.KindInternal:        {http.StatusInternalServerError, "api_error"},
	scanpay.KindUnavailable:     {http.StatusServiceUnavailable, "api_error"},
}

var errInternal = &scanpay.Error{Kind: scanpay.KindInternal, Code: "internal_error",
	Message: "something went wrong on our side; the request id helps us find it"}

type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// fail answers the request with err as an API error object. A request
// with an Idempotency-Key whose key another request recorded is answered
// with that record instead (replay).
func (s *Server) fail(c *gin.Context, err error) {
	if k := keyRecordOf(c); k != nil && !k.checked && s.replay(c, k) {
		return
	}
	if errors.Is(err, errKeyTaken) {
		err = errIdempotencyKeyInUse // the record vanished between the two reads
	}
	status, obj := s.classify(c, err)
	c.Set(errorCodeKey, obj.Code)
	c.AbortWithStatusJSON(status, errorBody{obj})
}

// classify turns err into its status and error object. Errors that are
// not a *scanpay.Error are internal: logged with the request id, and never
// shown to the client.
func (s *Server) classify(c *gin.Context, err error) (int, errorObject) {
	e, ok := scanpay.ErrorOf(err)
	if !ok || e.Kind == scanpay.KindInternal {
		if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
			s.log.Info("client went away", "request_id", requestID(c))
		} else {
			s.log.Error("internal error", "request_id", requestID(c), "method", c.Request.Method,
				"path", c.Request.URL.Path, "err", err)
		}
		e = errInternal
	}
	class, ok := errorTable[e.Kind]
	if !ok {
		s.log.Error("error kind missing from the table", "kind", e.Kind, "code", e.Code)
		class = errorTable[scanpay.KindInternal]
	}
	return class.status, errorObject{Type: class.typ, Code: e.Code, Message: e.Message, Param: e.Param}
}

// reply answers with a service call's result: v with status, or the error.
// When the call recorded its answer under the request's Idempotency-Key,
// the recorded bytes are sent, so a replay is the same answer to the byte.
func (s *Server) reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	if k := keyRecordOf(c); k != nil && k.recorded {
		if k.status != status {
			s.log.Error("idempotency: route recorded another status than it answers", "path", c.FullPath(),
				"recorded", k.status, "answered", status)
		}
		c.Data(k.status, "application/json; charset=utf-8", k.body)
		return
	}
	c.JSON(status, v)
}
