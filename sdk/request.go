package sdk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// request is one API call, however many attempts it takes.
type request struct {
	method string
	path   string
	query  url.Values
	// body is encoded as JSON once, so every attempt sends the same bytes
	// under the same Idempotency-Key.
	body any
	// idempotencyKey is the caller's key for a POST; empty means a random
	// one.
	idempotencyKey string
	header         http.Header
	// stream is a long-lived response: the HTTP client's Timeout would cut
	// it, so it is sent without one.
	stream bool
}

// fetch sends r and returns its 2xx JSON answer as a new T.
func fetch[T any](ctx context.Context, c *Client, r request) (*T, error) {
	v := new(T)
	if err := c.call(ctx, r, v); err != nil {
		return nil, err
	}
	return v, nil
}

// call sends r and decodes the 2xx JSON answer into out.
func (c *Client) call(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("scanpay: %s %s: decode the answer: %w", r.method, r.path, err)
	}
	return nil
}

// download sends a GET and hands back the body of its 2xx answer.
func (c *Client) download(ctx context.Context, path string, query url.Values) (io.ReadCloser, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// send makes the attempts of r: the first, then a retry after each failure
// that may pass, up to maxRetries, waiting as backoff or Retry-After says,
// and never once ctx is done. It returns the first 2xx response with its
// body unread, or the last failure.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("scanpay: %s %s: encode the request: %w", r.method, r.path, err)
		}
	}
	key := r.idempotencyKey
	if r.method == http.MethodPost && key == "" {
		key = randomHex()
	}
	hc := c.http
	if r.stream && hc.Timeout != 0 {
		unbounded := *hc
		unbounded.Timeout = 0
		hc = &unbounded
	}
	for attempt := 0; ; attempt++ {
		req, err := c.newRequest(ctx, r, payload, key)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := hc.Do(req)
		var wait time.Duration
		if err == nil {
			c.log.DebugContext(ctx, "scanpay request", "method", r.method, "path", r.path, "status", resp.StatusCode,
				"request_id", resp.Header.Get("Request-Id"), "attempt", attempt+1, "elapsed", time.Since(start))
			if resp.StatusCode/100 == 2 {
				return resp, nil
			}
			wait = retryAfter(resp.Header, time.Now())
			err = readError(resp)
		} else if ctx.Err() != nil {
			return nil, err // the caller gave up
		}
		if attempt >= c.maxRetries || !retryable(err) || wait > maxRetryAfter {
			return nil, err
		}
		if wait == 0 {
			wait = backoff(attempt)
		}
		c.log.WarnContext(ctx, "scanpay request failed; retrying", "method", r.method, "path", r.path,
			"attempt", attempt+1, "wait", wait, "err", err)
		if ctxErr := sleep(ctx, wait); ctxErr != nil {
			return nil, fmt.Errorf("%w (gave up retrying: %w)", err, ctxErr)
		}
	}
}

func (c *Client) newRequest(ctx context.Context, r request, payload []byte, key string) (*http.Request, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("scanpay: %s %s: %w", r.method, r.path, err)
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("User-Agent", userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return req, nil
}

// randomHex returns 128 random bits in hex: an Idempotency-Key unique to
// its call.
func randomHex() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// readError turns a non-2xx answer into an *Error and closes its body.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &Error{HTTPStatus: resp.StatusCode, RequestID: resp.Header.Get("Request-Id")}
	var body struct {
		Error *struct {
			Type    string `json:"type"`
			Code    string `json:"code"`
			Param   string `json:"param"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		e.Type, e.Code, e.Param, e.Message = body.Error.Type, body.Error.Code, body.Error.Param, body.Error.Message
	} else {
		// Not the gateway's answer: a proxy or load balancer in between.
		e.Message = fmt.Sprintf("unexpected answer %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return e
}
