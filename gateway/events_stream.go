package gateway

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

// eventPollInterval is how often an event stream reads the log; events
// are read from the database, so those of every gateway process show up.
const eventPollInterval = 250 * time.Millisecond

// streamEvents follows the merchant's event log as server-sent events, for
// `scanpay listen` and the SDK: each event is a message whose data is the
// event as webhooks deliver it. Messages without data carry the stream's
// cursor in their id field (a position in the log, shaped like an event
// id); a client that reconnects with it in Last-Event-ID (or
// ?starting_after=) loses nothing, and may see again an event of the last
// 30 seconds, which it drops by id. Without a cursor the stream starts at
// the newest event. It sends the cursor as a heartbeat every 15 s and ends
// when the gateway drains, for the client to reconnect elsewhere.
func (s *Server) streamEvents(c *gin.Context) {
	cursor := c.GetHeader("Last-Event-ID")
	if cursor == "" {
		cursor = c.Query("starting_after")
	}
	if cursor != "" && !scanpay.IsID("evt", cursor) {
		s.fail(c, scanpay.Invalid("starting_after", "starting_after (or Last-Event-ID) must be an event id or a cursor of this stream"))
		return
	}
	ctx := c.Request.Context()
	p := principal(c)
	feed, err := s.events.Follow(ctx, p.MerchantID, p.Livemode, cursor)
	if err != nil {
		s.fail(c, err)
		return
	}
	rc := http.NewResponseController(c.Writer)
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no") // let events through buffering proxies
	c.Status(http.StatusOK)

	sent := ""
	sendCursor := func() error {
		sent = feed.Cursor()
		_, err := fmt.Fprintf(c.Writer, "id: %s\n\n", sent)
		return err
	}
	if _, err := fmt.Fprintf(c.Writer, "retry: %d\n", time.Second.Milliseconds()); err != nil {
		return
	}
	if sendCursor() != nil || rc.Flush() != nil {
		return
	}
	poll := time.NewTicker(eventPollInterval)
	defer poll.Stop()
	lastWrite := time.Now()
	for {
		events, more, err := feed.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("event stream", "merchant", p.MerchantID, "err", err)
			}
			return
		}
		for _, e := range events {
			if _, err := fmt.Fprintf(c.Writer, "data: %s\n\n", e.Payload); err != nil {
				return
			}
		}
		// The cursor goes out after the events it covers, and as the
		// heartbeat that keeps idle connections open through proxies.
		wrote := len(events) > 0
		if wrote && feed.Cursor() != sent || !wrote && time.Since(lastWrite) >= heartbeatInterval {
			if sendCursor() != nil {
				return
			}
			wrote = true
		}
		if wrote {
			if rc.Flush() != nil {
				return
			}
			lastWrite = time.Now()
		}
		if more && ctx.Err() == nil && !s.draining() {
			continue // a backlog: no pause
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		case <-poll.C:
		}
	}
}
