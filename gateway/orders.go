package gateway

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/scanpay/scanpay"
	"github.com/scanpay/scanpay/checkout"
)

func (s *Server) orderRoutes(v1 *gin.RouterGroup) {
	// Both answers hold the order's client secret, so they are stored
	// sealed.
	v1.POST("/orders", s.idempotent(http.StatusCreated, true), s.createOrder)
	v1.GET("/orders", s.listOrders)
	v1.POST("/orders/:id/cancel", s.idempotent(http.StatusOK, true), s.cancelOrder)
	// GET /orders/:id, its QR images and its events are browserRoutes.
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

// getOrder answers the merchant with its order, and a browser holding the
// order's client secret with the public view.
func (s *Server) getOrder(c *gin.Context) {
	if o, ok := publicOrder(c); ok {
		c.JSON(http.StatusOK, s.browserView(c, o))
		return
	}
	order, err := s.checkout.GetOrder(c.Request.Context(), principal(c), c.Param("id"))
	s.reply(c, http.StatusOK, order, err)
}

func (s *Server) listOrders(c *gin.Context) {
	serveList(s, c, func(pg page) ([]checkout.Order, bool, error) {
		return s.checkout.ListOrders(c.Request.Context(), principal(c), checkout.ListParams{
			Status: checkout.Status(c.Query("status")), Reference: c.Query("reference"),
			Limit: pg.limit, StartingAfter: pg.startingAfter,
		})
	})
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
		size, err := imageSize(c, kind)
		if err != nil {
			s.fail(c, err)
			return
		}
		var img checkout.Image
		if o, ok := publicOrder(c); ok {
			img, err = s.checkout.Image(o.Payload, kind, size)
		} else {
			img, err = s.checkout.QRImage(c.Request.Context(), principal(c), c.Param("id"), kind, size)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		serveImage(c, img)
	}
}

// imageSize reads ?size= of a PNG; an SVG has none.
func imageSize(c *gin.Context, kind string) (int, error) {
	raw, ok := c.GetQuery("size")
	if !ok || kind != checkout.ImagePNG {
		return checkout.DefaultPNGSize, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, scanpay.Invalid("size", "size must be an integer number of pixels")
	}
	return n, nil
}

// serveImage sends a QR image, which never changes: it may be cached for
// a day.
func serveImage(c *gin.Context, img checkout.Image) {
	contentType := "image/png"
	if img.Kind == checkout.ImageSVG {
		contentType = "image/svg+xml"
	}
	serveCached(c, contentType, img.Data, img.ETag, "private, max-age=86400, immutable")
}

// serveCached answers GET with body and HEAD with the same headers,
// Content-Length included, and no body; and either with 304 when the
// client's copy is the one etag names.
func serveCached(c *gin.Context, contentType string, body []byte, etag, cacheControl string) {
	c.Header("ETag", etag)
	c.Header("Cache-Control", cacheControl)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	if c.Request.Method == http.MethodHead {
		c.Header("Content-Type", contentType)
		c.Header("Content-Length", strconv.Itoa(len(body)))
		c.Status(http.StatusOK)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}
