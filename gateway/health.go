package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
)

var (
	errNoRoute  = &scanpay.Error{Kind: scanpay.KindNotFound, Code: "route_not_found", Message: "no such route"}
	errNotReady = &scanpay.Error{Kind: scanpay.KindUnavailable, Code: "not_ready", Message: "the gateway is not ready to take requests"}
)

// healthz answers while the process runs.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only while the database is reachable and the process
// is not shutting down.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	sqlDB, err := s.db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil || s.draining() {
		if err != nil {
			s.log.Warn("not ready", "err", err)
		}
		s.fail(c, errNotReady)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
