package gateway

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// How the checkout page's event stream paces itself. The status is read
// from the database, so a payment taken by any gateway process shows up.
const (
	statusPollInterval = time.Second
	heartbeatInterval  = 15 * time.Second
)

// checkoutEvents streams the order's status to the hosted page.
func (s *Server) checkoutEvents(c *gin.Context) {
	s.streamStatus(c, c.Param("id"))
}

// streamStatus streams order id's status as server-sent events, each an
// "event: status" message whose data is {"status": ...}: the current
// status at once, then each change, and it ends once the order is paid,
// expired or canceled. An unknown order is a 404.
func (s *Server) streamStatus(c *gin.Context, id string) {
	ctx := c.Request.Context()
	status, err := s.checkout.Status(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	flusher, ok := c.Writer.(http.Flusher)
	if !ok {
		s.fail(c, fmt.Errorf("response writer cannot flush"))
		return
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no") // let events through buffering proxies
	c.Status(http.StatusOK)

	poll := time.NewTicker(statusPollInterval)
	defer poll.Stop()
	lastWrite := time.Now()
	sent := ""
	for {
		if screen := pageStatus(status); screen != sent {
			if _, err := fmt.Fprintf(c.Writer, "event: status\ndata: {\"status\":%q}\n\n", status); err != nil {
				return
			}
			flusher.Flush()
			sent, lastWrite = screen, time.Now()
			if screen != "pending" {
				return
			}
		} else if time.Since(lastWrite) >= heartbeatInterval {
			// A comment keeps idle connections open through proxies.
			if _, err := fmt.Fprint(c.Writer, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stopping:
			return
		case <-poll.C:
		}
		if status, err = s.checkout.Status(ctx, id); err != nil {
			if ctx.Err() == nil {
				s.log.Error("checkout events", "order", id, "err", err)
			}
			return
		}
	}
}
