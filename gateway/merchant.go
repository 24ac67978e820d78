package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/merchant"
)

func (s *Server) merchantRoutes(v1 *gin.RouterGroup) {
	v1.GET("/merchant", s.getMerchant)
	v1.POST("/merchant", s.idempotent(http.StatusOK, false), s.updateMerchant)
}

// getMerchant returns the merchant the key belongs to, and the key's mode,
// so an integration can check its key.
func (s *Server) getMerchant(c *gin.Context) {
	p := principal(c)
	m, err := s.merchants.Get(c.Request.Context(), p.MerchantID)
	s.reply(c, http.StatusOK, merchant.Self{Merchant: m, Livemode: p.Livemode}, err)
}

// updateMerchant changes the merchant's settlement and payout settings.
func (s *Server) updateMerchant(c *gin.Context) {
	var params merchant.SettingsParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	self, err := s.merchants.UpdateSettings(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusOK, self, err)
}
