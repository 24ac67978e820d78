package gateway

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/merchant"
)

const (
	principalKey = "principal"
	scopeKey     = "idempotency_scope"
)

// authMerchant admits requests that carry a valid secret key and records
// who they act as. Every failure is a 401 authentication_error.
func (s *Server) authMerchant(c *gin.Context) {
	p, err := s.merchants.Authenticate(c.Request.Context(), bearer(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(principalKey, p)
	mode := "test"
	if p.Livemode {
		mode = "live"
	}
	c.Set(scopeKey, p.MerchantID+"/"+mode)
	c.Next()
}

func principal(c *gin.Context) merchant.Principal {
	return c.MustGet(principalKey).(merchant.Principal)
}

// bearer returns the credential of an "Authorization: Bearer X" header:
// "" when there is no header, the whole header when it is not a bearer one
// (so that it fails as malformed rather than as missing).
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return h
	}
	return strings.TrimSpace(token)
}
