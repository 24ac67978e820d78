package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) merchantRoutes(v1 *gin.RouterGroup) {
	v1.GET("/merchant", s.getMerchant)
}

// getMerchant returns the merchant the key belongs to, so an integration
// can check its key and mode.
func (s *Server) getMerchant(c *gin.Context) {
	p := principal(c)
	m, err := s.merchants.Get(c.Request.Context(), p.MerchantID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"merchant": m, "livemode": p.Livemode})
}
