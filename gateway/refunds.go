package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/checkout"
)

func (s *Server) refundRoutes(v1 *gin.RouterGroup) {
	v1.POST("/refunds", s.countOutcome("refund"), s.idempotent(http.StatusCreated, false), s.createRefund)
	v1.GET("/refunds", s.listRefunds)
	v1.GET("/refunds/:id", s.getRefund)
}

func (s *Server) createRefund(c *gin.Context) {
	var params checkout.RefundParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	refund, err := s.checkout.CreateRefund(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, refund, err)
}

func (s *Server) getRefund(c *gin.Context) {
	refund, err := s.checkout.GetRefund(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, refund, err)
}

func (s *Server) listRefunds(c *gin.Context) {
	serveList(s, c, func(pg page) ([]checkout.Refund, bool, error) {
		return s.checkout.ListRefunds(c.Request.Context(), principal(c), c.Query("order"), pg.limit, pg.startingAfter)
	})
}
