package gateway

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

const requestIDKey = "request_id"

var errBodyTooLarge = &scanpay.Error{Kind: scanpay.KindTooLarge, Code: "body_too_large",
	Message: "the request body is larger than 1 MiB"}

// withRequestID gives every response a Request-Id header, set before any
// handler runs so that even a panic's 500 carries it, and the headers
// every response shares.
func withRequestID(c *gin.Context) {
	id := "req_" + scanpay.RandomToken(12)
	c.Set(requestIDKey, id)
	c.Header("Request-Id", id)
	// No response is ever meant to be sniffed into another type: a QR SVG
	// or an error object must not become a page.
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

func requestID(c *gin.Context) string {
	return c.GetString(requestIDKey)
}

// logRequests writes one structured line per request. It never logs
// headers or bodies, so keys, tokens, PINs and secrets stay out of logs.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
		slog.Int("bytes", c.Writer.Size()),
	)
}

// recoverPanics turns a panic into a 500 api_error whose body says nothing
// about the cause; the stack goes to the log.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		s.log.Error("panic", "request_id", requestID(c), "panic", r, "stack", string(debug.Stack()))
		if !c.Writer.Written() {
			s.fail(c, errInternal)
		}
		c.Abort()
	}()
	c.Next()
}

// limitBody refuses bodies over the limit: at once when Content-Length
// says so, and while reading when it does not.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.BodyLimit {
		s.fail(c, errBodyTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.BodyLimit)
	c.Next()
}
