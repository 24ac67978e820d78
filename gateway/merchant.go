package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay/checkout"
	"github.com/scanpay/scanpay/merchant"
)

func (s *Server) merchantRoutes(v1 *gin.RouterGroup) {
	v1.GET("/merchant", s.getMerchant)
	// The static code, for the counter sticker; HEAD too, as for orders.
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/merchant/qr.png", s.staticQRImage(checkout.ImagePNG))
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/merchant/qr.svg", s.staticQRImage(checkout.ImageSVG))
	v1.POST("/merchant", s.idempotent(http.StatusOK, false), s.updateMerchant)
}

// staticQR is the merchant's static code as GET /v1/merchant shows it:
// each format's payload and where its image is.
type staticQR struct {
	URL   *staticQRForm `json:"url"`
	EMVCo *staticQRForm `json:"emvco"`
}

type staticQRForm struct {
	Payload  string `json:"payload"`
	ImageURL string `json:"image_url"`
}

// getMerchant returns the merchant the key belongs to, the key's mode,
// and the merchant's static code in that mode, so an integration can
// check its key and print its counter sticker.
func (s *Server) getMerchant(c *gin.Context) {
	p := principal(c)
	m, err := s.merchants.Get(c.Request.Context(), p.MerchantID)
	if err != nil {
		s.fail(c, err)
		return
	}
	codes, err := s.checkout.StaticQR(c.Request.Context(), p)
	form := func(f *checkout.StaticPayload, format string) *staticQRForm {
		if f == nil {
			return nil
		}
		return &staticQRForm{Payload: f.Payload, ImageURL: s.cfg.BaseURL + "/v1/merchant/qr.png?format=" + format}
	}
	s.reply(c, http.StatusOK, merchantView{merchant.Self{Merchant: m, Livemode: p.Livemode},
		staticQR{URL: form(codes.URL, checkout.QRFormatURL), EMVCo: form(codes.EMVCo, checkout.QRFormatEMVCo)}}, err)
}

// merchantView is the merchant a key belongs to, the key's mode, and the
// merchant's static code in that mode.
type merchantView struct {
	merchant.Self
	StaticQR staticQR `json:"static_qr"`
}

// staticQRImage serves the merchant's static code in ?format= (url, the
// default, or emvco). It never changes, so it is cached as orders' are.
func (s *Server) staticQRImage(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		size, err := imageSize(c, kind)
		if err != nil {
			s.fail(c, err)
			return
		}
		format := c.Query("format")
		if format == "" {
			format = checkout.QRFormatURL
		}
		img, err := s.checkout.StaticQRImage(c.Request.Context(), principal(c), format, kind, size)
		if err != nil {
			s.fail(c, err)
			return
		}
		serveImage(c, img)
	}
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
