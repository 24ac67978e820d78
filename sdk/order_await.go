package sdk

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// AwaitPollInterval is how often Await reads the order while its status
// stream cannot be had.
const AwaitPollInterval = time.Second

// Await waits until the order is no longer pending and returns it as it
// ended: paid (or refunded since), expired or canceled. It follows the
// order's status stream (GET /v1/orders/{id}/events), which tells the
// outcome the moment it happens. When the stream drops it reads the order
// (so an outcome missed meanwhile is not waited for) and connects again;
// when the gateway has no such stream, it reads the order every
// AwaitPollInterval instead. It returns early only when ctx ends, or with
// an error the gateway gives the order itself (an unknown order matches
// ErrResourceMissing).
func (s *OrderService) Await(ctx context.Context, id string) (*Order, error) {
	streamable := true
	for attempt := 0; ; attempt++ {
		if streamable {
			final, err := s.followStatus(ctx, id)
			switch {
			case final:
				return s.Get(ctx, id)
			case errors.Is(err, ErrRouteNotFound):
				streamable = false // an older gateway: poll
			case err != nil && !retryable(err) && ctx.Err() == nil:
				return nil, err
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		o, err := s.Get(ctx, id)
		if err == nil && o.Status != OrderPending {
			return o, nil
		}
		if err != nil && !retryable(err) {
			return nil, err
		}
		wait := AwaitPollInterval
		if streamable {
			wait = backoff(min(attempt, 3))
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// followStatus reads the order's status stream until it reports an
// outcome (true) or ends without one.
func (s *OrderService) followStatus(ctx context.Context, id string) (bool, error) {
	resp, err := s.c.send(ctx, request{method: http.MethodGet, path: "/v1/orders/" + url.PathEscape(id) + "/events",
		header: http.Header{"Accept": {"text/event-stream"}}, stream: true})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for {
		f, err := readFrame(r)
		if err != nil {
			return false, err
		}
		var msg struct {
			Status OrderStatus `json:"status"`
		}
		if f.hasData && json.Unmarshal([]byte(f.data), &msg) == nil && msg.Status != "" && msg.Status != OrderPending {
			return true, nil
		}
	}
}
