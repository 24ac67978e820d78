package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sseFrame is one server-sent message: its fields by name.
type sseFrame map[string]string

// eventStream is a live GET /v1/events/stream on a real HTTP server.
type eventStream struct {
	t    *testing.T
	body io.ReadCloser
	r    *bufio.Reader
}

func (e *env) openStream(t *testing.T, srv *httptest.Server, key, lastEventID string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &eventStream{t: t, body: resp.Body, r: bufio.NewReader(resp.Body)}
}

// frame reads the next message, skipping comments; io.EOF when the server
// ended the stream.
func (s *eventStream) frame() (sseFrame, error) {
	f := sseFrame{}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if len(f) > 0 {
				return f, nil
			}
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		if name != "" {
			f[name] = strings.TrimPrefix(value, " ")
		}
	}
}

// nextEvent reads until a message with data and returns the event's id
// and type, and the last cursor seen on the way.
func (s *eventStream) nextEvent(cursor *string) (string, string) {
	s.t.Helper()
	for {
		f, err := s.frame()
		if err != nil {
			s.t.Fatalf("stream ended: %v", err)
		}
		if id, ok := f["id"]; ok {
			*cursor = id
		}
		if data, ok := f["data"]; ok {
			var ev struct{ ID, Type string }
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				s.t.Fatalf("event data %q: %v", data, err)
			}
			return ev.ID, ev.Type
		}
	}
}

// cancelNewOrder makes an order.canceled event and returns the order id.
func (e *env) cancelNewOrder(key string) string {
	e.t.Helper()
	id := e.createOrder(key, `{"amount":100,"currency":"CNY"}`)["id"].(string)
	if r := e.do(request{method: "POST", path: "/v1/orders/" + id + "/cancel", key: key}); r.Code != 200 {
		e.t.Fatalf("cancel: %d %s", r.Code, r.Body.String())
	}
	return id
}

func (e *env) eventOf(key, orderID string) string {
	e.t.Helper()
	data := e.do(request{method: "GET", path: "/v1/events?order=" + orderID, key: key}).json(e.t)["data"].([]any)
	if len(data) != 1 {
		e.t.Fatalf("%d events for order %s", len(data), orderID)
	}
	return data[0].(map[string]any)["id"].(string)
}

func TestEventStream(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	_, other := e.merchant("Tea")
	srv := httptest.NewUnstartedServer(e.server)
	// As serve sets it: a stream must outlive the read timeout.
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	before := e.cancelNewOrder(key)
	s := e.openStream(t, srv, key, "")
	start, err := s.frame()
	if err != nil || start["retry"] == "" || !strings.HasPrefix(start["id"], "evt_") {
		t.Fatalf("first message %v, %v: want retry and the starting cursor", start, err)
	}
	e.cancelNewOrder(other)
	time.Sleep(2 * srv.Config.ReadTimeout)
	first := e.cancelNewOrder(key)
	cursor := start["id"]
	id, typ := s.nextEvent(&cursor)
	if id != e.eventOf(key, first) || typ != "order.canceled" {
		t.Fatalf("got %s %s, want the event of %s (not of %s, made before the stream, nor the other merchant's)", id, typ, first, before)
	}

	// Resuming from the cursor replays what happened in between.
	missed := e.cancelNewOrder(key)
	resumed := e.openStream(t, srv, key, cursor)
	seen := map[string]bool{}
	var resumedCursor string
	for !seen[e.eventOf(key, missed)] {
		id, _ := resumed.nextEvent(&resumedCursor)
		if id != e.eventOf(key, first) && id != e.eventOf(key, missed) {
			t.Fatalf("resumed stream sent %s, which is neither the repeat of %s nor the missed one", id, first)
		}
		seen[id] = true
	}

	e.server.Drain()
	for {
		if _, err := resumed.frame(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("drained stream: %v, want a clean end", err)
		}
	}
}

func TestEventStreamRefusals(t *testing.T) {
	e := newEnv(t)
	_, key := e.merchant("Blue Bottle")
	e.do(request{method: "GET", path: "/v1/events/stream"}).expectError(t, 401, "authentication_error", "api_key_missing", "")
	e.do(request{method: "GET", path: "/v1/events/stream?starting_after=ord_1", key: key}).
		expectError(t, 400, "invalid_request_error", "parameter_invalid", "starting_after")
	e.do(request{method: "GET", path: "/v1/events/stream", key: key, headers: map[string]string{"Last-Event-ID": "nonsense"}}).
		expectError(t, 400, "invalid_request_error", "parameter_invalid", "starting_after")
}
