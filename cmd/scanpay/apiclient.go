package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
)

// apiClient calls one gateway's HTTP API, as the demo and the load tool
// do: JSON in and out, a bearer credential, an optional Idempotency-Key.
type apiClient struct {
	http *http.Client
	base string // without a trailing slash
}

// apiError is a call that did not succeed: the gateway's error object, or,
// with Status 0, no answer at all (Code then says why: connection_refused,
// connection_reset, timeout or transport_error).
type apiError struct {
	Method, Path string
	Status       int
	Code         string
	Param        string
	Message      string
}

func (e *apiError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Message)
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// send makes one request with body (nil for none) and leaves the answer's
// body in buf, which the caller reuses from call to call. Anything but a
// 2xx is an *apiError.
func (c apiClient) send(ctx context.Context, method, path, auth, idempotencyKey string, body []byte, buf *bytes.Buffer) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	buf.Reset()
	resp, err := c.http.Do(req)
	if err == nil {
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		return &apiError{Method: method, Path: path, Code: transportCode(err), Message: err.Error()}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	var e struct {
		Error struct{ Code, Param, Message string }
	}
	if json.Unmarshal(buf.Bytes(), &e) != nil || e.Error.Code == "" {
		e.Error.Code = "unrecognized_answer"
		e.Error.Message = fmt.Sprintf("%.200q", buf.Bytes())
	}
	return &apiError{Method: method, Path: path, Status: resp.StatusCode, Code: e.Error.Code, Param: e.Error.Param, Message: e.Error.Message}
}

// call sends in as JSON (nil for no body) and decodes the answer into out
// (nil to ignore it).
func (c apiClient) call(ctx context.Context, method, path, auth, idempotencyKey string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := c.send(ctx, method, path, auth, idempotencyKey, body, &buf); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: the answer is not what the API promises: %w", method, path, err)
	}
	return nil
}

// transportCode names why a request got no answer, for error counts.
func transportCode(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection_reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "transport_error"
}
