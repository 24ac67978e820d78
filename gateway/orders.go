package gateway

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

func (s *Server) orderRoutes(v1 *gin.RouterGroup) {
	v1.POST("/orders", s.idempotent(http.StatusCreated, false), s.createOrder)
	v1.GET("/orders", s.listOrders)
	v1.GET("/orders/:id", s.getOrder)
	v1.POST("/orders/:id/cancel", s.idempotent(http.StatusOK, false), s.cancelOrder)
	// HEAD too: link checkers and caches ask it before fetching.
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/orders/:id/qr.png", s.orderQRImage(checkout.ImagePNG))
	v1.Match([]string{http.MethodGet, http.MethodHead}, "/orders/:id/qr.svg", s.orderQRImage(checkout.ImageSVG))
}

func (s *Server) createOrder(c *gin.Context) {
	var params checkout.OrderParams
	if err := decode(c, &params); err != nil {
		s.fail(c, err)
		return
	}
	order, err := s.checkout.CreateOrder(c.Request.Context(), principal(c), params)
	s.reply(c, http.StatusCreated, order, err)
}

func (s *Server) getOrder(c *gin.Context) {
	order, err := s.checkout.GetOrder(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, order, err)
}

func (s *Server) listOrders(c *gin.Context) {
	pg, err := parsePage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	orders, more, err := s.checkout.ListOrders(c.Request.Context(), principal(c), checkout.ListParams{
		Status: checkout.Status(c.Query("status")), Reference: c.Query("reference"),
		Limit: pg.limit, StartingAfter: pg.startingAfter,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeList(c, orders, more)
}

func (s *Server) cancelOrder(c *gin.Context) {
	if err := decode(c, &struct{}{}); err != nil {
		s.fail(c, err)
		return
	}
	order, err := s.checkout.CancelOrder(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, order, err)
}

// orderQRImage serves the order's QR code. The image of an order never
// changes, so it carries a strong ETag and may be cached for a day.
func (s *Server) orderQRImage(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		size := checkout.DefaultPNGSize
		if raw, ok := c.GetQuery("size"); ok && kind == checkout.ImagePNG {
			n, err := strconv.Atoi(raw)
			if err != nil {
				s.fail(c, scanpay.Invalid("size", "size must be an integer number of pixels"))
				return
			}
			size = n
		}
		img, err := s.checkout.QRImage(c.Request.Context(), principal(c), c.Param("id"), kind, size)
		if err != nil {
			s.fail(c, err)
			return
		}
		serveImage(c, img)
	}
}

// serveImage answers GET with the image and HEAD with the same headers,
// Content-Length included, and no body.
func serveImage(c *gin.Context, img checkout.Image) {
	c.Header("ETag", img.ETag)
	c.Header("Cache-Control", "private, max-age=86400, immutable")
	if c.GetHeader("If-None-Match") == img.ETag {
		c.Status(http.StatusNotModified)
		return
	}
	contentType := "image/png"
	if img.Kind == checkout.ImageSVG {
		contentType = "image/svg+xml"
	}
	if c.Request.Method == http.MethodHead {
		c.Header("Content-Type", contentType)
		c.Header("Content-Length", strconv.Itoa(len(img.Data)))
		c.Status(http.StatusOK)
		return
	}
	c.Data(http.StatusOK, contentType, img.Data)
}
