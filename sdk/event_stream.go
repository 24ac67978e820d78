package sdk

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// recentKept is how many event ids a stream remembers to drop repeats: a
// gateway resuming a stream may send again the events of its last 30
// seconds.
const recentKept = 10000

// EventStreamParams say where a stream starts.
type EventStreamParams struct {
	// StartingAfter resumes after this event id. Empty starts at the
	// newest event: the stream shows what happens from now on.
	StartingAfter string
}

// EventStream follows the merchant's events as they happen, over the
// gateway's server-sent event stream (GET /v1/events/stream). When the
// connection drops or the gateway restarts, it reconnects and resumes
// where it was, so no event is lost, and it drops the repeats a resume
// may bring, so none comes twice. It is for one goroutine, except Close.
type EventStream struct {
	c      *Client
	ctx    context.Context
	stop   context.CancelFunc
	cursor string
	r      *bufio.Reader
	seen   recentIDs
	// pending is an event read while connecting, for the next Next.
	pending *Event

	mu   sync.Mutex // guards body against Close
	body io.ReadCloser
}

// Stream connects to the merchant's event stream and returns once the
// gateway has answered, so every event from then on comes through it. A
// key the gateway refuses matches ErrAPIKeyInvalid (or another key code);
// a malformed StartingAfter matches ErrParameterInvalid.
func (s *EventService) Stream(ctx context.Context, params *EventStreamParams) (*EventStream, error) {
	if params == nil {
		params = &EventStreamParams{}
	}
	ctx, stop := context.WithCancel(ctx)
	st := &EventStream{c: s.c, ctx: ctx, stop: stop, cursor: params.StartingAfter, seen: recentIDs{set: map[string]bool{}}}
	if err := st.connect(); err != nil {
		stop()
		return nil, err
	}
	return st, nil
}

// Next waits for the next event. It reconnects as often as it takes,
// waiting longer each time the gateway cannot be reached, and returns an
// error only when the context ends (or Close is called), when the gateway
// refuses the stream (a revoked key, say), or when an event is not JSON.
func (st *EventStream) Next() (*Event, error) {
	for {
		if ev := st.pending; ev != nil {
			st.pending = nil
			return ev, nil
		}
		if st.r == nil {
			if err := st.reconnect(); err != nil {
				return nil, err
			}
			continue
		}
		f, err := readFrame(st.r)
		if err != nil {
			st.disconnect()
			if st.ctx.Err() != nil {
				return nil, st.ctx.Err()
			}
			st.c.log.WarnContext(st.ctx, "scanpay event stream interrupted; reconnecting", "err", err)
			continue
		}
		ev, err := st.take(f)
		if ev != nil || err != nil {
			return ev, err
		}
	}
}

// Close ends the stream; a Next waiting in another goroutine returns.
func (st *EventStream) Close() error {
	st.stop()
	st.closeBody()
	return nil
}

// connect opens the stream after the cursor and reads the gateway's first
// message, which carries the cursor to resume from.
func (st *EventStream) connect() error {
	h := http.Header{"Accept": {"text/event-stream"}}
	if st.cursor != "" {
		h.Set("Last-Event-ID", st.cursor)
	}
	resp, err := st.c.send(st.ctx, request{method: http.MethodGet, path: "/v1/events/stream", header: h, stream: true})
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.body = resp.Body
	st.mu.Unlock()
	st.r = bufio.NewReader(resp.Body)
	f, err := readFrame(st.r)
	if err == nil {
		st.pending, err = st.take(f)
	}
	if err != nil {
		st.disconnect()
	}
	return err
}

// reconnect connects again, waiting between attempts while the failures
// may pass.
func (st *EventStream) reconnect() error {
	for attempt := 0; ; attempt++ {
		err := st.connect()
		if st.ctx.Err() != nil {
			return st.ctx.Err()
		}
		if err == nil || !retryable(err) {
			return err
		}
		wait := backoff(attempt)
		st.c.log.WarnContext(st.ctx, "scanpay event stream cannot reconnect; retrying", "wait", wait, "err", err)
		if err := sleep(st.ctx, wait); err != nil {
			return err
		}
	}
}

func (st *EventStream) disconnect() {
	st.closeBody()
	st.r = nil
}

func (st *EventStream) closeBody() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.body != nil {
		st.body.Close()
		st.body = nil
	}
}

// take applies a message: its id moves the cursor, and its data is an
// event, returned unless it came before.
func (st *EventStream) take(f frame) (*Event, error) {
	if f.hasID {
		st.cursor = f.id
	}
	if !f.hasData {
		return nil, nil
	}
	ev := new(Event)
	if err := json.Unmarshal([]byte(f.data), ev); err != nil {
		return nil, fmt.Errorf("scanpay: event stream: %w", err)
	}
	if !st.seen.add(ev.ID) {
		return nil, nil
	}
	return ev, nil
}

// frame is one server-sent message.
type frame struct {
	id, data       string
	hasID, hasData bool
}

// readFrame reads the next message that has an id or data, skipping
// comments and fields it does not use.
func readFrame(r *bufio.Reader) (frame, error) {
	var f frame
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return frame{}, err
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if f.hasID || len(data) > 0 {
				f.data, f.hasData = strings.Join(data, "\n"), len(data) > 0
				return f, nil
			}
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "id":
			f.id, f.hasID = value, true
		case "data":
			data = append(data, value)
		}
	}
}

// recentIDs remembers the last recentKept ids it was given.
type recentIDs struct {
	set  map[string]bool
	ring []string
	next int
}

// add remembers id and reports whether it is new.
func (r *recentIDs) add(id string) bool {
	if r.set[id] {
		return false
	}
	if len(r.ring) < recentKept {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % recentKept
	}
	r.set[id] = true
	return true
}
