package sdk_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scanpay/scanpay/sdk"
)

// next reads the stream's next event, failing after 10 seconds.
func next(t *testing.T, st *sdk.EventStream) *sdk.Event {
	t.Helper()
	type result struct {
		ev  *sdk.Event
		err error
	}
	got := make(chan result, 1)
	go func() {
		ev, err := st.Next()
		got <- result{ev, err}
	}()
	select {
	case r := <-got:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return nil
	}
}

// eventIDs lists the merchant's events, oldest first.
func (e *env) eventIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, ev := range collect(t, e.c.Events.List(context.Background(), nil)) {
		ids = append(ids, ev.ID)
	}
	slices.Reverse(ids)
	return ids
}

// A stream through a front that goes down and comes back: the events of
// the outage come after it, none lost and none twice.
func TestEventStreamResumesAfterAnOutage(t *testing.T) {
	e := newEnv(t)
	front := e.g.Front(t)
	c := sdk.NewClient(e.key, sdk.WithBaseURL(front.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.paidOrder(t, 100) // before the stream: not shown
	st, err := c.Events.Stream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	first := e.paidOrder(t, 200)
	ev := next(t, st)
	if o, err := ev.Order(); err != nil || o.ID != first.ID || ev.Type != sdk.EventOrderPaid {
		t.Fatalf("first event %s %+v (%v), want order.paid of %s", ev.Type, o, err, first.ID)
	}
	got := []string{ev.ID}

	front.Down()
	during := e.order(t, nil)
	if _, err := e.c.Orders.Cancel(context.Background(), during.ID, nil); err != nil {
		t.Fatal(err)
	}
	e.paidOrder(t, 300)
	front.Up()
	after := e.paidOrder(t, 400)
	for len(got) < 4 {
		got = append(got, next(t, st).ID)
	}
	if want := e.eventIDs(t)[1:]; !slices.Equal(got, want) {
		t.Fatalf("stream gave %v, want the log after the start %v", got, want)
	}
	// Nothing else is waiting: no repeat comes after the last event.
	last := e.paidOrder(t, 500)
	ev = next(t, st)
	if o, err := ev.Order(); err != nil || o.ID != last.ID {
		t.Fatalf("after %s came %s (%+v): a repeat?", after.ID, ev.ID, o)
	}
}

func TestEventStreamStartingAfter(t *testing.T) {
	e := newEnv(t)
	e.paidOrder(t, 100)
	e.paidOrder(t, 200)
	ids := e.eventIDs(t)
	st, err := e.c.Events.Stream(context.Background(), &sdk.EventStreamParams{StartingAfter: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ev := next(t, st); ev.ID != ids[1] {
		t.Fatalf("resumed at %s, want %s", ev.ID, ids[1])
	}
}

func TestEventStreamRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := sdk.NewClient("sk_test_wrong", sdk.WithBaseURL(e.g.URL)).Events.Stream(ctx, nil)
	apiError(t, err, 401, "authentication_error", "api_key_invalid", "")
	_, err = e.c.Events.Stream(ctx, &sdk.EventStreamParams{StartingAfter: "ord_1"})
	apiError(t, err, 400, "invalid_request_error", "parameter_invalid", "starting_after")

	// A key revoked while the stream is open ends it at the next
	// reconnection, rather than retrying forever.
	front := e.g.Front(t)
	st, err := sdk.NewClient(e.key, sdk.WithBaseURL(front.URL)).Events.Stream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := e.g.Merchants.ListKeys(ctx, e.merchantID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if _, err := e.g.Merchants.RevokeKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	front.Down()
	front.Up()
	done := make(chan error, 1)
	go func() {
		_, err := st.Next()
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, sdk.ErrAPIKeyRevoked) {
			t.Fatalf("Next after the revocation: %v, want ErrAPIKeyRevoked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next kept retrying with a revoked key")
	}
}

func TestEventStreamClose(t *testing.T) {
	e := newEnv(t)
	st, err := e.c.Events.Stream(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Next()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Next block on the connection
	st.Close()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Next after Close: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a waiting Next")
	}
}
