package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/webhooks"
)

func (s *Server) webhookRoutes(v1 *gin.RouterGroup) {
	// The answers to creating an endpoint and rotating its secret hold the
	// signing secret: their records are sealed.
	v1.POST("/webhook_endpoints", s.idempotent(http.StatusCreated, true), s.createEndpoint)
	v1.GET("/webhook_endpoints", s.listEndpoints)
	v1.GET("/webhook_endpoints/:id", s.getEndpoint)
	v1.DELETE("/webhook_endpoints/:id", s.deleteEndpoint)
	v1.POST("/webhook_endpoints/:id/rotate_secret", s.idempotent(http.StatusOK, true), s.rotateEndpointSecret)
	v1.GET("/webhook_endpoints/:id/deliveries", s.listDeliveries)
	v1.GET("/events", s.listEvents)
	v1.GET("/events/stream", s.streamEvents)
	v1.GET("/events/:id", s.getEvent)
	v1.POST("/events/:id/resend", s.idempotent(http.StatusOK, false), s.resendEvent)
}

func (s *Server) createEndpoint(c *gin.Context) {
	var params webhooks.EndpointParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	endpoint, err := s.webhooks.CreateEndpoint(c.Request.Context(), p.MerchantID, p.Livemode, params)
	s.reply(c, http.StatusCreated, endpoint, err)
}

func (s *Server) getEndpoint(c *gin.Context) {
	p := principal(c)
	endpoint, err := s.webhooks.GetEndpoint(c.Request.Context(), p.MerchantID, p.Livemode, c.Param("id"))
	s.reply(c, http.StatusOK, endpoint, err)
}

func (s *Server) listEndpoints(c *gin.Context) {
	p := principal(c)
	serveList(s, c, func(pg page) ([]webhooks.Endpoint, bool, error) {
		return s.webhooks.ListEndpoints(c.Request.Context(), p.MerchantID, p.Livemode, pg.limit, pg.startingAfter)
	})
}

func (s *Server) deleteEndpoint(c *gin.Context) {
	p := principal(c)
	id := c.Param("id")
	err := s.webhooks.DeleteEndpoint(c.Request.Context(), p.MerchantID, p.Livemode, id)
	s.reply(c, http.StatusOK, deletedView{ID: id, Object: "webhook_endpoint", Deleted: true}, err)
}

func (s *Server) rotateEndpointSecret(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	endpoint, err := s.webhooks.RotateSecret(c.Request.Context(), p.MerchantID, p.Livemode, c.Param("id"))
	s.reply(c, http.StatusOK, endpoint, err)
}

func (s *Server) listDeliveries(c *gin.Context) {
	p := principal(c)
	serveList(s, c, func(pg page) ([]webhooks.Attempt, bool, error) {
		return s.webhooks.ListDeliveries(c.Request.Context(), p.MerchantID, p.Livemode, c.Param("id"), pg.limit, pg.startingAfter)
	})
}

func (s *Server) listEvents(c *gin.Context) {
	p := principal(c)
	serveList(s, c, func(pg page) ([]webhooks.Record, bool, error) {
		return s.events.List(c.Request.Context(), p.MerchantID, p.Livemode, webhooks.EventFilter{
			Type: c.Query("type"), OrderID: c.Query("order"), Limit: pg.limit, StartingAfter: pg.startingAfter,
		})
	})
}

func (s *Server) getEvent(c *gin.Context) {
	p := principal(c)
	event, err := s.events.Get(c.Request.Context(), p.MerchantID, p.Livemode, c.Param("id"))
	s.reply(c, http.StatusOK, event, err)
}

func (s *Server) resendEvent(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	resent, err := s.webhooks.Resend(c.Request.Context(), p.MerchantID, p.Livemode, c.Param("id"))
	if err == nil {
		s.wakeDispatcher()
	}
	s.reply(c, http.StatusOK, resent, err)
}

// deletedView is the answer to a DELETE.
type deletedView struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}
