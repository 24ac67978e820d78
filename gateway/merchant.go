package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/merchant"
)

func (s *Server) merchantRoutes(v1 *gin.RouterGroup) {
	v1.GET("/merchant", s.getMerchant)
}

// getMerchant returns the merchant the key belongs to, and the key's mode,
// so an integration can check its key.
func (s *Server) getMerchant(c *gin.Context) {
	p := principal(c)
	m, err := s.merchants.Get(c.Request.Context(), p.MerchantID)
	s.reply(c, http.StatusOK, merchantView{m, p.Livemode}, err)
}

// merchantView is the merchant a key belongs to, and the key's mode.
type merchantView struct {
	merchant.Merchant
	Livemode bool `json:"livemode"`
}
